import Foundation
import Probes
import TestSupport
import Testing

@testable import Autodiff
@testable import Lab
@testable import Transformer

/// A scratch folder under the system temporary directory, removed by the caller.
func scratchFolder(_ name: String) -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "betti-tests-\(name)-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// A tiny copy-task config that trains in well under a second.
func tinyConfig(runs: URL, name: String, steps: Int = 24, _ edit: (inout Config) -> Void = { _ in })
  -> Config
{
  var c = Config()
  c.name = name
  c.runsDir = runs.path
  c.seed = 3
  c.model.context = 8
  c.model.width = 16
  c.model.depth = 1
  c.model.heads = 2
  c.task.kind = .copy
  c.task.length = 4
  c.task.symbols = 6
  c.optimizer.lr = 1e-2
  c.optimizer.weightDecay = 0.1
  c.optimizer.gradClip = 1
  c.schedule.kind = .cosine
  c.schedule.warmupSteps = 3
  c.training.steps = steps
  c.training.batchSize = 8
  c.training.evalEvery = 8
  c.training.evalBatches = 2
  c.training.logEvery = 2
  c.training.checkpointEvery = 5
  edit(&c)
  return c
}

/// Metric rows without the wall-clock columns, which differ between runs by nature.
/// Two runs of the same config: one trained to the end, and one stopped before update
/// `stopBefore` (a checkpoint at the step it stopped, as after Ctrl-C) and then resumed to the end.
func wholeAndResumed(
  runs: URL, stopBefore: Int = 12, _ edit: @escaping (inout Config) -> Void
) throws -> (whole: RunFolder, resumed: RunFolder) {
  let whole = try Trainer.start(config: tinyConfig(runs: runs, name: "whole", edit))
  try whole.run()
  let parted = try Trainer.start(config: tinyConfig(runs: runs, name: "parted", edit))
  var calls = 0
  try parted.run(shouldStop: {
    calls += 1
    return calls >= stopBefore
  })
  try Trainer.resume(folder: parted.folder.url).run()
  return (whole.folder, parted.folder)
}

func deterministicRows(_ folder: RunFolder) throws -> [MetricsRow] {
  try MetricsWriter.readJSONL(folder.url.appendingPathComponent("metrics.jsonl")).map { row in
    var r = row
    for k in ["tokens_per_s", "elapsed_s"] { r.values[k] = nil }
    return r
  }
}

