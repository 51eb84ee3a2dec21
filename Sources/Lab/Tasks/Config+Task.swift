import Foundation

extension TaskConfig {
  /// The sequence length T of the task's batches, the smallest `model.context` that fits it.
  /// The char task reads windows of `model.context` and so fits any context.
  public var requiredContext: Int {
    switch kind {
    case .char: 1
    case .modular: 4
    case .dyck: length
    case .copy, .reverse: 2 * length
    case .induction: 2 * maxSegment
    }
  }

  /// How `requiredContext` follows from the fields, for error messages.
  var sequenceLengthRule: String {
    switch kind {
    case .char: "any"
    case .modular: "a ∘ b = c is 4 positions"
    case .dyck: "task.length"
    case .copy, .reverse: "2 · task.length"
    case .induction: "2 · task.max_segment"
    }
  }

  /// The vocabulary size when it follows from the fields alone (all but `char`).
  public var fixedVocabularySize: Int? {
    switch kind {
    case .char: nil
    case .modular: modulus + 2
    case .dyck: 2 * pairs + 1
    case .copy, .reverse: symbols + 1
    case .induction: symbols
    }
  }
}

extension Config {
  /// The task this config describes, its data fixed by `seed`. Relative `task.path` values are
  /// resolved against `baseDirectory` (default: the current folder). Call on a validated config.
  public func makeTask(baseDirectory: URL? = nil) throws -> any SequenceTask {
    let t = task
    switch t.kind {
    case .char:
      let base =
        baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
      let url =
        t.path.hasPrefix("/") ? URL(fileURLWithPath: t.path) : base.appendingPathComponent(t.path)
      return try CharTask(contentsOf: url, context: model.context, valFraction: t.valFraction)
    case .modular:
      return ModularTask(
        modulus: t.modulus, operation: t.operation, trainFraction: t.trainFraction,
        seed: UInt64(seed))
    case .dyck:
      return DyckTask(pairs: t.pairs, maxDepth: t.maxDepth, length: t.length)
    case .copy, .reverse:
      return CopyTask(length: t.length, symbols: t.symbols, reversed: t.kind == .reverse)
    case .induction:
      return InductionTask(symbols: t.symbols, minSegment: t.minSegment, maxSegment: t.maxSegment)
    }
  }
}
