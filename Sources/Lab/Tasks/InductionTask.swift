import Autodiff

/// Induction heads (Olsson et al., 2022): a random segment `A` is repeated, and the model should
/// continue the repeat by looking back at the first copy.
///
/// Tokens are `0..<symbols`. A sequence of `2·maxSegment + 1` tokens is `A A F`: `A` has length
/// `m ~ U[minSegment, maxSegment]` with uniform tokens, and the filler `F` is uniform tokens up
/// to the full length. Inputs are the first `2·maxSegment` tokens, targets the last.
///
/// The loss counts on the repeated copy except its first token: the targets `A₂ … Aₘ` of the
/// second copy (positions `m ..< 2m − 1`). Its first token `A₁` cannot be predicted, as nothing
/// marks where the first copy ended; every later one can, by finding the previous token in the
/// first copy and copying its successor (ambiguous only when that token occurs twice in `A`).
public struct InductionTask: SequenceTask {
  public let symbols: Int
  public let minSegment: Int
  public let maxSegment: Int

  public var vocabularySize: Int { symbols }
  public var sequenceLength: Int { 2 * maxSegment }

  /// The task; `2 ≤ minSegment ≤ maxSegment`, `symbols ≥ 1`.
  public init(symbols: Int, minSegment: Int, maxSegment: Int) {
    precondition(
      symbols >= 1 && minSegment >= 2 && minSegment <= maxSegment,
      "InductionTask: symbols \(symbols), segments \(minSegment)...\(maxSegment) are invalid")
    self.symbols = symbols
    self.minSegment = minSegment
    self.maxSegment = maxSegment
  }

  /// The split does not change the distribution; train and validation differ only by the
  /// generator the caller passes.
  public func batch(_ split: DataSplit, size: Int, using random: inout SeededRandom) -> Batch {
    let total = sequenceLength + 1
    return generatedBatch(size: size, length: sequenceLength, random: &random) { random in
      let m = minSegment + random.nextInt(below: maxSegment - minSegment + 1)
      let segment = (0..<m).map { _ in Int32(random.nextInt(below: symbols)) }
      let filler = (0..<(total - 2 * m)).map { _ in Int32(random.nextInt(below: symbols)) }
      var weights = [Float](repeating: 0, count: sequenceLength)
      for position in m..<(2 * m - 1) { weights[position] = 1 }
      return (segment + segment + filler, weights)
    }
  }

  public func decode(_ tokens: [Int32]) -> String {
    tokens.map(String.init).joined(separator: " ")
  }
}
