import Autodiff

/// Copy and reverse: reproduce a random sequence, as written or reversed, after a separator.
///
/// Tokens `0..<symbols` are the symbols and `symbols` is the separator. A sequence is
/// `x₁ … xₙ SEP y₁ … yₙ` with `y = x` (copy) or `y = reversed(x)` (reverse), `n = length`,
/// each `xᵢ` uniform; inputs are its first `2n` tokens, targets its last `2n`. The loss counts
/// on the output half only (targets `y₁ … yₙ`, positions `n ..< 2n`): the input half is random
/// and unpredictable.
public struct CopyTask: SequenceTask {
  /// Whether the output is the input reversed.
  public let reversed: Bool
  /// n, the symbols to reproduce.
  public let length: Int
  /// The alphabet size.
  public let symbols: Int

  public var vocabularySize: Int { symbols + 1 }
  public var sequenceLength: Int { 2 * length }
  /// The separator token.
  public var separator: Int32 { Int32(symbols) }

  /// The copy task, or the reverse task when `reversed`.
  public init(length: Int, symbols: Int, reversed: Bool) {
    precondition(
      length >= 1 && symbols >= 1,
      "CopyTask: length \(length) and symbols \(symbols) must be positive")
    self.length = length
    self.symbols = symbols
    self.reversed = reversed
  }

  /// The split does not change the distribution; train and validation differ only by the
  /// generator the caller passes.
  public func batch(_ split: DataSplit, size: Int, using random: inout SeededRandom) -> Batch {
    let weights = [Float](repeating: 0, count: length) + [Float](repeating: 1, count: length)
    return generatedBatch(size: size, length: sequenceLength, random: &random) { random in
      let x = (0..<length).map { _ in Int32(random.nextInt(below: symbols)) }
      return (x + [separator] + (reversed ? x.reversed() : x), weights)
    }
  }

  public func decode(_ tokens: [Int32]) -> String {
    tokens.map { $0 == separator ? "|" : String($0) }.joined(separator: " ")
  }
}
