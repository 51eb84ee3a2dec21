import Autodiff
import Foundation
import Transformer

/// Why a token file could not be evaluated.
public enum TokenFileError: LocalizedError {
  case unreadable(path: String, detail: String)
  case malformed(path: String, detail: String)

  public var errorDescription: String? {
    switch self {
    case .unreadable(let path, let detail): return "\(path): cannot read the token file: \(detail)"
    case .malformed(let path, let detail):
      return
        "\(path): \(detail); expected a JSON array of token-id arrays, e.g. [[1, 2, 3], [4, 5]]"
    }
  }
}

/// Mean next-token losses of a model on explicit token sequences (for checks against PyTorch).
public struct TokenEvaluation {
  /// Mean over all predicted positions of all sequences (nats).
  public var meanLoss: Double
  /// Mean next-token loss of each sequence.
  public var perSequence: [Double]
  /// Logits of each sequence, `(T, V)` row-major, for `--logits`.
  public var logits: [[Float]]
}

/// Evaluation entry points used by `betti eval`.
public enum Evaluator {
  /// Loss and accuracy of a run's latest checkpoint (or a checkpoint folder inside a run) on
  /// `split`, with the run's own config and evaluation settings.
  public static func evaluateRun(path: String, split: DataSplit = .validation) throws -> (
    config: Config, result: EvaluationResult
  ) {
    let url = URL(fileURLWithPath: path)
    // A run folder, or a checkpoint folder two levels below one.
    var runURL = url
    if !FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) {
      runURL = url.deletingLastPathComponent().deletingLastPathComponent()
    }
    let folder = RunFolder(url: runURL)
    guard FileManager.default.fileExists(atPath: folder.configURL.path) else {
      throw CheckpointError.notFound(path: path)
    }
    let config = try folder.readConfig()
    let task = try config.makeTask()
    let model = GPT(config.gptConfig(vocabularySize: task.vocabularySize))
    let weights = try TrainingCheckpoint.modelFile(for: path)
    try model.load(stateDict: TrainingCheckpoint.readModel(weights).tensors, path: weights.path)
    let result = model.evaluate(
      on: task, split: split, batches: config.training.evalBatches,
      batchSize: config.training.batchSize,
      random: SeededRandom(
        seed: UInt64(config.seed), stream: split == .validation ? "validation" : "train-evaluation")
    )
    return (config, result)
  }

  /// The model described by `config` (a config file, with `overrides`) with weights from
  /// `weights` (a safetensors file in nanoGPT's layout), scored on the sequences in
  /// `tokensFile`: each sequence's tokens 1… are predicted from the ones before.
  public static func evaluateTokens(
    configURL: URL, overrides: [String], weights: URL, tokensFile: URL
  ) throws -> TokenEvaluation {
    let config = try Config.load(from: configURL, overrides: overrides)
    let data: Data
    do { data = try Data(contentsOf: tokensFile) } catch {
      throw TokenFileError.unreadable(path: tokensFile.path, detail: error.localizedDescription)
    }
    guard let sequences = try? JSONDecoder().decode([[Int]].self, from: data) else {
      throw TokenFileError.malformed(
        path: tokensFile.path, detail: "not a JSON array of integer arrays")
    }
    let vocabulary =
      config.model.vocabSize > 0 ? config.model.vocabSize : try config.makeTask().vocabularySize
    let model = GPT(config.gptConfig(vocabularySize: vocabulary))
    try model.load(stateDict: TrainingCheckpoint.readModel(weights).tensors, path: weights.path)
    var perSequence: [Double] = []
    var allLogits: [[Float]] = []
    var total = 0.0
    var count = 0
    for (i, s) in sequences.enumerated() {
      guard s.count >= 2 else {
        throw TokenFileError.malformed(
          path: tokensFile.path,
          detail: "sequence \(i) has \(s.count) tokens; at least 2 are needed")
      }
      guard s.count - 1 <= config.model.context else {
        throw TokenFileError.malformed(
          path: tokensFile.path,
          detail:
            "sequence \(i) has \(s.count) tokens; at most model.context + 1 = \(config.model.context + 1) fit"
        )
      }
      if let bad = s.first(where: { $0 < 0 || $0 >= vocabulary }) {
        throw TokenFileError.malformed(
          path: tokensFile.path,
          detail: "sequence \(i) has token \(bad) outside the vocabulary 0..<\(vocabulary)")
      }
      let inputs = s.dropLast().map { Int32($0) }
      let targets = s.dropFirst().map { Int32($0) }
      let (loss, logits) = Tensor.withoutGradients {
        let ctx = model.makeContext(length: inputs.count, training: false)
        let logits = model.logits(tokens: inputs, batch: 1, length: inputs.count, context: ctx)
        return (Double(logits.crossEntropy(targets: targets).item), logits.scalars)
      }
      perSequence.append(loss)
      allLogits.append(logits)
      total += loss * Double(targets.count)
      count += targets.count
    }
    return TokenEvaluation(
      meanLoss: count > 0 ? total / Double(count) : .nan, perSequence: perSequence,
      logits: allLogits)
  }

  /// The learning rate at every step `0..<training.steps`.
  public static func learningRates(_ config: Config) -> [Double] {
    let schedule = config.learningRateSchedule
    return (0..<config.training.steps).map { schedule.learningRate(at: $0) }
  }
}
