import Foundation
import Testing

@testable import Lab

@Suite struct SweepReportTests {
  /// A sweep of 12 trials (activation × 3 learning rates × 2 seeds) whose run folders are
  /// written by hand: t0…t9 completed with known losses and probe summaries, t10 failed before
  /// training, t11 diverged. t0…t4 have a report of their own.
  ///
  /// The final validation loss of trial (activation a, learning rate l, seed s), indices from
  /// 0, is 3 − 0.5·l + 0.1·a + 0.01·s.
  static func syntheticSweep(runs: URL) throws -> Sweep {
    let sweep = try Sweep.plan(
      tinySweepSpec(
        runs: runs,
        #""grid": {"optimizer.lr": [1e-4, 1e-3, 1e-2], "model.activation": ["gelu", "relu"]}, "seeds": [1, 2]"#
      ))
    try sweep.prepareFolder()
    for trial in sweep.trials.prefix(10) {
      let (a, l, s) = (trial.index / 6, (trial.index / 2) % 3, trial.index % 2)
      let loss = 3 - 0.5 * Double(l) + 0.1 * Double(a) + 0.01 * Double(s)
      let run = sweep.runFolder(trial.index)
      try FileManager.default.createDirectory(at: run.url, withIntermediateDirectories: true)
      let writer = try run.metricsWriter()
      for step in [0, 4, 8] {
        let train = trial.index == 1 && step == 4 ? Double.nan : loss + Double(8 - step) * 0.1
        try writer.append(
          MetricsRow(
            step: step, values: ["train_loss": train, "val_loss": loss + Double(8 - step) * 0.05]))
      }
      try writer.synchronize()
      var summary = RunSummary(
        status: .completed, step: 8, wallTimeSeconds: 1.5,
        finalMetrics: ["train_loss": loss, "val_loss": loss, "val_accuracy": 0.5])
      summary.probeSummary = [
        "probe/monotone": ["final": 2 * loss + 1],
        "probe/constant": ["final": 0.5],
        "probe/ties": ["final": Double(a)],
      ]
      if trial.index < 3 {
        summary.probeSummary["probe/partial"] = ["final": Double(trial.index + 1)]
      }
      try run.writeSummary(summary)
      if trial.index < 5 {
        try Data("<html/>".utf8).write(to: run.url.appendingPathComponent("report.html"))
      }
    }
    try sweep.recordFailure(index: 10, error: "cannot open <data>, \"quoted\" & more\nsecond line")
    try FileManager.default.createDirectory(
      at: sweep.runFolder(11).url, withIntermediateDirectories: true)
    try sweep.runFolder(11).writeSummary(
      RunSummary(
        status: .diverged, step: 3, wallTimeSeconds: 0.5, finalMetrics: ["train_loss": .nan],
        error: "training loss became infinite at step 3"))
    return sweep
  }

  @Test func reportsASyntheticSweep() throws {
    let runs = scratchFolder("sweep-report")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try Self.syntheticSweep(runs: runs)

    let (kind, url) = try writeReport(folder: sweep.folder)
    #expect(kind == .sweep && url == sweep.reportURL)
    let data = try Data(contentsOf: url)
    let page = try PageOutline.parse(data)  // well-formed XML throughout
    #expect(page.ids == ["trials", "fields", "curves", "correlations"])
    #expect(page.notes.isEmpty, "unexpected notes in \(page.notes.sorted())")
    #expect(page.misplacedMarks.isEmpty, "\(page.misplacedMarks.prefix(5))")
    let html = String(decoding: data, as: UTF8.self)
    #expect(html.contains("<title>s — Betti sweep report</title>"))
    for outside in ["<script", "src=", "href=\"http", "@import", "url("] {
      #expect(!html.contains(outside), "\(outside)")
    }
    // Never NaN or infinity as text: missing and non-finite values have their own words.
    let words = Set(html.lowercased().split { !$0.isLetter })
    #expect(words.isDisjoint(with: ["nan", "inf", "infinity"]))

    // Trials: a header and a row per trial; links to the trials that have their own report.
    #expect(page.elements["trials"]?["tr"] == 13)
    let trialLinks = page.links.filter { $0.hasSuffix("/report.html") }
    // First the headline's best trial (t4, the lowest loss), then the table's.
    #expect(trialLinks == ([4] + Array(0..<5)).map { "\(sweep.trials[$0].name)/report.html" })
    let trials = page.flatText("trials")
    #expect(trials.contains("cannot open <data>, \"quoted\" & more"))  // escaped, unescaped back
    #expect(trials.contains("diverged") && trials.contains("failed"))
    #expect(trials.contains("2.51"))  // t3's final validation loss

    // One chart per swept field: learning rates over three decades on a log axis, the
    // activation as categories.
    #expect(page.svgCount["fields"] == 2)
    let fields = page.flatText("fields")
    #expect(fields.contains("optimizer.lr (log scale)"))
    for tick in ["0.0001", "0.001", "0.01", "gelu", "relu"] {
      #expect(fields.contains(" \(tick) "), "tick \(tick)")
    }
    #expect(fields.contains("Not drawn: 2 trials") && fields.contains("1 diverged, 1 failed"))

    // Curves: training and validation loss, a band per group of two seeds.
    #expect(page.svgCount["curves"] == 2)
    #expect((page.elements["curves"]?["polygon"] ?? 0) >= 10)
    let curves = page.flatText("curves")
    #expect(curves.contains("band: min–max over seeds"))
    // gelu at lr 0.01: losses 2 and 2.01, mean 2.005, sd 0.01/√2.
    #expect(
      curves.contains("model.activation=gelu, optimizer.lr=0.01 2 of 2 2.005 0.007071 2 2.01"))
    #expect(curves.contains("model.activation=relu, optimizer.lr=0.01 0 of 2 — — — —"))

