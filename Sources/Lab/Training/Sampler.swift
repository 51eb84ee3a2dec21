import Autodiff
import Foundation
import Transformer

/// Why text could not be sampled.
public enum SampleError: LocalizedError {
  case notCharacterTask(kind: String)
  case unknownCharacters(String)
  case badSetting(String)

  public var errorDescription: String? {
    switch self {
    case .notCharacterTask(let kind):
      return "sampling text needs a char task; this run's task.kind is \(kind)"
    case .unknownCharacters(let chars):
      return "the prompt has characters outside the model's vocabulary: \(chars)"
    case .badSetting(let message): return message
    }
  }
}

/// Settings of autoregressive sampling.
public struct SampleSettings: Sendable {
  public var prompt = "\n"
  public var tokens = 500
  /// Logits are divided by this before the softmax; must be positive.
  public var temperature = 1.0
  /// Keep only the `topK` most likely tokens (0 = all).
  public var topK = 0
  public var seed: UInt64 = 0

  public init() {}
}

/// Generates text from a trained char-level run.
public enum Sampler {
  /// The prompt followed by `settings.tokens` sampled characters, from the run's latest
  /// checkpoint (or the given checkpoint). Each new token sees the last `model.context` tokens.
  public static func sample(run path: String, settings: SampleSettings) throws -> String {
    guard settings.temperature > 0 && settings.temperature.isFinite else {
      throw SampleError.badSetting("--temperature must be positive, not \(settings.temperature)")
    }
    guard settings.tokens >= 0, settings.topK >= 0 else {
      throw SampleError.badSetting("--tokens and --top-k must not be negative")
    }
    var runURL = URL(fileURLWithPath: path)
    if !FileManager.default.fileExists(atPath: runURL.appendingPathComponent("config.json").path) {
      runURL = runURL.deletingLastPathComponent().deletingLastPathComponent()
    }
    let config = try RunFolder(url: runURL).readConfig()
    guard config.task.kind == .char, let task = try config.makeTask() as? CharTask else {
      throw SampleError.notCharacterTask(kind: config.task.kind.rawValue)
    }
    guard var tokens = task.encode(settings.prompt), !tokens.isEmpty else {
      let unknown = settings.prompt.unicodeScalars.filter { !task.alphabet.contains($0) }
      if unknown.isEmpty { throw SampleError.badSetting("--prompt must not be empty") }
      throw SampleError.unknownCharacters(
        String(String.UnicodeScalarView(unknown)).debugDescription)
    }
    let model = GPT(config.gptConfig(vocabularySize: task.vocabularySize))
    let weights = try TrainingCheckpoint.modelFile(for: path)
    try model.load(stateDict: TrainingCheckpoint.readModel(weights).tensors, path: weights.path)
    var rng = SeededRandom(seed: settings.seed, stream: "sample")
    let v = task.vocabularySize
    let promptCount = tokens.count
    Tensor.withoutGradients {
      for _ in 0..<settings.tokens {
        let window = Array(tokens.suffix(config.model.context))
        let ctx = model.makeContext(length: window.count, training: false)
        let logits = model.logits(tokens: window, batch: 1, length: window.count, context: ctx)
          .scalars
        let last = Array(logits[((window.count - 1) * v)...]).map {
          Double($0) / settings.temperature
        }
        tokens.append(Int32(draw(from: last, topK: settings.topK, using: &rng)))
      }
    }
    return task.decode(Array(tokens[..<promptCount])) + task.decode(Array(tokens[promptCount...]))
  }

  /// An index drawn from `softmax(logits)` restricted to the `topK` largest (ties broken by
  /// index), by inverse transform with one uniform draw.
  static func draw(from logits: [Double], topK: Int, using rng: inout SeededRandom) -> Int {
    var allowed = Array(logits.indices)
    if topK > 0 && topK < logits.count {
      allowed = allowed.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
      allowed = Array(allowed.prefix(topK)).sorted()
    }
    let mx = allowed.map { logits[$0] }.max() ?? 0
    let weights = allowed.map { Foundation.exp(logits[$0] - mx) }
    var u = rng.nextDouble() * weights.reduce(0, +)
    for (i, w) in zip(allowed, weights) {
      u -= w
      if u < 0 { return i }
    }
    return allowed.last ?? 0
  }
}
