import Foundation
import Testing

@testable import Autodiff

/// The vectorized functions against the C library evaluated in Double, on a dense grid.
@Suite struct VectorMathTests {
  func grid(_ lo: Float, _ hi: Float, _ n: Int) -> [Float] {
    (0..<n).map { lo + (hi - lo) * Float($0) / Float(n - 1) }
  }

  func apply(_ xs: [Float], _ f: (SIMD16<Float>) -> SIMD16<Float>) -> [Float] {
    var out = [Float](repeating: 0, count: xs.count)
    xs.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { o in
        Kernels.map(x.baseAddress!, o.baseAddress!, xs.count, f)
      }
    }
    return out
  }

  @Test func expRelativeError() {
    let xs = grid(-87, 88, 200_003)
    let ys = apply(xs, VectorMath.exp)
    var worst = 0.0
    for (x, y) in zip(xs, ys) {
      let e = Foundation.exp(Double(x))
      worst = max(worst, abs(Double(y) - e) / e)
    }
    #expect(worst < 2e-7, "max relative error \(worst)")
    let special = apply([-.infinity, -200, 200, .infinity, .nan, 0], VectorMath.exp)
    #expect(
      special[0] == 0 && special[1] == 0 && special[2] == .infinity && special[3] == .infinity)
    #expect(special[4].isNaN && special[5] == 1)
  }

  @Test func tanhAndErfAbsoluteError() {
    let xs = grid(-12, 12, 200_001) + [1e-8, -1e-6, 0.01, 0.0625, -0.0625]
    var worstTanh = 0.0
    var worstErf = 0.0
    for (x, (t, e)) in zip(xs, zip(apply(xs, VectorMath.tanh), apply(xs, VectorMath.erf))) {
      worstTanh = max(worstTanh, abs(Double(t) - Foundation.tanh(Double(x))))
      worstErf = max(worstErf, abs(Double(e) - Foundation.erf(Double(x))))
    }
    #expect(worstTanh < 3e-7, "tanh max abs error \(worstTanh)")
    #expect(worstErf < 3e-7, "erf max abs error \(worstErf)")
  }

  @Test func scaledErfcRelativeError() {
    let zs = grid(0, 9, 200_001)
    var worst = 0.0
    for (z, y) in zip(zs, apply(zs, VectorMath.scaledErfc)) {
      let reference = Foundation.erfc(Double(z)) * Foundation.exp(Double(z) * Double(z))
      worst = max(worst, abs(Double(y) - reference) / reference)
    }
    #expect(worst < 3e-7, "max relative error \(worst)")
  }

  /// `x·Φ(x)` and its derivative `Φ(x) + x·φ(x)` against Double, relative to the magnitude of
  /// each term: Φ keeps its relative precision deep into the negative tail, where `1 + erf`
  /// computed by adding 1 would be all rounding. The bound grows with x² because the exponent
  /// −x²/2 is rounded before `exp` (an error of x²/2 ulp in the result).
  @Test func exactGeluAgainstDouble() {
    let xs = grid(-12, 12, 200_001) + [0, -1e-8, 1e-8]
    let values = apply(xs) { GELU.Exact.valueAndDerivative($0).value }
    let derivatives = apply(xs) { GELU.Exact.valueAndDerivative($0).derivative }
    var (worstValue, worstDerivative) = (0.0, 0.0)
    for (x, (y, d)) in zip(xs, zip(values, derivatives)) {
      let v = Double(x)
      let phi = 0.5 * Foundation.erfc(-v / 2.0.squareRoot())
      let density = Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
      let bound = 3e-7 + 1.2e-7 * v * v / 2
      worstValue = max(worstValue, abs(Double(y) - v * phi) / (abs(v * phi) * bound + 1e-40))
      worstDerivative = max(
        worstDerivative,
        abs(Double(d) - (phi + v * density)) / ((phi + abs(v) * density) * bound + 1e-40))
    }
    #expect(worstValue <= 1, "value error \(worstValue) of the bound")
    #expect(worstDerivative <= 1, "derivative error \(worstDerivative) of the bound")
  }

  @Test func mapHandlesTails() {
    for n in [1, 15, 16, 17, 33] {
      let xs = (0..<n).map { Float($0) }
      #expect(apply(xs) { $0 * 2 } == xs.map { $0 * 2 })
    }
  }
}

/// The Double-accumulated dot product against a plain loop in Double, over lengths with and
/// without a tail.
@Suite struct DotProductTests {
  @Test(arguments: [0, 1, 15, 16, 17, 100, 1000, 4099])
  func matchesAPlainLoop(n: Int) {
    var rng = SeededRandom(seed: UInt64(300 + n))
    let x = (0..<n).map { _ in Float(rng.nextNormal()) }
    let y = (0..<n).map { _ in Float(rng.nextNormal()) }
    var expected = 0.0
    var magnitude = 0.0
    for i in 0..<n {
      expected += Double(x[i]) * Double(y[i])
      magnitude += abs(Double(x[i]) * Double(y[i]))
    }
    let dot = Kernels.dot(x, y, n)
    let squares = Kernels.sumOfSquares(x, n)
    #expect(abs(dot - expected) <= 1e-14 * max(1, magnitude), "n \(n): \(dot) vs \(expected)")
    let expectedSquares = x.reduce(0.0) { $0 + Double($1) * Double($1) }
    #expect(abs(squares - expectedSquares) <= 1e-14 * max(1, expectedSquares))
    if n == 17 {
      // Exact: small integers, whose products and sums Double holds exactly.
      let a = (0..<n).map { Float($0 % 5) - 2 }
      #expect(Kernels.dot(a, a, n) == Double(a.reduce(0) { $0 + $1 * $1 }))
    }
  }
}
