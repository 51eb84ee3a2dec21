import Foundation
import Testing

@testable import Lab

@Suite struct SweepResultsTests {
  /// A sweep of four trials whose run folders are written by hand: completed, diverged,
  /// failed, and missing.
  @Test func collectsSyntheticRunFolders() throws {
    let runs = scratchFolder("results")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try Sweep.plan(
      tinySweepSpec(runs: runs, #""grid": {"optimizer.lr": [0.01, 0.02]}, "seeds": [1, 2]"#))
    try sweep.prepareFolder()

    // t0: completed, with metrics and a probe summary.
    let done = sweep.runFolder(0)
    try FileManager.default.createDirectory(at: done.url, withIntermediateDirectories: true)
    let writer = try done.metricsWriter()
    try writer.append(MetricsRow(step: 0, values: ["val_loss": 2.0]))
    try writer.append(MetricsRow(step: 8, values: ["val_loss": 1.25, "train_loss": 1.3]))
    try writer.append(MetricsRow(step: 16, values: ["val_loss": 1.5, "train_loss": 1.1]))
    try writer.synchronize()
    var summary = RunSummary(
      status: .completed, step: 16, wallTimeSeconds: 2.5,
      finalMetrics: [
        "train_loss": 1.1, "train_accuracy": 0.5, "val_loss": 1.5, "val_accuracy": 0.25,
      ])
    summary.probeSummary = ["attention/L0H0/attn_entropy_bits": ["final": 1.75, "mean": 2]]
    try done.writeSummary(summary)
    // t1: diverged.
    try FileManager.default.createDirectory(
      at: sweep.runFolder(1).url, withIntermediateDirectories: true)
    try sweep.runFolder(1).writeSummary(
      RunSummary(
        status: .diverged, step: 3, wallTimeSeconds: 0.5, finalMetrics: ["train_loss": .nan],
        error: "training loss became nan at step 3"))
    // t2: failed before a summary existed; the runner's record of it.
    try sweep.recordFailure(index: 2, error: "cannot read x, \"quoted\"")
    // t3: never started.

    let results = try SweepResults.collect(sweep).written()
    #expect(results.rows.map(\.state) == [.completed, .diverged, .failed, .pending])
    #expect(results.rows[0].bestValLoss == 1.25)
    #expect(results.counts[.completed] == 1 && results.counts[.pending] == 1)
    #expect(results.best?.trial.index == 0)

    let lines = try String(contentsOf: sweep.resultsURL, encoding: .utf8)
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.count == 6)  // header, four rows, final newline
    #expect(
      lines[0]
        == "index,trial,optimizer.lr,seed,status,train_loss,train_accuracy,val_loss,val_accuracy,best_val_loss,wall_time_s,step,probe:attention/L0H0/attn_entropy_bits,error"
    )
    #expect(
      lines[1]
        == "0,t000-optimizer.lr_0.01-seed_1,0.01,1,completed,1.1,0.5,1.5,0.25,1.25,2.5,16,1.75,")
    #expect(
      lines[2].hasPrefix(
        "1,t001-optimizer.lr_0.01-seed_2,0.01,2,diverged,nan,,,,,0.5,3,,training loss"))
    #expect(lines[3].hasSuffix(#","cannot read x, ""quoted""""#))
    #expect(lines[4] == "3,t003-optimizer.lr_0.02-seed_2,0.02,2,pending,,,,,,,,,")

    guard case .object(let json) = try JSONValue.parse(Data(contentsOf: sweep.summaryURL)) else {
      Issue.record("summary.json is not an object")
      return
    }
    #expect(json["trials"] == .integer(4))
    guard case .object(let counts)? = json["counts"], case .object(let best)? = json["best"] else {
      Issue.record("summary.json lacks counts or best")
      return
    }
    #expect(counts["failed"] == .integer(1) && counts["diverged"] == .integer(1))
    #expect(best["trial"] == .string("t000-optimizer.lr_0.01-seed_1"))
    #expect(best["val_loss"] == .number(1.5))
    #expect(try SweepSpec.parse(Sweep.encoded(json["spec"]!)) == sweep.spec)
  }
}