@Suite struct TrainerTests {
  @Test func trainsAndWritesTheRunFolder() throws {
    let runs = scratchFolder("train")
    defer { try? FileManager.default.removeItem(at: runs) }
    let trainer = try Trainer.start(config: tinyConfig(runs: runs, name: "a", steps: 60))
    let summary = try trainer.run()
    #expect(summary.status == .completed && summary.step == 60)
    let rows = try deterministicRows(trainer.folder)
    #expect(rows.first?.step == 0 && rows.last?.step == 60)
    let first = try #require(rows.first?["val_loss"])
    let last = try #require(rows.last?["val_loss"])
    // An untrained model is near uniform over 7 tokens.
    #expect(abs(first - Foundation.log(7.0)) < 0.2)
    #expect(last < first - 0.3)  // and it learns
    let files = try FileManager.default.contentsOfDirectory(atPath: trainer.folder.url.path)
    #expect(
      Set(files).isSuperset(of: [
        "config.json", "metrics.csv", "metrics.jsonl", "summary.json", "log.txt", "checkpoints",
      ]))
    let saved = try #require(try trainer.folder.readSummary())
    #expect(saved.status == .completed)
    #expect(saved.finalMetrics["val_loss"] == last)
  }

  @Test func resumeAfterInterruptionIsBitIdentical() throws {
    let runs = scratchFolder("resume")
    defer { try? FileManager.default.removeItem(at: runs) }
    let whole = try Trainer.start(config: tinyConfig(runs: runs, name: "whole"))
    try whole.run()

    let parted = try Trainer.start(config: tinyConfig(runs: runs, name: "parted"))
    var calls = 0
    let first = try parted.run(shouldStop: {
      calls += 1
      return calls > 13  // stop before update 14
    })
    #expect(first.status == .interrupted && first.step == 13)
    let resumed = try Trainer.resume(folder: parted.folder.url)
    #expect(resumed.step == 13)
    #expect(try resumed.run().status == .completed)

    #expect(try deterministicRows(whole.folder) == deterministicRows(parted.folder))
    for (a, b) in zip(whole.model.parameters(), resumed.model.parameters()) {
      expectEqualElements(b.tensor.scalars, a.tensor.scalars, a.name)
    }
  }

  @Test func microBatchesGiveTheWholeBatchUpdate() throws {
    // Plain SGD, so that parameters move by exactly lr·gradient: micro-batched runs (even
    // parts, and uneven 2-3-3 parts) must track the whole-batch run up to float rounding.
    let runs = scratchFolder("micro")
    defer { try? FileManager.default.removeItem(at: runs) }
    var trained: [(rows: [MetricsRow], parameters: [[Float]], probes: [ProbeRow])] = []
    for parts in [1, 2, 3] {
      let trainer = try Trainer.start(
        config: tinyConfig(runs: runs, name: "parts\(parts)", steps: 8) {
          $0.optimizer.kind = .sgd
          $0.optimizer.lr = 0.1
          $0.optimizer.weightDecay = 0
          $0.training.microBatches = parts
          $0.probes.gradients.every = 2
        })
      try trainer.run()
      trained.append(
        (
          try deterministicRows(trainer.folder), trainer.model.parameters().map(\.tensor.scalars),
          try ProbeWriter.read(trainer.folder.url.appendingPathComponent("probes.csv"))
        ))
    }
    let whole = trained[0]
    // The gradient probes see the parts' residual gradients joined into the whole batch's.
    let residualNorms = whole.probes.filter {
      $0.metric == GradientFlow.residualGradientNormMetric
    }
    #expect(residualNorms.count == 4 * 2)  // steps 2, 4, 6, 8; the block input and the final norm's
    for other in trained.dropFirst() {
      let joined = other.probes.filter { $0.metric == GradientFlow.residualGradientNormMetric }
      #expect(joined.count == residualNorms.count)
      for (a, b) in zip(residualNorms, joined) {
        #expect(a.step == b.step && a.layer == b.layer)
        #expect(abs(a.value - b.value) <= 1e-5 * max(1, a.value), "\(a) vs \(b)")
      }
      for (a, b) in zip(whole.rows, other.rows) {
        for key in ["train_loss", "grad_norm", "val_loss"] {
          if let x = a[key], let y = b[key] {
            #expect(abs(x - y) <= 1e-5 * max(1, abs(x)), "step \(a.step) \(key): \(x) vs \(y)")
          }
        }
        #expect(a["train_accuracy"] == b["train_accuracy"])
      }
      for (a, b) in zip(whole.parameters, other.parameters) {
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-5) }
      }
    }
  }

  @Test func microBatchNormIsTheGlobalNormOfTheSummedGradients() throws {
    // The norm is taken while the parts' gradients are summed; it must be the very value
    // `globalGradientNorm` reads off the gradients left in place, for even and uneven parts.
    let runs = scratchFolder("micro-norm")
    defer { try? FileManager.default.removeItem(at: runs) }
    let trainer = try Trainer.start(config: tinyConfig(runs: runs, name: "norm"))
    var random = SeededRandom(seed: 11)
    for parts in [2, 3] {
      let batch = trainer.task.batch(.train, size: 8, using: &random)
      for p in trainer.parameters { p.tensor.grad = nil }
      let result = trainer.microBatchStep(
        batch, parts: parts, residualGradients: false, predictions: false)
      #expect(result.gradientNorm > 0)
      #expect(result.gradientNorm == globalGradientNorm(trainer.parameters), "parts \(parts)")
    }
  }

  @Test func microBatchedRunsResumeBitIdenticalWithDropout() throws {
    let runs = scratchFolder("micro-resume")
    defer { try? FileManager.default.removeItem(at: runs) }
    let (whole, resumed) = try wholeAndResumed(runs: runs) {
      $0.model.dropout = 0.1
      $0.training.microBatches = 3
    }
    #expect(try deterministicRows(whole) == deterministicRows(resumed))
  }

  @Test func microBatchedResultsDoNotDependOnTheThreadCount() throws {
    let runs = scratchFolder("micro-threads")
    defer { try? FileManager.default.removeItem(at: runs) }
    var rows: [[MetricsRow]] = []
    for threads in [1, 2] {
      let trainer = try Trainer.start(
        config: tinyConfig(runs: runs, name: "threads\(threads)", steps: 10) {
          $0.model.dropout = 0.1
          $0.training.microBatches = 2
        })
      let saved = Parallel.threadCount
      Parallel.threadCount = threads
      defer { Parallel.threadCount = saved }
      try trainer.run()
      rows.append(try deterministicRows(trainer.folder))
    }
    #expect(rows[0] == rows[1])
  }

  @Test func resumeFromAnOlderCheckpointAfterACrash() throws {
    // A crash after step 12 leaves the step-10 checkpoint and rows up to 12 (one torn).
    let runs = scratchFolder("crash")
    defer { try? FileManager.default.removeItem(at: runs) }
    let whole = try Trainer.start(config: tinyConfig(runs: runs, name: "whole"))
    try whole.run()
    let crashed = try Trainer.start(config: tinyConfig(runs: runs, name: "crashed"))
    var calls = 0
    try crashed.run(shouldStop: {
      calls += 1
      return calls > 12
    })
    // Simulate the crash: drop the step-12 checkpoint, mark "latest" at 10, tear the last row.
    let checkpoints = crashed.folder.checkpointsURL
    try FileManager.default.removeItem(at: checkpoints.appendingPathComponent("step_000012"))
    try "step_000010\n".write(
      to: checkpoints.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
    let handle = try FileHandle(
      forWritingTo: crashed.folder.url.appendingPathComponent("metrics.jsonl"))
    handle.seekToEndOfFile()
    handle.write(Data("{\"step\":13,\"lr\":0.0".utf8))
    try handle.close()
    let resumed = try Trainer.resume(folder: crashed.folder.url)
    #expect(resumed.step == 10)
    try resumed.run()
    #expect(try deterministicRows(whole.folder) == deterministicRows(crashed.folder))
  }

  @Test func divergenceStopsCleanly() throws {
    let runs = scratchFolder("diverge")
    defer { try? FileManager.default.removeItem(at: runs) }
    let config = tinyConfig(runs: runs, name: "d") { c in
      c.optimizer.kind = .sgd
      c.optimizer.lr = 1e12
      c.optimizer.gradClip = 0
      c.schedule.kind = .constant
      c.schedule.warmupSteps = 0
    }
    let trainer = try Trainer.start(config: config)
    let summary = try trainer.run()
    #expect(summary.status == .diverged)
    #expect(summary.error?.contains("step \(summary.step + 1)") == true)
    let rows = try deterministicRows(trainer.folder)
    #expect(rows.last.map { !($0["train_loss"]!.isFinite) } == true)
    #expect(rows.count >= 2)
  }

  @Test func badInputLeavesNoRunFolder() throws {
    let runs = scratchFolder("bad")
    defer { try? FileManager.default.removeItem(at: runs) }
    let missingText = tinyConfig(runs: runs, name: "x") { c in
      c.task.kind = .char
      c.task.path = "/nonexistent/text.txt"
    }
    #expect(throws: (any Error).self) { try Trainer.start(config: missingText) }
    let badInit = tinyConfig(runs: runs, name: "y") {
      $0.training.initFrom = "/nonexistent/model.safetensors"
    }
    #expect(throws: (any Error).self) { try Trainer.start(config: badInit) }
    #expect((try FileManager.default.contentsOfDirectory(atPath: runs.path)).isEmpty)
    // An existing run is refused unless overwriting.
    _ = try Trainer.start(config: tinyConfig(runs: runs, name: "z"))
    #expect(throws: RunFolderError.self) {
      try Trainer.start(config: tinyConfig(runs: runs, name: "z"))
    }
    _ = try Trainer.start(config: tinyConfig(runs: runs, name: "z"), overwrite: true)
  }

  @Test func corruptCheckpointsAreDetected() throws {
    let runs = scratchFolder("corrupt")
    defer { try? FileManager.default.removeItem(at: runs) }
    let trainer = try Trainer.start(config: tinyConfig(runs: runs, name: "c", steps: 6))
    try trainer.run()
    let file = trainer.folder.checkpointsURL.appendingPathComponent("step_000006/model.safetensors")
    var bytes = try Data(contentsOf: file)
    // One flipped bit in the data section: the checksum catches it.
    bytes[bytes.count - 3] ^= 0x10
    try bytes.write(to: file)
    #expect(throws: StateDictError.self) { try Trainer.resume(folder: trainer.folder.url) }
    // Truncation: the safetensors reader catches it.
    try bytes.prefix(bytes.count - 40).write(to: file)
    #expect(throws: SafetensorsError.self) { try Trainer.resume(folder: trainer.folder.url) }
  }

  @Test func initFromCheckpointAndEvaluation() throws {
    let runs = scratchFolder("init")
    defer { try? FileManager.default.removeItem(at: runs) }
    let first = try Trainer.start(config: tinyConfig(runs: runs, name: "first", steps: 30))
    try first.run()
    let (_, result) = try Evaluator.evaluateRun(path: first.folder.url.path)
    let logged = try deterministicRows(first.folder).last!["val_loss"]!
    #expect(abs(result.loss - logged) < 1e-9)
    let second = try Trainer.start(
      config: tinyConfig(runs: runs, name: "second", steps: 1) {
        $0.schedule.warmupSteps = 0
        $0.training.initFrom = first.folder.url.path
      })
    for (a, b) in zip(first.model.parameters(), second.model.parameters()) {
      expectEqualElements(b.tensor.scalars, a.tensor.scalars, a.name)
    }
  }
}
