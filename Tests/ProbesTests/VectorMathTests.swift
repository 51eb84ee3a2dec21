import Foundation
import Testing

@testable import Probes

@Suite struct VectorMathTests {
  @Test func negativeXLog2XMatchesFoundation() {
    // Reference: −x·log₂x in Double with Foundation's log2, over 10⁻³⁰…1, and edge cases.
    var worst = 0.0
    for k in 0..<20_000 {
      let x = Float(pow(10, -30 * Double(k) / 20_000)) * Float(1 + k % 7) / 7
      let got = Double(VectorMath.negativeXLog2X(SIMD16(repeating: x))[0])
      let expected = -Double(x) * log2(Double(x))
      // The error of log₂x, relative to max(1, |log₂x|): a few ulps of a Float result.
      let scale = Double(x) * max(1, abs(log2(Double(x))))
      worst = max(worst, abs(got - expected) / scale)
    }
    #expect(worst < 1e-6, "worst relative error of log₂x \(worst)")
    let edges = VectorMath.negativeXLog2X(
      SIMD16(
        [0, -0.5, 1, 0.5, 0.25, Float.leastNonzeroMagnitude * 1000] + Array(repeating: 1, count: 10)
      ))
    #expect(edges[0] == 0 && edges[1] == 0 && edges[2] == 0 && edges[3] == 0.5 && edges[4] == 0.5)
    #expect(abs(edges[5]) < 1e-37)
  }

  @Test func magnitudeAndTotal() {
    let x = SIMD16<Float>((0..<16).map { Float($0) * ($0 % 2 == 0 ? -1 : 1) })
    #expect(VectorMath.magnitude(x) == SIMD16((0..<16).map(Float.init)))
    #expect(VectorMath.total(x) == x.sum())
  }
}
