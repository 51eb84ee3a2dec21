import Autodiff
import Foundation
import Probes
import Transformer

/// Something the trainer reports while it runs, for progress displays.
public enum TrainingEvent {
  /// Training begins at `step` (0, or the checkpoint's step when resuming).
  case started(parameterCount: Int, step: Int, totalSteps: Int)
  /// One optimizer update finished.
  case step(StepProgress)
  /// An evaluation finished.
  case evaluated(step: Int, metrics: [String: Double])
  /// A checkpoint was written.
  case checkpointed(step: Int)
}

/// The state after one update, for progress displays.
public struct StepProgress {
  public var step: Int
  public var totalSteps: Int
  public var loss: Double
  public var lr: Double
  public var tokensPerSecond: Double
  /// Seconds of training so far, over resumes.
  public var elapsed: Double
}

/// Trains a model from a config and keeps its run folder: metrics, checkpoints, summary, log.
///
/// Every random choice comes from generators seeded by `config.seed` (initialization, data,
/// dropout; evaluation restarts its own generator each time), and their states are part of every
/// checkpoint, so a resumed run continues bit for bit as if it had never stopped.
public final class Trainer {
  public let config: Config
  public let folder: RunFolder
  public let task: any SequenceTask
  public let model: GPT
  let optimizer: any Optimizer
  let parameters: [NamedParameter]
  let metrics: MetricsWriter
  let probeWriter: ProbeWriter
  let events: TensorBoardWriter
  let probes: ProbeRunner
  let regularizer: AttentionRegularizer?
  let schedule: LearningRateSchedule
  /// Completed optimizer updates.
  public private(set) var step = 0
  var dataRandom: SeededRandom
  var dropoutRandom: SeededRandom
  var wallTime = 0.0
  var lastMetrics: [String: Double] = [:]

  private init(
    config: Config, folder: RunFolder, task: any SequenceTask, model: GPT, resumeStep: Int?
  ) throws {
    self.config = config
    self.folder = folder
    self.task = task
    self.model = model
    optimizer = config.makeOptimizer()
    parameters = model.parameters()
    schedule = config.learningRateSchedule
    let seed = UInt64(config.seed)
    dataRandom = SeededRandom(seed: seed, stream: "data")
    dropoutRandom = SeededRandom(seed: seed, stream: "dropout")
    regularizer = config.makeRegularizer()
    metrics = try folder.metricsWriter(
      columns: MetricsWriter.standardColumns + (regularizer?.columns ?? []),
      resumeStep: resumeStep)
    probeWriter = try ProbeWriter(directory: folder.url, resumeStep: resumeStep)
    events = try TensorBoardWriter(directory: folder.url, resumeStep: resumeStep)
    for repair in events.repairs { try folder.appendLog("tensorboard: \(repair)") }
    probes = ProbeRunner(config: config.probes, model: model, task: task, seed: seed)
    // Summary statistics continue over the rows kept from before a resume.
    if resumeStep != nil { probes.record(try ProbeWriter.read(probeWriter.csvURL)) }
  }

  /// Prepares a new run: builds the task and the model (from `training.init_from` when set)
  /// before anything is written, then creates the run folder. With `overwrite`, an existing
  /// folder of the same name is replaced; otherwise it is an error.
  public static func start(config: Config, overwrite: Bool = false, baseDirectory: URL? = nil)
    throws -> Trainer
  {
    let task = try config.makeTask(baseDirectory: baseDirectory)
    let model = GPT(config.gptConfig(vocabularySize: task.vocabularySize))
    var initRandom = SeededRandom(seed: UInt64(config.seed), stream: "init")
    model.initialize(using: &initRandom)
    if !config.training.initFrom.isEmpty {
      let path = config.training.initFrom
      let resolved =
        path.hasPrefix("/") ? path : (baseDirectory?.appendingPathComponent(path).path ?? path)
      let url = try TrainingCheckpoint.modelFile(for: resolved)
      try model.load(stateDict: TrainingCheckpoint.readModel(url).tensors, path: url.path)
    }
    let folder = try RunFolder.prepare(
      for: config, mode: overwrite ? .overwrite : .create, baseDirectory: baseDirectory)
    let trainer = try Trainer(
      config: config, folder: folder, task: task, model: model, resumeStep: nil)
    try folder.appendLog(
      "started \(config.name): \(model.parameterCount) parameters, \(config.training.steps) steps")
    return trainer
  }

