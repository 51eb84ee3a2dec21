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

/// The eigenvalues of a symmetric matrix by the cyclic Jacobi method (plane rotations until the
/// off-diagonal mass vanishes): an eigen-solver independent of power iteration.
private func jacobiEigenvalues(_ matrix: [[Double]]) -> [Double] {
  let n = matrix.count
  var flat = matrix.flatMap { $0 }
  return flat.withUnsafeMutableBufferPointer { a in
    for _ in 0..<50 {
      var off = 0.0
      for p in 0..<n { for q in 0..<n where p != q { off += a[p * n + q] * a[p * n + q] } }
      if off < 1e-22 { break }
      for p in 0..<(n - 1) {
        for q in (p + 1)..<n where a[p * n + q] != 0 {
          let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
          let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for k in 0..<n {  // columns p, q
            let (akp, akq) = (a[k * n + p], a[k * n + q])
            a[k * n + p] = c * akp - s * akq
            a[k * n + q] = s * akp + c * akq
          }
          for k in 0..<n {  // rows p, q
            let (apk, aqk) = (a[p * n + k], a[q * n + k])
            a[p * n + k] = c * apk - s * aqk
            a[q * n + k] = s * apk + c * aqk
          }
        }
      }
    }
    return (0..<n).map { a[$0 * n + $0] }
  }
}

@Suite struct SharpnessModelTests {
  @Test func matchesTheSpectrumOfTheFullHessianOfATinyModel() {
    // Reference: the full Hessian of a tiny GPT's loss, column by column from central
    // differences of the tape's gradients (step 3e-3 per coordinate), symmetrized, and
    // diagonalized by Jacobi rotations.
    var config = GPTConfig(vocabSize: 5, context: 4, width: 4, depth: 1, heads: 1)
    config.initStd = 0.3
    let model = GPT(config)
    var rng = SeededRandom(seed: 4)
    model.initialize(using: &rng)
    let parameters = model.parameters().map(\.tensor)
    let tokens: [Int32] = [1, 4, 2, 0, 3, 3, 1, 2]
    let targets: [Int32] = [4, 2, 0, 3, 3, 1, 2, 1]
    func lossAndGradient() {
      for p in parameters { p.grad = nil }
      model.logits(
        tokens: tokens, batch: 2, length: 4, context: model.makeContext(length: 4, training: false)
      ).crossEntropy(targets: targets).backward()
    }
    func flatGradient() -> [Double] {
      lossAndGradient()
      return parameters.flatMap { p in
        p.grad.map { $0.scalars.map(Double.init) } ?? Array(repeating: 0, count: p.count)
      }
    }
    let n = parameters.reduce(0) { $0 + $1.count }
    var hessian = [[Double]](repeating: [], count: n)
    var column = 0
    for p in parameters {
      for i in 0..<p.count {
        let original = p.pointer[i]
        p.pointer[i] = original + 3e-3
        let up = p.pointer[i]
        let gUp = flatGradient()
        p.pointer[i] = original - 3e-3
        let down = p.pointer[i]
        let gDown = flatGradient()
        p.pointer[i] = original
        hessian[column] = zip(gUp, gDown).map { ($0 - $1) / Double(up - down) }
        column += 1
      }
    }
    let symmetric = (0..<n).map { i in (0..<n).map { j in (hessian[i][j] + hessian[j][i]) / 2 } }
    // The spectrum has both signs (−7.5 … 15.5 for this seed), and a gap of about 0.54 at the top.
    let top = jacobiEigenvalues(symmetric).max()!
    let estimate = Sharpness.topEigenvalue(
      parameters: parameters, iterations: 200, tolerance: 1e-6, gradient: lossAndGradient)
    #expect(estimate.converged, "\(estimate)")
    #expect(
      abs(estimate.eigenvalue - top) <= 2e-3 * abs(top), "\(estimate) vs Jacobi \(top) (n = \(n))")
  }
}
