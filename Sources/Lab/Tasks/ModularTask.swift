import Autodiff

/// Modular arithmetic `a ∘ b mod p`, the grokking task (Power et al., 2022).
///
/// Tokens `0..<p` are the residues, `p` is the operation sign and `p + 1` is `=`. An example is
/// the sequence `a ∘ b = c`: inputs `[a, ∘, b, =]`, targets `[∘, b, =, c]`, with weight 1 only on
/// the answer `c` (the last position). All `p²` pairs (`p·(p − 1)` for division, which excludes
/// `b = 0`) are shuffled by the seed; the first `⌊trainFraction · count⌋` train, the rest
/// validate.
public struct ModularTask: SequenceTask {
  public let modulus: Int
  public let operation: ModularOperation
  /// Training pairs `(a, b)`, in shuffled order.
  public let trainPairs: [(a: Int, b: Int)]
  /// Validation pairs `(a, b)`, in shuffled order.
  public let validationPairs: [(a: Int, b: Int)]

  public var vocabularySize: Int { modulus + 2 }
  public var sequenceLength: Int { 4 }

  /// The task for `modulus` (≥ 2; prime for division) and `operation`, split by `seed`.
  public init(modulus: Int, operation: ModularOperation, trainFraction: Double, seed: UInt64) {
    precondition(modulus >= 2, "ModularTask: modulus \(modulus) must be ≥ 2")
    self.modulus = modulus
    self.operation = operation
    var pairs: [(a: Int, b: Int)] = []
    let firstB = operation == .divide ? 1 : 0
    for a in 0..<modulus {
      for b in firstB..<modulus { pairs.append((a, b)) }
    }
    var random = SeededRandom(seed: seed, stream: "task.modular")
    // Fisher–Yates, from the end, with the seeded generator (never the system one).
    for i in stride(from: pairs.count - 1, to: 0, by: -1) {
      pairs.swapAt(i, random.nextInt(below: i + 1))
    }
    let trainCount = Int((trainFraction * Double(pairs.count)).rounded(.down))
    trainPairs = Array(pairs[..<trainCount])
    validationPairs = Array(pairs[trainCount...])
  }

  /// `a ∘ b mod p`; division multiplies by the inverse `b^(p−2)` (Fermat), so `p` must be prime.
  public func answer(_ a: Int, _ b: Int) -> Int {
    let p = modulus
    switch operation {
    case .add: return (a + b) % p
    case .subtract: return ((a - b) % p + p) % p
    case .multiply: return (a * b) % p
    case .divide: return (a * power(b, p - 2)) % p
    }
  }

  private func power(_ base: Int, _ exponent: Int) -> Int {
    var result = 1
    var base = base % modulus
    var exponent = exponent
    while exponent > 0 {
      if exponent & 1 == 1 { result = result * base % modulus }
      base = base * base % modulus
      exponent >>= 1
    }
    return result
  }

  /// The four-position tokens and weights of one pair.
  private func example(_ pair: (a: Int, b: Int)) -> (tokens: [Int32], weights: [Float]) {
    let sign = Int32(modulus)
    let equals = Int32(modulus + 1)
    let tokens = [Int32(pair.a), sign, Int32(pair.b), equals, Int32(answer(pair.a, pair.b))]
    return (tokens, [0, 0, 0, 1])
  }

  private func pairs(_ split: DataSplit) -> [(a: Int, b: Int)] {
    split == .train ? trainPairs : validationPairs
  }

  /// `size` pairs of `split` drawn uniformly with replacement.
  public func batch(_ split: DataSplit, size: Int, using random: inout SeededRandom) -> Batch {
    let source = pairs(split)
    return generatedBatch(size: size, length: sequenceLength, random: &random) { random in
      example(source[random.nextInt(below: source.count)])
    }
  }

  /// Every pair of `split`, in the split's shuffled order.
  public func allExamples(_ split: DataSplit) -> Batch? {
    let source = pairs(split)
    var index = 0
    var unused = SeededRandom(seed: 0)
    return generatedBatch(size: source.count, length: sequenceLength, random: &unused) { _ in
      defer { index += 1 }
      return example(source[index])
    }
  }

  public func decode(_ tokens: [Int32]) -> String {
    tokens.map { token in
      switch Int(token) {
      case modulus: operation.rawValue
      case modulus + 1: "="
      default: String(token)
      }
    }.joined(separator: " ")
  }
}
