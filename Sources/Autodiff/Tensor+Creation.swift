extension Tensor {
  /// A tensor of zeros.
  public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    full(shape, 0, requiresGrad: requiresGrad)
  }

  /// A tensor of ones.
  public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    full(shape, 1, requiresGrad: requiresGrad)
  }

  /// A tensor with every element equal to `value`.
  public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    t.pointer.update(repeating: value, count: t.count)
    t.requiresGrad = requiresGrad
    return t
  }

  /// `start, start + step, …` below `end`, as a 1-d tensor.
  public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
    precondition(step != 0, "Tensor.arange: step must be nonzero")
    let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
    let t = Tensor(uninitializedShape: [n])
    for i in 0..<n { t.pointer[i] = start + Float(i) * step }
    return t
  }

  /// Normal samples with the given mean and standard deviation, drawn in row-major order.
  public static func randomNormal(
    _ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout SeededRandom,
    requiresGrad: Bool = false
  ) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    for i in 0..<t.count { t.pointer[i] = mean + std * Float(rng.nextNormal()) }
    t.requiresGrad = requiresGrad
    return t
  }

  /// Uniform samples in [low, high), drawn in row-major order.
  public static func randomUniform(
    _ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout SeededRandom,
    requiresGrad: Bool = false
  ) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    for i in 0..<t.count { t.pointer[i] = low + (high - low) * rng.nextFloat() }
    t.requiresGrad = requiresGrad
    return t
  }
}