  /// Reopens the run in `folder` at its latest checkpoint (or from the beginning when it has
  /// none), truncating the metric files to the rows up to that step.
  public static func resume(folder url: URL, baseDirectory: URL? = nil) throws -> Trainer {
    let folder = RunFolder(url: url)
    guard FileManager.default.fileExists(atPath: folder.configURL.path) else {
      throw RunFolderError.notFound(path: url.path)
    }
    _ = try folder.readSummaryIfReadable()  // refuses a folder from a newer Betti
    let config = try folder.readConfig().validated(
      source: folder.configURL.path, baseDirectory: baseDirectory)
    let task = try config.makeTask(baseDirectory: baseDirectory)
    let model = GPT(config.gptConfig(vocabularySize: task.vocabularySize))
    let checkpoint = try TrainingCheckpoint.readLatest(in: folder.checkpointsURL)
    if checkpoint == nil {
      // No checkpoint: start over from the same seed (an identical trajectory).
      var initRandom = SeededRandom(seed: UInt64(config.seed), stream: "init")
      model.initialize(using: &initRandom)
      if !config.training.initFrom.isEmpty {
        let url = try TrainingCheckpoint.modelFile(for: config.training.initFrom)
        try model.load(stateDict: TrainingCheckpoint.readModel(url).tensors, path: url.path)
      }
    }
    let trainer = try Trainer(
      config: config, folder: folder, task: task, model: model, resumeStep: checkpoint?.step ?? -1)
    if let checkpoint {
      try model.load(stateDict: checkpoint.model, path: folder.checkpointsURL.path)
      try trainer.optimizer.loadState(checkpoint.optimizer, parameters: trainer.parameters)
      trainer.step = checkpoint.step
      trainer.dataRandom = checkpoint.dataRandom
      trainer.regularizer?.restorePreviousDiagrams(checkpoint.regularizerDiagrams)
      trainer.dropoutRandom = checkpoint.dropoutRandom
      trainer.wallTime = checkpoint.wallTime
    }
    try folder.appendLog("resumed at step \(trainer.step)")
    return trainer
  }

  /// Trains until `training.steps`, divergence, or `shouldStop()` (checked between updates;
  /// then a checkpoint is written and the run is marked interrupted). Returns the summary also
  /// written to `summary.json`.
  @discardableResult
  public func run(shouldStop: () -> Bool = { false }, observer: (TrainingEvent) -> Void = { _ in })
    throws -> RunSummary
  {
    let total = config.training.steps
    let t = config.training
    observer(.started(parameterCount: model.parameterCount, step: step, totalSteps: total))
    try folder.writeSummary(RunSummary(status: .running, step: step, wallTimeSeconds: wallTime))
    if step == 0 {
      try evaluate(observer: observer, row: MetricsRow(step: 0))
      try writeProbes(probes.stateRows(step: 0, parameters: parameters))
    }
    var sinceLog = (tokens: 0, time: 0.0)
    while step < total {
      if shouldStop() {
        try saveCheckpoint(observer: observer)
        return try finish(.interrupted, error: nil)
      }
      let started = DispatchTime.now().uptimeNanoseconds
      let lr = schedule.learningRate(at: step)
      let batch =
        t.fullBatch
        ? task.allExamples(.train)! : task.batch(.train, size: t.batchSize, using: &dataRandom)
      for p in parameters { p.tensor.grad = nil }
      // What this step's forward pass keeps: residual gradients for the gradient probes,
      // attention for the regularizers. Neither changes a value computed. Both count the update
      // being made (`step + 1`, the step its metrics row carries), so that terms due every k
      // steps land on rows logged every k steps.
      let gradientsDue = probes.wantsResidualGradients(atStep: step + 1)
      let regularizedLayers = regularizer?.captureLayers(atStep: step + 1) ?? []
      let capture =
        gradientsDue || !regularizedLayers.isEmpty
        ? ForwardCapture(
          residualGradients: gradientsDue, keepAttention: !regularizedLayers.isEmpty,
          attentionLayers: regularizedLayers)
        : nil
      // Whether this update's metrics row is written (and so its accuracy needed).
      let logged =
        (step + 1) % max(t.logEvery, 1) == 0 || (step + 1) % max(t.evalEvery, 1) == 0
        || step + 1 == total
      // Micro-batches unless a regularizer needs the batch's attention in one graph.
      let parts = MicroBatching.parts(config, sequences: batch.size)
      if parts > 1 && regularizedLayers.isEmpty {
        let result = microBatchStep(
          batch, parts: parts, residualGradients: gradientsDue, predictions: logged)
        guard result.loss.isFinite else {
          return try diverged(step: step + 1, lr: lr, loss: result.loss)
        }
        try finishStep(
          batch: batch, started: started, lr: lr, lossValue: result.loss,
          predictions: { result.predictions }, regularizerValues: [:], capture: result.capture,
          gradientsDue: gradientsDue, gradientNorm: result.gradientNorm, observer: observer,
          sinceLog: &sinceLog)
        continue
      }
      let ctx = model.makeContext(
        length: batch.length, training: true, dropoutRandom: dropoutRandom, capture: capture)
      let logits = model.logits(
        tokens: batch.inputs, batch: batch.size, length: batch.length, context: ctx)
      dropoutRandom = ctx.dropoutRandom
      var loss = logits.crossEntropy(targets: batch.targets, weights: batch.weights)
      let lossValue = Double(loss.item)
      var regularizerValues: [String: Double] = [:]
      if let regularizer, let capture,
        let out = regularizer.output(
          attention: capture.attention, step: step + 1, logged: logged)
      {
        loss = loss + out.loss
        regularizerValues = out.values
      }
      guard lossValue.isFinite && Double(loss.item).isFinite else {
        return try diverged(step: step + 1, lr: lr, loss: Double(loss.item), logged: lossValue)
      }
      loss.backward()
      try finishStep(
        batch: batch, started: started, lr: lr, lossValue: lossValue,
        predictions: {
          argmaxRows(logits.scalars, vocabularySize: self.model.config.vocabSize)
        }, regularizerValues: regularizerValues, capture: capture, gradientsDue: gradientsDue,
        observer: observer, sinceLog: &sinceLog)
    }
    try saveCheckpoint(observer: observer)
    return try finish(.completed, error: nil)
  }

