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

/// Expects `actual == expected`, element by element, and on a failure names the first index
/// that differs and how many do. `#expect(a == b)` on arrays describes a failure by a diff of
/// the two, quadratic in their length: for the 1.8·10⁵-element outputs of a broken kernel it ran
/// for more than 20 minutes instead of failing.
public func expectEqualElements<Element: Equatable>(
  _ actual: [Element], _ expected: [Element], _ message: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.count == expected.count else {
    Issue.record(
      "\(message) count \(actual.count) ≠ \(expected.count)", sourceLocation: sourceLocation)
    return
  }
  let differing = actual.indices.filter { actual[$0] != expected[$0] }
  if let first = differing.first {
    let text =
      "\(message) \(differing.count) of \(actual.count) elements differ; the first at index "
      + "\(first): \(actual[first]) ≠ \(expected[first])"
    Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
  }
}
