import Autodiff

/// Which half of a task's data.
public enum DataSplit: String, Sendable, CaseIterable {
  case train
  case validation
}

/// A batch of `size` sequences of `length` tokens, each array row-major `size × length`.
///
/// `targets[i]` is the token the model should predict after reading `inputs` up to and
/// including position `i`; `weights[i]` scales its loss (0 = no loss and not counted by
/// accuracy, 1 = counted).
public struct Batch: Equatable, Sendable {
  /// B, the number of sequences.
  public var size: Int
  /// T, tokens per sequence.
  public var length: Int
  public var inputs: [Int32]
  public var targets: [Int32]
  public var weights: [Float]

  /// A batch; the three arrays must each hold `size · length` entries.
  public init(size: Int, length: Int, inputs: [Int32], targets: [Int32], weights: [Float]) {
    precondition(
      inputs.count == size * length && targets.count == size * length
        && weights.count == size * length,
      "Batch: \(size)×\(length) needs \(size * length) entries, got inputs \(inputs.count), targets \(targets.count), weights \(weights.count)"
    )
    self.size = size
    self.length = length
    self.inputs = inputs
    self.targets = targets
    self.weights = weights
  }

  /// Row `index` of the inputs.
  public func inputRow(_ index: Int) -> ArraySlice<Int32> {
    inputs[(index * length)..<((index + 1) * length)]
  }

  /// Row `index` of the targets.
  public func targetRow(_ index: Int) -> ArraySlice<Int32> {
    targets[(index * length)..<((index + 1) * length)]
  }

  /// Row `index` of the weights.
  public func weightRow(_ index: Int) -> ArraySlice<Float> {
    weights[(index * length)..<((index + 1) * length)]
  }

  /// The batch cut into `parts` batches of consecutive whole sequences, in order, their sizes
  /// differing by at most one. `parts` must be in `1...size`.
  public func split(into parts: Int) -> [Batch] {
    precondition(
      parts >= 1 && parts <= size, "Batch.split: \(parts) parts for a batch of \(size) sequences")
    return (0..<parts).map { part in
      let rows = (part * size / parts)..<((part + 1) * size / parts)
      let range = (rows.lowerBound * length)..<(rows.upperBound * length)
      return Batch(
        size: rows.count, length: length, inputs: Array(inputs[range]),
        targets: Array(targets[range]), weights: Array(weights[range]))
    }
  }

  /// The sum of the weights: the number of positions whose loss counts.
  public var totalWeight: Double { weights.reduce(0.0) { $0 + Double($1) } }
}

/// Accuracy counts: predictions equal to their target among the positions with weight > 0.
public struct Accuracy: Equatable, Sendable {
  public var correct: Int
  public var counted: Int

  public init(correct: Int, counted: Int) {
    self.correct = correct
    self.counted = counted
  }

  /// `correct / counted`, NaN when nothing was counted.
  public var value: Double { counted == 0 ? .nan : Double(correct) / Double(counted) }

  /// Counts of two batches together.
  public static func + (a: Accuracy, b: Accuracy) -> Accuracy {
    Accuracy(correct: a.correct + b.correct, counted: a.counted + b.counted)
  }
}

/// A source of training and validation sequences over a fixed vocabulary.
///
/// Tasks are deterministic: everything fixed at construction (a split, a shuffle) comes from
/// the seed given then, and every batch from the generator passed in, so the same seed and the
/// same generator state give the same batch. Draw validation batches from a generator used only
/// for validation, restarted from the same state at each evaluation, so that every evaluation
/// sees the same sequences.
public protocol SequenceTask: Sendable {
  /// Tokens are `0..<vocabularySize`.
  var vocabularySize: Int { get }
  /// T, the tokens per sequence in every batch.
  var sequenceLength: Int { get }
  /// Human-readable text for tokens, for printing samples.
  func decode(_ tokens: [Int32]) -> String
  /// `size` sequences of `split`, drawn with `random`.
  func batch(_ split: DataSplit, size: Int, using random: inout SeededRandom) -> Batch
  /// Every example of `split` in a fixed order, for tasks with a finite set of examples
  /// (full-batch training, exact evaluation); nil for tasks that generate without end.
  func allExamples(_ split: DataSplit) -> Batch?
}

extension SequenceTask {
  public func allExamples(_ split: DataSplit) -> Batch? { nil }

  /// The task's accuracy: over positions with weight > 0, how many `predictions` (one token
  /// per position, e.g. the argmax of the logits) equal the target.
  public func accuracy(predictions: [Int32], on batch: Batch) -> Accuracy {
    precondition(
      predictions.count == batch.targets.count,
      "accuracy: \(predictions.count) predictions for a \(batch.size)×\(batch.length) batch")
    var result = Accuracy(correct: 0, counted: 0)
    for i in predictions.indices where batch.weights[i] > 0 {
      result.counted += 1
      if predictions[i] == batch.targets[i] { result.correct += 1 }
    }
    return result
  }
}

/// The index of the largest logit of each row of `logits` (rows of `vocabularySize`, row-major);
/// the first index wins a tie, and NaN never wins.
public func argmaxRows(_ logits: [Float], vocabularySize: Int) -> [Int32] {
  precondition(
    vocabularySize > 0 && logits.count % vocabularySize == 0,
    "argmaxRows: \(logits.count) logits are not rows of \(vocabularySize)")
  return stride(from: 0, to: logits.count, by: vocabularySize).map { start in
    var best = start
    for i in start..<(start + vocabularySize) where logits[i] > logits[best] || logits[best].isNaN {
      best = i
    }
    return Int32(best - start)
  }
}

/// A batch of `size` generated sequences: `make` returns `length + 1` tokens and `length`
/// weights; inputs are the first `length` tokens, targets the last `length`.
func generatedBatch(
  size: Int, length: Int, random: inout SeededRandom,
  make: (inout SeededRandom) -> (tokens: [Int32], weights: [Float])
) -> Batch {
  var inputs: [Int32] = []
  var targets: [Int32] = []
  var weights: [Float] = []
  inputs.reserveCapacity(size * length)
  targets.reserveCapacity(size * length)
  weights.reserveCapacity(size * length)
  for _ in 0..<size {
    let sequence = make(&random)
    precondition(sequence.tokens.count == length + 1 && sequence.weights.count == length)
    inputs += sequence.tokens[0..<length]
    targets += sequence.tokens[1...length]
    weights += sequence.weights
  }
  return Batch(size: size, length: length, inputs: inputs, targets: targets, weights: weights)
}
