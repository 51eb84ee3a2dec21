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

  /// The output and the input's gradient for output gradient `g`, from the fused op or the
  /// composed ones, with the usual scale `1/√d`.
  func valueAndGradient(
    _ x: Tensor, _ g: Tensor, fused: Bool, heads: Int, headDim: Int, mask: Tensor?
  ) -> (value: [Float], gradient: [Float]) {
    let scale = 1 / Float(headDim).squareRoot()
    let leaf = x.detached()
    leaf.requiresGrad = true
    let y =
      fused
      ? leaf.multiHeadAttention(heads: heads, headDim: headDim, scale: scale, mask: mask)
      : composed(leaf, heads: heads, headDim: headDim, scale: scale, mask: mask)
    y.backward(gradient: g)
    return (y.scalars, leaf.grad!.scalars)
  }

  @Test(arguments: [(2, 5, 2, 3, true), (3, 64, 4, 32, true), (2, 17, 3, 16, false)])
  func sameBitsAsTheComposedOps(
    b: Int, t: Int, heads: Int, headDim: Int, masked: Bool
  ) {
    let mask = masked ? causalMask(t) : nil
    let x = randomTensor([b, t, 3 * heads * headDim], seed: 51)
    let g = randomTensor([b, t, heads * headDim], seed: 52)
    let results = [true, false].map { fused in
      valueAndGradient(x, g, fused: fused, heads: heads, headDim: headDim, mask: mask)
    }
    expectEqualElements(results[1].value, results[0].value, "value")
    expectEqualElements(results[1].gradient, results[0].gradient, "gradient")
  }

  /// A mask with holes, rows that end at different columns (not in order), and one row with
  /// nothing left open: every case the tiled path's extents must handle.
  func irregularMask(_ t: Int) -> Tensor {
    var values = [Float](repeating: 0, count: t * t)
    var rng = SeededRandom(seed: 57)
    for i in 0..<t {
      let end = i == 5 ? 0 : Int(rng.next() % UInt64(t)) + 1
      for j in 0..<t where j >= end || (j % 7 == 3 && j != 0) {
        values[i * t + j] = -.infinity
      }
    }
    return Tensor(values, shape: [t, t])
  }

  /// Shapes that take the register-tiled path (whole 16-position groups, whole 16-lane heads),
  /// causal, unmasked and irregular: the same values and gradients as the composed ops, bit for
  /// bit (the skipped terms are exact zeros, and every sum runs in the same order).
  @Test(arguments: [
    (2, 64, 4, 32, "causal"), (1, 48, 2, 16, "none"), (2, 32, 2, 64, "irregular"),
    (1, 16, 1, 48, "causal"), (1, 80, 1, 16, "irregular"),
  ])
  func tiledPathMatchesTheComposedOps(
    b: Int, t: Int, heads: Int, headDim: Int, masking: String
  ) {
    #expect(AttentionExtents.applies(t: t, headDim: headDim))
    let mask = masking == "causal" ? causalMask(t) : masking == "irregular" ? irregularMask(t) : nil
    let x = randomTensor([b, t, 3 * heads * headDim], seed: 58)
    let g = randomTensor([b, t, heads * headDim], seed: 59)
    let results = [true, false].map { fused in
      valueAndGradient(x, g, fused: fused, heads: heads, headDim: headDim, mask: mask)
    }
    #expect(results[0].value.allSatisfy { $0.isFinite })
    #expect(results[0].gradient.allSatisfy { $0.isFinite })
    expectEqualElements(results[1].value, results[0].value, "value")
    expectEqualElements(results[1].gradient, results[0].gradient, "gradient")
  }

  @Test func tiledPathGradientMatchesFiniteDifferences() {
    let (t, d) = (16, 16)
    #expect(AttentionExtents.applies(t: t, headDim: d))
    for mask in [causalMask(t), irregularMask(t)] {
      let x = randomTensor([1, t, 3 * d], seed: 60)
      x.requiresGrad = true
      checkGradients([x], "tiled attention") {
        x.multiHeadAttention(heads: 1, headDim: d, scale: 0.25, mask: mask)
      }
    }
  }

  @Test func tiledPathMatchesABruteForceLoop() {
    // Two heads over 32 positions, causal, written out with scalar loops in Double.
    let (t, d, heads) = (32, 16, 2)
    let w = heads * d
    let x = randomTensor([1, t, 3 * w], seed: 61)
    let v = x.scalars.map(Double.init)
    let y = x.multiHeadAttention(heads: heads, headDim: d, scale: 0.25, mask: causalMask(t))
      .scalars
    var worst = 0.0
    for h in 0..<heads {
      for i in 0..<t {
        let scores = (0...i).map { j in
          0.25
            * (0..<d).reduce(0.0) { $0 + v[i * 3 * w + h * d + $1] * v[j * 3 * w + w + h * d + $1] }
        }
        let top = scores.max()!
        let e = scores.map { Foundation.exp($0 - top) }
        let total = e.reduce(0, +)
        for c in 0..<d {
          let expected = (0...i).reduce(0.0) {
            $0 + e[$1] / total * v[$1 * 3 * w + 2 * w + h * d + c]
          }
          worst = max(worst, abs(Double(y[i * w + h * d + c]) - expected))
        }
      }
    }
    #expect(worst < 1e-5, "largest difference \(worst)")
  }

  @Test func extentsOfACausalMask() {
    let e = AttentionExtents(t: 32, mask: causalMask(32).pointer)
    #expect(e.depth == (0..<8).map { 4 * $0 + 4 })
    #expect(e.columns == [16, 16, 16, 16, 32, 32, 32, 32])
    #expect(e.firstRow == (0..<8).map { 4 * $0 })
    let open = AttentionExtents(t: 32, mask: nil)
    #expect(open.depth == [Int](repeating: 32, count: 8))
    #expect(open.firstRow == [Int](repeating: 0, count: 8))
    #expect(!AttentionExtents.applies(t: 17, headDim: 16))
    #expect(!AttentionExtents.applies(t: 64, headDim: 24))
  }

  @Test(arguments: [(16, 16, 16), (64, 32, 384), (32, 48, 50)])
  func transposeTurnsOneHead(t: Int, d: Int, ld: Int) {
    let x = (0..<(t * ld)).map { Float($0) }
    var out = [Float](repeating: .nan, count: d * t)
    x.withUnsafeBufferPointer { x in
      out.withUnsafeMutableBufferPointer { out in
        AttentionTiles.transpose(x.baseAddress!, ld: ld, t: t, d: d, into: out.baseAddress!)
      }
    }
    for c in 0..<d {
      for j in 0..<t { #expect(out[c * t + j] == x[j * ld + c], "column \(c), row \(j)") }
    }
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