  /// Records a step whose loss is not finite and ends the run as diverged.
  private func diverged(step: Int, lr: Double, loss: Double, logged: Double? = nil) throws
    -> RunSummary
  {
    var row = MetricsRow(step: step)
    row["lr"] = lr
    row["train_loss"] = logged ?? loss
    try metrics.append(row)
    try events.append(row)
    let message =
      "training loss became \(loss) at step \(step); the run diverged (try a lower optimizer.lr, warmup, or gradient clipping)"
    try folder.appendLog(message)
    return try finish(.diverged, error: message)
  }

  /// The rest of a step once the gradients are in place: probes, clipping, the update, and the
  /// step's metrics row, evaluation and checkpoint when due. `gradientNorm` is the gradients'
  /// global norm when already known.
  private func finishStep(
    batch: Batch, started: UInt64, lr: Double, lossValue: Double,
    predictions: () -> [Int32], regularizerValues: [String: Double], capture: ForwardCapture?,
    gradientsDue: Bool, gradientNorm: Double? = nil, observer: (TrainingEvent) -> Void,
    sinceLog: inout (tokens: Int, time: Double)
  ) throws {
    let t = config.training
    let total = t.steps
    let clip = config.optimizer.gradClip
    var probeRows: [ProbeRow] = []
    var snapshot: ParameterSnapshot?
    let gradientNorm = gradientNorm ?? globalGradientNorm(parameters)
    if gradientsDue {
      let (rows, before) = probes.gradientRows(
        step: step + 1, parameters: parameters, capture: capture, clip: clip,
        globalNorm: gradientNorm)
      probeRows = rows
      snapshot = before
    }
    let (norm, clipped) =
      clip > 0
      ? clipGradients(parameters, maxNorm: clip, norm: gradientNorm) : (gradientNorm, false)
    optimizer.step(parameters, lr: Float(lr))
    step += 1
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    wallTime += seconds
    sinceLog.tokens += batch.size * batch.length
    sinceLog.time += seconds
    let tokensPerSecond = Double(sinceLog.tokens) / max(sinceLog.time, 1e-9)
    observer(
      .step(
        StepProgress(
          step: step, totalSteps: total, loss: lossValue, lr: lr,
          tokensPerSecond: tokensPerSecond, elapsed: wallTime)))
    // Probes are measured outside the timed region.
    if let snapshot { probeRows += snapshot.rows(step: step, parameters: parameters) }
    probeRows += probes.stateRows(step: step, parameters: parameters)
    try writeProbes(probeRows)

    let isEval = step % max(t.evalEvery, 1) == 0 || step == total
    if step % max(t.logEvery, 1) == 0 || isEval {
      var row = MetricsRow(step: step)
      row["lr"] = lr
      row["train_loss"] = lossValue
      row["train_accuracy"] = task.accuracy(predictions: predictions(), on: batch).value
      row["grad_norm"] = norm
      row["grad_clipped"] = clipped ? 1 : 0
      row["tokens_per_s"] = tokensPerSecond
      row["tokens"] = Double(step * batch.size * batch.length)
      row["elapsed_s"] = wallTime
      for (k, v) in regularizerValues { row[k] = v }
      sinceLog = (0, 0)
      if isEval {
        try evaluate(observer: observer, row: row)
      } else {
        try record(row)
      }
    }
    if t.checkpointEvery > 0 && step % t.checkpointEvery == 0 && step < total {
      try saveCheckpoint(observer: observer)
    }
  }

