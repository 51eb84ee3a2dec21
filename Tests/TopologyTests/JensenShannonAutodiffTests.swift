import Autodiff
import Foundation
import TestSupport
import Testing

@testable import Topology

@Suite struct JensenShannonAutodiffTests {
  /// Reference: the exact (non-differentiable) `DistanceMatrix.jensenShannon`, itself checked
  /// against SciPy; with ε = 0 the values agree, with ε they are `√(d² + ε) − √ε`.
  @Test func valuesMatchTheExactMatrix() throws {
    let rows = randomAttention(7, 5, seed: 11)
    let exact = try DistanceMatrix.jensenShannon(rows: rows, rowCount: 7, columnCount: 5)
    let tensor = Tensor(rows, shape: [7, 5])
    assertClose(JensenShannon.distances(tensor, smoothing: 0).scalars, exact.entries, atol: 1e-6)
    let eps = 1e-4
    let smoothed = exact.entries.map {
      Float((Double($0) * Double($0) + eps).squareRoot() - eps.squareRoot())
    }
    assertClose(JensenShannon.distances(tensor, smoothing: eps).scalars, smoothed, atol: 2e-6)
  }

  /// Reference: finite differences (Richardson) through a softmax, at a generic point.
  @Test func gradientThroughSoftmax() {
    var rng = SeededRandom(seed: 5)
    let logits = Tensor.randomNormal([6, 6], using: &rng, requiresGrad: true)
    checkGradients([logits], rtol: 5e-3, atol: 5e-4) {
      JensenShannon.distances(logits.softmax(), smoothing: 1e-4)
    }
  }

  /// Zero entries (causal mask): the value stays exact and the gradient with respect to the
  /// logits matches finite differences (masked logits get 0 both ways).
  @Test func gradientWithCausalZeros() {
    var rng = SeededRandom(seed: 6)
    let logits = Tensor.randomNormal([6, 6], using: &rng, requiresGrad: true)
    var mask = [Float](repeating: 0, count: 36)
    for i in 0..<6 { for j in (i + 1)..<6 { mask[i * 6 + j] = -.infinity } }
    let m = Tensor(mask, shape: [6, 6])
    let d = JensenShannon.distances(logits.softmax(mask: m), smoothing: 1e-4)
    #expect(d.scalars.allSatisfy { $0.isFinite })
    checkGradients([logits], rtol: 5e-3, atol: 5e-4) {
      JensenShannon.distances(logits.softmax(mask: m), smoothing: 1e-4)
    }
  }

  /// Reference: finite differences, for the pair form used by head distances.
  @Test func pairGradient() {
    var rng = SeededRandom(seed: 8)
    let logits = Tensor.randomNormal([5, 4], using: &rng, requiresGrad: true)
    checkGradients([logits], rtol: 5e-3, atol: 5e-4) {
      JensenShannon.pairDistances(
        logits.softmax(), pairs: [(0, 1), (2, 4), (3, 0)], smoothing: 1e-4)
    }
  }
}
