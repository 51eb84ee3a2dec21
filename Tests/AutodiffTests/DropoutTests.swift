import TestSupport
import Testing

@testable import Autodiff

@Suite struct DropoutTests {
  @Test func seededMaskAndScaling() {
    let x = Tensor.ones([10_000], requiresGrad: true)
    var rng = SeededRandom(seed: 1)
    let y = x.dropout(0.25, using: &rng)
    let kept = y.scalars.filter { $0 != 0 }
    #expect(kept.allSatisfy { abs($0 - 4.0 / 3.0) < 1e-6 })
    // Kept fraction 0.75 ± 6σ (σ ≈ 0.0043).
    #expect(abs(Double(kept.count) / 10_000 - 0.75) < 0.026)
    var again = SeededRandom(seed: 1)
    #expect(x.dropout(0.25, using: &again).scalars == y.scalars)
    y.sum().backward()
    #expect(x.grad?.scalars == y.scalars)
    var r2 = SeededRandom(seed: 2)
    #expect(x.dropout(0, using: &r2) === x)
  }

  @Test func gradientWithFixedMask() {
    let x = randomTensor([3, 4], seed: 120)
    checkGradients([x]) {
      var rng = SeededRandom(seed: 5)  // the same mask on every evaluation
      return x.dropout(0.5, using: &rng)
    }
  }
}
