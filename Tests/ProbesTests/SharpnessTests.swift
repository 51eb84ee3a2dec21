import Autodiff
import Foundation
import Testing
import Transformer

@testable import Probes

/// `M = Q diag(λ) Qᵀ` with the Householder reflection `Q = I − 2wwᵀ/wᵀw` (orthogonal by
/// construction), so `M`'s eigenvalues are exactly `λ`.
private func symmetricMatrix(eigenvalues: [Double]) -> [[Double]] {
  let n = eigenvalues.count
  let w = (0..<n).map { [1, 2, -1, 0.5, 3, -2, 0.7, 1.1][$0 % 8] }
  let ww = w.reduce(0) { $0 + $1 * $1 }
  let q = (0..<n).map { i in (0..<n).map { j in (i == j ? 1 : 0) - 2 * w[i] * w[j] / ww } }
  return (0..<n).map { i in
    (0..<n).map { j in (0..<n).reduce(0.0) { $0 + q[i][$1] * eigenvalues[$1] * q[j][$1] } }
  }
}

/// Parameters split over two tensors, and a gradient closure for `L = ½ θᵀMθ` (`∇L = Mθ`).
private func quadratic(_ m: [[Double]]) -> ([Tensor], () -> Void) {
  let n = m.count
  let a = Tensor((0..<2).map { Float($0) * 0.5 + 0.25 }, shape: [2], requiresGrad: true)
  let b = Tensor((2..<n).map { Float($0 % 3) - 0.75 }, shape: [n - 2], requiresGrad: true)
  let parameters = [a, b]
  let gradient = {
    let theta = (a.scalars + b.scalars).map(Double.init)
    let g = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + m[i][$1] * theta[$1] } }
    a.grad = Tensor(g[0..<2].map(Float.init), shape: [2])
    b.grad = Tensor(g[2...].map(Float.init), shape: [n - 2])
  }
  return (parameters, gradient)
}

private func bits(_ parameters: [Tensor]) -> [[UInt32]] {
  parameters.map { $0.scalars.map(\.bitPattern) }
}

@Suite struct SharpnessTests {
  @Test(arguments: [[4, -1, 2.5, 0.5, 1, 0.1], [-5, 2, 1, 0.3, -0.2, 3.5, 0.01]])
  func quadraticTopEigenvalue(_ eigenvalues: [Double]) {
    // Reference: the largest eigenvalue, known by construction of M (in the second case a
    // negative one dominates in magnitude, which takes the shifted second run).
    let expected = eigenvalues.max()!
    let (parameters, gradient) = quadratic(symmetricMatrix(eigenvalues: eigenvalues))
    let before = bits(parameters)
    let estimate = Sharpness.topEigenvalue(
      parameters: parameters, iterations: 200, tolerance: 1e-7, relativeStep: 0.1, seed: 1,
      gradient: gradient)
    #expect(estimate.converged && estimate.iterations < 400)
    #expect(
      abs(estimate.eigenvalue - expected) < 1e-5 * abs(expected), "\(estimate) vs \(expected)")
    #expect(bits(parameters) == before)
  }

  @Test func stopsAtTheIterationLimit() {
    let (parameters, gradient) = quadratic(symmetricMatrix(eigenvalues: [1, 0.99, 0.5, 0.1]))
    let estimate = Sharpness.topEigenvalue(
      parameters: parameters, iterations: 3, tolerance: 1e-12, gradient: gradient)
    #expect(estimate.iterations == 3 && !estimate.converged && estimate.relativeChange.isFinite)
    #expect(
      estimate.rows(step: 4).map(\.metric) == [
        "sharpness_top_eigenvalue", "sharpness_iterations", "sharpness_relative_change",
        "sharpness_converged",
      ])
  }

  @Test func restoresParametersWhenTheClosureThrows() {
    struct Failure: Error {}
    let (parameters, gradient) = quadratic(symmetricMatrix(eigenvalues: [3, 1, 2]))
    let before = bits(parameters)
    var calls = 0
    #expect(throws: Failure.self) {
      try Sharpness.topEigenvalue(parameters: parameters, iterations: 10) {
        calls += 1
        if calls == 3 { throw Failure() }
        gradient()
      }
    }
    #expect(bits(parameters) == before)
  }

  @Test func restoresAModelBitForBit() {
    let model = GPT(GPTConfig(vocabSize: 7, context: 4, width: 8, depth: 2, heads: 2))
    var rng = SeededRandom(seed: 9)
    model.initialize(using: &rng)
    let parameters = model.parameters().map(\.tensor)
    let tokens: [Int32] = [1, 4, 2, 6, 0, 3, 5, 2]
    let targets: [Int32] = [4, 2, 6, 0, 3, 5, 2, 1]
    func lossAndGradient() {
      model.logits(
        tokens: tokens, batch: 2, length: 4, context: model.makeContext(length: 4, training: false)
      )
      .crossEntropy(targets: targets).backward()
    }
    lossAndGradient()
    let gradients = parameters.map(\.grad)
    let gradientBits = bits(parameters.map { $0.grad! })
    let before = bits(parameters)
    let estimate = Sharpness.topEigenvalue(
      parameters: parameters, config: SharpnessConfig(iterations: 30, tolerance: 1e-3),
      gradient: lossAndGradient)
    #expect(bits(parameters) == before)
    #expect(zip(parameters, gradients).allSatisfy { $0.grad === $1 })
    #expect(bits(parameters.map { $0.grad! }) == gradientBits)
    // At initialization eigenvalues of both signs compete; convergence within 30 steps is not
    // expected, but the estimate must be the positive top of the spectrum.
    #expect(estimate.eigenvalue.isFinite && estimate.eigenvalue > 0, "\(estimate)")
  }
}
