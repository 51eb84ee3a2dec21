/// Inverted dropout with a seeded generator.
extension Tensor {
  /// Zeroes each element with probability `p` and scales the others by `1/(1−p)`; identity when
  /// `p == 0`. The mask is drawn from `rng` in row-major order, one uniform per element.
  public func dropout(_ p: Float, using rng: inout SeededRandom) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout: probability \(p) must be in [0, 1)")
    if p == 0 { return self }
    let keep = 1 / (1 - p)
    let mask = Tensor(uninitializedShape: shape)
    for i in 0..<count { mask.pointer[i] = rng.nextFloat() < p ? 0 : keep }
    return self * mask
  }
}