  /// Adds validation (and training-data evaluation) metrics to `row` and records it.
  private func evaluate(observer: (TrainingEvent) -> Void, row: MetricsRow) throws {
    var row = row
    let seed = UInt64(config.seed)
    let t = config.training
    let validation = model.evaluate(
      on: task, split: .validation, batches: t.evalBatches, batchSize: t.batchSize,
      random: SeededRandom(seed: seed, stream: "validation"))
    let training = model.evaluate(
      on: task, split: .train, batches: t.evalBatches, batchSize: t.batchSize,
      random: SeededRandom(seed: seed, stream: "train-evaluation"))
    row["val_loss"] = validation.loss
    row["val_accuracy"] = validation.accuracy.value
    row["train_eval_loss"] = training.loss
    row["train_eval_accuracy"] = training.accuracy.value
    observer(.evaluated(step: row.step, metrics: row.values))
    try record(row)
  }

  private func record(_ row: MetricsRow) throws {
    try metrics.append(row)
    try events.append(row)
    for (k, v) in row.values { lastMetrics[k] = v }
    let shown = ["train_loss", "val_loss", "val_accuracy", "lr", "tokens_per_s"].compactMap { key in
      row[key].map { "\(key) \(String(format: "%.5g", $0))" }
    }
    try folder.appendLog("step \(row.step): " + shown.joined(separator: ", "))
  }

  private func writeProbes(_ rows: [ProbeRow]) throws {
    try probeWriter.append(rows)
    try events.append(rows)
    probes.record(rows)
  }

  private func saveCheckpoint(observer: (TrainingEvent) -> Void) throws {
    let state = Dictionary(
      uniqueKeysWithValues: optimizer.stateTensors().map { ($0.name, $0.values) })
    let checkpoint = TrainingCheckpoint(
      step: step, model: model.stateDict(), optimizer: state, dataRandom: dataRandom,
      dropoutRandom: dropoutRandom, wallTime: wallTime,
      regularizerDiagrams: regularizer?.previousDiagrams ?? [:])
    try metrics.synchronize()
    try probeWriter.synchronize()
    try events.synchronize()
    try checkpoint.write(
      to: folder.checkpointsURL,
      configJSON: String(decoding: try config.encodedJSON(), as: UTF8.self))
    try folder.writeSummary(
      RunSummary(status: .running, step: step, wallTimeSeconds: wallTime, finalMetrics: lastMetrics)
    )
    observer(.checkpointed(step: step))
  }

  private func finish(_ status: RunSummary.Status, error: String?) throws -> RunSummary {
    try metrics.synchronize()
    try probeWriter.synchronize()
    try events.synchronize()
    var summary = RunSummary(
      status: status, step: step, wallTimeSeconds: wallTime, finalMetrics: lastMetrics, error: error
    )
    summary.probeSummary = probes.summary
    try folder.writeSummary(summary)
    // The report is a convenience: a run that trained is not failed by a report that could not
    // be drawn; the log says why.
    do {
      _ = try writeRunReport(folder: folder.url)
    } catch {
      try folder.appendLog("report not written: \(error.localizedDescription)")
    }
    try folder.appendLog(
      "\(status.rawValue) at step \(step) after \(String(format: "%.1f", wallTime)) s")
    return summary
  }
}
