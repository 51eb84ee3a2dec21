import Foundation
import TestSupport
import Testing

@testable import Autodiff
@testable import Transformer

/// One parameter θ = [1, −2] with gradient g = [0.5, 0.25], updated by hand in Double.
private func oneParameter(role: ParameterRole = .matrix) -> NamedParameter {
  let t = Tensor([1, -2], shape: [2], requiresGrad: true)
  t.grad = Tensor([0.5, 0.25], shape: [2])
  return NamedParameter("w", t, role)
}

@Suite struct OptimizerTests {
  @Test func sgdPlainAndWithMomentum() {
    let p = oneParameter()
    let sgd = SGD(weightDecay: 0.1)
    sgd.step([p], lr: 0.1)
    // θ − lr·(g + wd·θ)
    assertClose(p.tensor.scalars, [1 - 0.1 * (0.5 + 0.1), -2 - 0.1 * (0.25 - 0.2)], rtol: 1e-6)

    let q = oneParameter()
    let momentum = SGD(momentum: 0.9, nesterov: false)
    momentum.step([q], lr: 0.1)  // b = g
    momentum.step([q], lr: 0.1)  // b = 0.9g + g = 1.9g
    assertClose(q.tensor.scalars, [1 - 0.1 * 0.5 * 2.9, -2 - 0.1 * 0.25 * 2.9], rtol: 1e-6)

    let r = oneParameter()
    let nesterov = SGD(momentum: 0.9, nesterov: true)
    nesterov.step([r], lr: 0.1)  // d = g + 0.9·g
    assertClose(r.tensor.scalars, [1 - 0.1 * 0.5 * 1.9, -2 - 0.1 * 0.25 * 1.9], rtol: 1e-6)
  }

  @Test func adamWTwoSteps() {
    let p = oneParameter()
    let opt = Adam(beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, decoupled: true)
    opt.step([p], lr: 0.01)
    opt.step([p], lr: 0.01)
    // Hand computation in Double.
    var theta = [1.0, -2.0]
    let g = [0.5, 0.25]
    var m = [0.0, 0.0]
    var v = [0.0, 0.0]
    for t in 1...2 {
      for i in 0..<2 {
        theta[i] *= 1 - 0.01 * 0.1
        m[i] = 0.9 * m[i] + 0.1 * g[i]
        v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i]
        let mh = m[i] / (1 - pow(0.9, Double(t)))
        let vh = v[i] / (1 - pow(0.99, Double(t)))
        theta[i] -= 0.01 * mh / (vh.squareRoot() + 1e-8)
      }
    }
    assertClose(p.tensor.scalars, theta.map(Float.init), rtol: 1e-6)
  }

  @Test func adamCouplesWeightDecayIntoTheGradient() {
    let p = oneParameter()
    let opt = Adam(beta1: 0.9, beta2: 0.999, weightDecay: 0.5, decoupled: false)
    opt.step([p], lr: 0.1)
    // First step: m̂ = g', v̂ = g'², so θ ← θ − lr·sign(g') with g' = g + wd·θ.
    let gPrime = [0.5 + 0.5, 0.25 - 1.0]
    assertClose(
      p.tensor.scalars,
      [Float(1 - 0.1 * gPrime[0] / abs(gPrime[0])), Float(-2 - 0.1 * gPrime[1] / abs(gPrime[1]))],
      rtol: 1e-5)
  }

  @Test func decayRuleSkipsEmbeddingsNormsAndBiasesByDefault() {
    let opt = Adam(weightDecay: 1, decoupled: true)
    let bias = oneParameter(role: .bias)
    bias.tensor.grad = Tensor.zeros([2])
    opt.step([bias], lr: 0.1)
    #expect(bias.tensor.scalars == [1, -2])
    #expect(DecayRule().decays(.matrix) && !DecayRule().decays(.embedding))
    #expect(DecayRule(embeddings: true).decays(.embedding))
    #expect(DecayRule(normsAndBiases: true).decays(.normWeight))
  }

  @Test func clippingMatchesPyTorchRule() {
    let p = oneParameter()
    let (norm, clipped) = clipGradients([p], maxNorm: 0.1)
    let expectedNorm = (0.25 + 0.0625).squareRoot()
    #expect(abs(norm - expectedNorm) < 1e-7 && clipped)
    let f = Float(0.1 / (expectedNorm + 1e-6))
    assertClose(p.tensor.grad!.scalars, [0.5 * f, 0.25 * f], rtol: 1e-6)
    let (_, again) = clipGradients([p], maxNorm: 1)
    #expect(!again)
  }

  @Test func clippingUsesAGivenNorm() {
    // A norm already known is taken as given: here 4, though the gradient's own is ≈ 0.56.
    let p = oneParameter()
    let (norm, clipped) = clipGradients([p], maxNorm: 1, norm: 4)
    #expect(norm == 4 && clipped)
    let f = Float(1 / (4 + 1e-6))
    #expect(p.tensor.grad!.scalars == [0.5 * f, 0.25 * f])
    let q = oneParameter()
    #expect(clipGradients([q], maxNorm: 1, norm: 0.5) == (0.5, false))
    #expect(q.tensor.grad!.scalars == [0.5, 0.25])
    #expect(globalGradientNorm(squaredSums: [9, 16]) == 5)
  }

  @Test func stateRoundTripContinuesIdentically() throws {
    let a = oneParameter()
    let b = oneParameter()
    let first = Adam(weightDecay: 0.1, decoupled: true)
    first.step([a], lr: 0.01)
    let second = Adam(weightDecay: 0.1, decoupled: true)
    b.tensor.assign(a.tensor.scalars)
    try second.loadState(
      Dictionary(uniqueKeysWithValues: first.stateTensors().map { ($0.name, $0.values) }),
      parameters: [b])
    first.step([a], lr: 0.01)
    second.step([b], lr: 0.01)
    expectEqualElements(b.tensor.scalars, a.tensor.scalars)
  }
}
