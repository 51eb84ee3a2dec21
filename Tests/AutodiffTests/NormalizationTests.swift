import TestSupport
import Testing

@testable import Autodiff

/// Layer norm composed from primitives: the reference for the fused op.
func composedLayerNorm(_ x: Tensor, _ w: Tensor, _ b: Tensor, eps: Float) -> Tensor {
  let centered = x - x.mean(axis: -1, keepDims: true)
  let variance = (centered * centered).mean(axis: -1, keepDims: true)
  return centered / (variance + eps).sqrt() * w + b
}

func composedRMSNorm(_ x: Tensor, _ w: Tensor, eps: Float) -> Tensor {
  x / ((x * x).mean(axis: -1, keepDims: true) + eps).sqrt() * w
}

@Suite struct NormalizationTests {
  @Test func layerNormMatchesComposed() {
    for (k, shape) in [[1, 4], [3, 5], [2, 3, 6]].enumerated() {
      let c = shape.last!
      let x = randomTensor(shape, seed: UInt64(90 + k))
      let w = randomTensor([c], seed: UInt64(95 + k))
      let b = randomTensor([c], seed: UInt64(99 + k))
      assertClose(
        x.layerNorm(weight: w, bias: b), composedLayerNorm(x, w, b, eps: 1e-5), rtol: 1e-5,
        atol: 1e-5)
      checkGradients([x, w, b], "layerNorm \(shape)") { x.layerNorm(weight: w, bias: b) }
      checkGradients([x], "layerNorm without affine \(shape)") { x.layerNorm() }
    }
  }

  @Test func layerNormOutputIsStandardized() {
    let x = randomTensor([4, 16], seed: 100)
    let y = x.layerNorm(eps: 0)
    for r in 0..<4 {
      let row = y.scalars[(r * 16)..<((r + 1) * 16)].map(Double.init)
      let mean = row.reduce(0, +) / 16
      let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 16
      #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-5)
    }
  }

  @Test func rmsNormMatchesComposed() {
    let x = randomTensor([3, 5], seed: 101)
    let w = randomTensor([5], seed: 102)
    assertClose(x.rmsNorm(weight: w), composedRMSNorm(x, w, eps: 1e-5), rtol: 1e-5, atol: 1e-6)
    checkGradients([x, w], "rmsNorm") { x.rmsNorm(weight: w) }
  }

  @Test func sphereProjection() {
    let x = randomTensor([4, 3], seed: 103)
    let y = x.normalizedToSphere()
    for r in 0..<4 {
      let norm = y.scalars[(r * 3)..<((r + 1) * 3)].map { Double($0 * $0) }.reduce(0, +)
        .squareRoot()
      #expect(abs(norm - 1) < 1e-6)
    }
    assertClose(y, x / (x * x).sum(axis: -1, keepDims: true).sqrt(), rtol: 1e-6, atol: 1e-7)
    checkGradients([x], "sphere") { x.normalizedToSphere() }
  }
}
