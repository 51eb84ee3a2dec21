import Autodiff

/// Dyck-k: random balanced sequences of `length` brackets over `pairs` bracket kinds, nested at
/// most `maxDepth` deep, learned by next-token prediction.
///
/// Tokens: openers `0..<k`, closers `k..<2k` (closer `k + i` matches opener `i`), and a
/// beginning-of-sequence token `2k`. A sequence is `BOS` followed by the brackets; inputs are
/// the first `length` tokens, targets the last `length`.
///
/// Where the loss counts: only where the target is a closing bracket. Whether the next bracket
/// opens or closes is a coin flip, and which opener comes is uniform, so no model can predict
/// those; but once a bracket closes, which kind it is is fixed by the innermost open bracket.
/// Accuracy is therefore "predicted the right closer at closing positions"; a model that tracks
/// the stack puts its mass on that closer, which wins the argmax whenever closing is at least
/// as likely as any single opener (always at `maxDepth`, and whenever the rest of the sequence
/// is needed to close what is open).
///
/// Generation: at each position, opening is allowed if the depth is below `maxDepth` and the
/// remaining positions can still close everything; closing is allowed if the depth is positive;
/// when both are allowed each has probability ½; an opener's kind is uniform.
public struct DyckTask: SequenceTask {
  public let pairs: Int
  public let maxDepth: Int
  /// Brackets per sequence (even).
  public let length: Int

  public var vocabularySize: Int { 2 * pairs + 1 }
  public var sequenceLength: Int { length }
  /// The beginning-of-sequence token.
  public var beginToken: Int32 { Int32(2 * pairs) }

  /// The task; `length` must be even and ≥ 2, `pairs` and `maxDepth` ≥ 1.
  public init(pairs: Int, maxDepth: Int, length: Int) {
    precondition(
      pairs >= 1 && maxDepth >= 1 && length >= 2 && length % 2 == 0,
      "DyckTask: pairs \(pairs), maxDepth \(maxDepth), length \(length) (even) must be positive")
    self.pairs = pairs
    self.maxDepth = maxDepth
    self.length = length
  }

  /// Whether `tokens` (brackets only, no BOS) are balanced and properly nested.
  public func isBalanced(_ tokens: some Sequence<Int32>) -> Bool {
    var stack: [Int32] = []
    for token in tokens {
      if token < Int32(pairs) {
        stack.append(token)
      } else if token < Int32(2 * pairs) {
        guard stack.popLast() == token - Int32(pairs) else { return false }
      } else {
        return false
      }
    }
    return stack.isEmpty
  }

  /// The split does not change the distribution; train and validation differ only by the
  /// generator the caller passes.
  public func batch(_ split: DataSplit, size: Int, using random: inout SeededRandom) -> Batch {
    generatedBatch(size: size, length: length, random: &random) { random in
      var tokens: [Int32] = [beginToken]
      var weights: [Float] = []
      var stack: [Int32] = []
      for position in 0..<length {
        let remaining = length - position
        let canOpen = stack.count < maxDepth && stack.count + 1 <= remaining - 1
        let canClose = !stack.isEmpty
        let open = canOpen && (!canClose || random.nextInt(below: 2) == 0)
        if open {
          let kind = Int32(random.nextInt(below: pairs))
          stack.append(kind)
          tokens.append(kind)
          weights.append(0)
        } else {
          tokens.append(stack.removeLast() + Int32(pairs))
          weights.append(1)
        }
      }
      return (tokens, weights)
    }
  }

  public func decode(_ tokens: [Int32]) -> String {
    let symbols: [Character] = ["(", "[", "{", "<"]
    let closers: [Character] = [")", "]", "}", ">"]
    return tokens.map { token -> String in
      let t = Int(token)
      if t == 2 * pairs { return "^" }
      let kind = t % pairs
      let closing = t >= pairs
      if pairs <= symbols.count { return String(closing ? closers[kind] : symbols[kind]) }
      return closing ? ")\(kind) " : "(\(kind) "
    }.joined()
  }
}
