import TestSupport
import Testing

@testable import Autodiff

/// End to end: a causal self-attention block (projections, masked softmax, GELU MLP, layer
/// norms, residuals, tied-free output head, cross-entropy) checked against finite differences
/// in every parameter and the input.
@Suite struct AttentionBlockTests {
  @Test func gradientsThroughAttentionBlock() {
    let (b, t, c, heads, vocab) = (2, 4, 8, 2, 5)
    let hd = c / heads
    let x = randomTensor([b, t, c], seed: 130)
    let lnW = randomTensor([c], seed: 131, range: 0.5...1.5)
    let lnB = randomTensor([c], seed: 132, range: -0.1...0.1)
    let wQKV = randomTensor([c, 3 * c], seed: 133) * 0.3
    let wO = randomTensor([c, c], seed: 134) * 0.3
    let w1 = randomTensor([c, 2 * c], seed: 135) * 0.3
    let b1 = randomTensor([2 * c], seed: 136, range: -0.1...0.1)
    let w2 = randomTensor([2 * c, c], seed: 137) * 0.3
    let head = randomTensor([c, vocab], seed: 138) * 0.3
    let params = [x, lnW, lnB, wQKV, wO, w1, b1, w2, head].map { p -> Tensor in
      let leaf = p.detached()
      leaf.requiresGrad = true
      return leaf
    }
    let targets: [Int32] = [1, 0, 4, 2, 3, 3, 0, 1]
    let weights: [Float] = [1, 1, 0, 1, 1, 1, 1, 0.5]
    let mask = causalMask(t)

    func loss() -> Tensor {
      let (x, lnW, lnB, wQKV, wO, w1, b1, w2, head) = (
        params[0], params[1], params[2], params[3], params[4], params[5], params[6], params[7],
        params[8]
      )
      let qkv = x.layerNorm(weight: lnW, bias: lnB).matmul(wQKV)  // (B, T, 3C)
      let parts = qkv.split([c, c, c], axis: -1)
      // (B, T, C) -> (B, nh, T, hd)
      let (q, k, v) = (
        parts[0].reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3]),
        parts[1].reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3]),
        parts[2].reshaped([b, t, heads, hd]).permuted([0, 2, 1, 3])
      )
      let scores = q.matmul(k, transposeB: true) * (1 / Float(hd).squareRoot())  // (B, nh, T, T)
      let attn = scores.softmax(mask: mask)
      let y = attn.matmul(v).permuted([0, 2, 1, 3]).reshaped([b, t, c])  // (B, T, C)
      let h = x + y.matmul(wO)
      let mlp = (h.layerNorm().matmul(w1) + b1).gelu().matmul(w2)
      let out = h + mlp
      return out.layerNorm().matmul(head).crossEntropy(targets: targets, weights: weights)
    }
    checkGradients(params, "attention block", loss)
  }
}