    // Spearman: strongest first, undefined last, each with n and its note.
    let rows = try correlationRows(html)
    #expect(
      rows.map(\.name) == [
        "probe/monotone", "optimizer.lr", "probe/ties", "probe/partial", "probe/constant",
      ])
    #expect(
      rows.map(\.rho) == [
        "+1.000",
        String(format: "%+.3f", -(72 / 82.5).squareRoot()),  // worked in the comment below
        String(format: "%+.3f", 40 / 4950.0.squareRoot()),
        "-0.500", "undefined",
      ])
    #expect(rows.map(\.n) == ["10", "10", "10", "3", "10"])
    #expect(rows[1].note == "ties: 3 distinct field values")
    #expect(rows[2].note == "ties: 2 distinct probe values")
    #expect(rows[3].note == "only 3 trials")
    #expect(rows[4].note == "undefined: the probe value is the same in every trial")
  }
  // Hand computation for optimizer.lr over t0…t9: lr ranks 2.5 (four trials at 1e-4), 6.5
  // (four at 1e-3), 9.5 (two at 1e-2); the losses are all distinct, ranks 1…10. With both
  // means 5.5, Σ dx·dy = −72, Σ dx² = 72, Σ dy² = 82.5, so ρ = −72/√(72·82.5) = −√(72/82.5).
  // probe/ties is the activation index: ranks 3.5 (six gelu) and 8.5 (four relu); Σ dx·dy = 40,
  // Σ dx² = 60, ρ = 40/√(60·82.5) = 40/√4950. probe/partial over t0…t2: ranks (1, 2, 3)
  // against the losses' (2, 3, 1), Σd² = 6, ρ = 1 − 36/24 = −0.5.

  /// The correlation table's rows as (name, ρ, n, note) texts.
  private func correlationRows(_ html: String) throws -> [(
    name: String, rho: String, n: String, note: String
  )] {
    let section = try #require(html.range(of: "<section id=\"correlations\">"))
    let table = html[section.upperBound...]
    let pattern = try NSRegularExpression(
      pattern:
        #"<tr><td>\w+ <code>([^<]*)</code></td><td class="num">([^<]*)</td><td>.*?</td><td class="num">(\d+)</td><td>([^<]*)</td></tr>"#
    )
    let text = String(table)
    return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
      let group = { (k: Int) in String(text[Range(match.range(at: k), in: text)!]) }
      return (group(1), group(2), group(3), group(4))
    }
  }

  /// A completed trial whose metrics.csv is corrupt is named on the page and left out of the
  /// curves; the rest of the report is drawn.
  @Test func aCorruptMetricsFileIsNamedNotFatal() throws {
    let runs = scratchFolder("sweep-report-corrupt")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try Self.syntheticSweep(runs: runs)
    let csv = sweep.runFolder(2).url.appendingPathComponent("metrics.csv")
    try (String(contentsOf: csv, encoding: .utf8) + "4,oops\n").write(
      to: csv, atomically: true, encoding: .utf8)
    let page = try PageOutline.parse(Data(SweepReport(folder: sweep.folder).html.utf8))
    #expect(page.notes == ["curves"])
    let curves = page.flatText("curves")
    #expect(curves.contains("Curves left out (metrics.csv unreadable): \(sweep.trials[2].name)"))
    #expect(curves.contains("line 5"))
    #expect(page.svgCount["curves"] == 2 && page.svgCount["fields"] == 2)
  }

  @Test func aSweepWithoutResultsGetsNotesNotCharts() throws {
    let runs = scratchFolder("sweep-report-empty")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try Sweep.plan(tinySweepSpec(runs: runs, #""seeds": [1, 2]"#))
    try sweep.prepareFolder()
    try sweep.recordFailure(index: 0, error: "broken")
    let page = try PageOutline.parse(Data(SweepReport(folder: sweep.folder).html.utf8))
    #expect(page.ids == ["trials", "fields", "curves", "correlations"])
    #expect(page.notes == ["fields", "curves", "correlations"])
    #expect(page.text["fields"]?.contains("varies only the seed") == true)
    #expect(page.elements["trials"]?["tr"] == 3)
    #expect(page.svgCount.isEmpty)
  }

  /// `betti report` takes a run folder or a sweep folder and refuses anything else by name,
  /// writing nothing.
  @Test func reportFolderDispatchAndRefusals() throws {
    let runs = scratchFolder("report-dispatch")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try Self.syntheticSweep(runs: runs)
    let (kind, url) = try writeReport(folder: sweep.runFolder(0).url.deletingLastPathComponent())
    #expect(kind == .sweep && url.path == sweep.reportURL.path)

    let plain = runs.appendingPathComponent("plain")
    try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
    #expect(throws: ReportError.nothingToReport(path: plain.path, exists: true)) {
      try writeReport(folder: plain)
    }
    let message = ReportError.nothingToReport(path: plain.path, exists: true).localizedDescription
    #expect(
      message.contains(plain.path) && message.contains("config.json")
        && message.contains("sweep.json"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: plain.path).isEmpty)
    let missing = runs.appendingPathComponent("missing")
    #expect(throws: ReportError.nothingToReport(path: missing.path, exists: false)) {
      try writeReport(folder: missing)
    }
    #expect(!FileManager.default.fileExists(atPath: missing.path))
    // A sweep folder whose sweep.json is not a spec: the spec's error, and no report.
    let broken = runs.appendingPathComponent("broken")
    try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
    try Data("{\"grid\": 3}".utf8).write(to: broken.appendingPathComponent("sweep.json"))
    #expect(throws: SweepError.self) { try writeReport(folder: broken) }
    #expect(
      !FileManager.default.fileExists(atPath: broken.appendingPathComponent("report.html").path))
  }
}
