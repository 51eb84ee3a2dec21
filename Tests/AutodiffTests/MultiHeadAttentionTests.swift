import Foundation
import TestSupport
import Testing

@testable import Autodiff

/// The fused attention op against the composition of the ops it replaces (bit for bit, values
/// and gradients) and against finite differences.
@Suite struct MultiHeadAttentionTests {
  /// `softmax(α·QKᵀ + mask)·V` from the general ops, heads merged back to `(B, T, H·d)`.
  func composed(_ qkv: Tensor, heads: Int, headDim: Int, scale: Float, mask: Tensor?) -> Tensor {
    let (b, t, w) = (qkv.shape[0], qkv.shape[1], heads * headDim)
    let parts = qkv.split([w, w, w], axis: -1).map {
      $0.reshaped([b, t, heads, headDim]).permuted([0, 2, 1, 3])
    }
    let attention = parts[0].matmul(parts[1], transposeB: true, alpha: scale).softmax(mask: mask)
    return attention.matmul(parts[2]).permuted([0, 2, 1, 3]).reshaped([b, t, w])
  }

  @Test(arguments: [(2, 5, 2, 3, true), (3, 64, 4, 32, true), (2, 17, 3, 16, false)])
  func sameBitsAsTheComposedOps(
    b: Int, t: Int, heads: Int, headDim: Int, masked: Bool
  ) {
    let mask = masked ? causalMask(t) : nil
    let scale = 1 / Float(headDim).squareRoot()
    let x = randomTensor([b, t, 3 * heads * headDim], seed: 51)
    let g = randomTensor([b, t, heads * headDim], seed: 52)
    var results: [(value: [Float], gradient: [Float])] = []
    for fused in [true, false] {
      let leaf = x.detached()
      leaf.requiresGrad = true
      let y =
        fused
        ? leaf.multiHeadAttention(heads: heads, headDim: headDim, scale: scale, mask: mask)
        : composed(leaf, heads: heads, headDim: headDim, scale: scale, mask: mask)
      y.backward(gradient: g)
      results.append((y.scalars, leaf.grad!.scalars))
    }
    #expect(results[0].value == results[1].value)
    #expect(results[0].gradient == results[1].gradient)
  }

  @Test func gradientMatchesFiniteDifferences() {
    let x = randomTensor([2, 4, 3 * 2 * 3], seed: 53)
    x.requiresGrad = true
    let mask = causalMask(4)
    checkGradients([x], "fused attention") {
      x.multiHeadAttention(heads: 2, headDim: 3, scale: 0.7, mask: mask)
    }
  }

  @Test func matchesABruteForceLoop() {
    // One head, no mask, written out with scalar loops in Double.
    let (t, d) = (3, 2)
    let x = randomTensor([1, t, 3 * d], seed: 54)
    let v = x.scalars.map(Double.init)
    let y = x.multiHeadAttention(heads: 1, headDim: d, scale: 0.5, mask: nil).scalars
    for i in 0..<t {
      let scores = (0..<t).map { j in
        0.5 * (0..<d).reduce(0.0) { $0 + v[i * 3 * d + $1] * v[j * 3 * d + d + $1] }
      }
      let top = scores.max()!
      let e = scores.map { Foundation.exp($0 - top) }
      let total = e.reduce(0, +)
      for c in 0..<d {
        let expected = (0..<t).reduce(0.0) { $0 + e[$1] / total * v[$1 * 3 * d + 2 * d + c] }
        #expect(abs(Double(y[i * d + c]) - expected) < 1e-5)
      }
    }
  }
}
