import Autodiff
import Testing

/// Checks `|actual − expected| ≤ atol + rtol·|expected|` elementwise, reporting the first
/// offending index at the caller's location.
public func assertClose(
  _ actual: [Float], _ expected: [Float], rtol: Double = 1e-5, atol: Double = 1e-6,
  _ message: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    actual.count == expected.count, "\(message) count \(actual.count) ≠ \(expected.count)",
    sourceLocation: sourceLocation)
  guard actual.count == expected.count else { return }
  var worst = -1
  var worstExcess = 0.0
  for i in actual.indices {
    let (a, e) = (Double(actual[i]), Double(expected[i]))
    if a.isNaN != e.isNaN || (a.isInfinite || e.isInfinite) && a != e {
      worst = i
      break
    }
    if a.isNaN || a.isInfinite { continue }
    let excess = abs(a - e) - (atol + rtol * abs(e))
    if excess > worstExcess {
      worstExcess = excess
      worst = i
    }
  }
  #expect(
    worst < 0,
    "\(message) index \(worst): \(worst >= 0 ? actual[worst] : 0) vs expected \(worst >= 0 ? expected[worst] : 0) (rtol \(rtol), atol \(atol))",
    sourceLocation: sourceLocation)
}

/// `assertClose` on tensors, also checking their shapes.
public func assertClose(
  _ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6,
  _ message: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.shape == expected.shape, "\(message) shape", sourceLocation: sourceLocation)
  assertClose(
    actual.scalars, expected.scalars, rtol: rtol, atol: atol, message,
    sourceLocation: sourceLocation)
}

/// A seeded random tensor for tests: normal values, or uniform in `range` when given.
public func randomTensor(
  _ shape: [Int], seed: UInt64, range: ClosedRange<Float>? = nil, requiresGrad: Bool = true
) -> Tensor {
  var rng = SeededRandom(seed: seed, stream: "test")
  if let range {
    return Tensor.randomUniform(
      shape, low: range.lowerBound, high: range.upperBound, using: &rng, requiresGrad: requiresGrad)
  }
  return Tensor.randomNormal(shape, using: &rng, requiresGrad: requiresGrad)
}
