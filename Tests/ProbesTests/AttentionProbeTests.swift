import Autodiff
import Foundation
import TestSupport
import Testing
import Transformer

@testable import Probes

@Suite struct AttentionProbeTests {
  @Test func entropyOfKnownDistributions() {
    let n = 8
    // Uniform rows over all n entries: log₂ n bits each.
    let uniform = [Float](repeating: 1 / Float(n), count: n * n)
    #expect(
      abs(
        uniform.withUnsafeBufferPointer {
          AttentionProbe.entropyBits($0.baseAddress!, count: n, causal: false)
        } - 3) < 1e-6)
    // Causal uniform rows: row i is uniform over i + 1 entries, log₂(i + 1) bits.
    var causal = [Float](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0...i { causal[i * n + j] = 1 / Float(i + 1) } }
    let expected = (1...n).reduce(0.0) { $0 + log2(Double($1)) } / Double(n)
    #expect(
      abs(
        causal.withUnsafeBufferPointer {
          AttentionProbe.entropyBits($0.baseAddress!, count: n, causal: true)
        } - expected) < 1e-6)
    // One-hot rows carry no uncertainty.
    var oneHot = [Float](repeating: 0, count: n * n)
    for i in 0..<n { oneHot[i * n + i / 2] = 1 }
    #expect(
      oneHot.withUnsafeBufferPointer {
        AttentionProbe.entropyBits($0.baseAddress!, count: n, causal: true)
      } == 0)
  }

  @Test func maxLogitIgnoresMaskedEntries() {
    let n = 5
    var z = (0..<(n * n)).map { Float($0 % 7) * 0.1 }
    z[1 * n + 3] = 100  // above the diagonal: masked when causal
    let causal = z.withUnsafeBufferPointer {
      AttentionProbe.maxLogit($0.baseAddress!, count: n, causal: true)
    }
    var brute = -Float.infinity
    for i in 0..<n { for j in 0...i { brute = max(brute, z[i * n + j]) } }
    #expect(causal == Double(brute))
    #expect(
      z.withUnsafeBufferPointer {
        AttentionProbe.maxLogit($0.baseAddress!, count: n, causal: false)
      } == 100)
  }

  @Test func measureAveragesSelectedSequencesPerHead() {
    // Reference: the per-matrix functions applied to each slice, averaged by hand.
    let (b, nh, t) = (3, 2, 9)
    var attention: [Int: Tensor] = [:]
    var logits: [Int: Tensor] = [:]
    for l in 0..<3 {
      var a: [Float] = []
      for k in 0..<(b * nh) { a += randomKernel(t, causal: true, seed: UInt64(100 * l + k)) }
      attention[l] = Tensor(a, shape: [b, nh, t, t])
      logits[l] = randomTensor([b, nh, t, t], seed: UInt64(l))
    }
    let sequences = [2, 0]
    let summaries = AttentionProbe.measure(
      attention: attention, logits: logits, layers: [2, 0], heads: [1], sequences: sequences,
      causal: true)
    #expect(summaries.map(\.layer) == [2, 0] && summaries.allSatisfy { $0.head == 1 })
    for s in summaries {
      var (entropy, maxLogit, curvature) = (0.0, 0.0, [Double](repeating: 0, count: 4))
      for q in sequences {
        let offset = (q * nh + s.head) * t * t
        let a = Array(attention[s.layer]!.scalars[offset..<(offset + t * t)])
        let z = Array(logits[s.layer]!.scalars[offset..<(offset + t * t)])
        entropy +=
          a.withUnsafeBufferPointer {
            AttentionProbe.entropyBits($0.baseAddress!, count: t, causal: true)
          } / 2
        maxLogit +=
          z.withUnsafeBufferPointer {
            AttentionProbe.maxLogit($0.baseAddress!, count: t, causal: true)
          } / 2
        let c = AttentionCurvature(attention: a, count: t, causal: true)
        for (i, v) in [c.discreteMean, c.discreteMin, c.positionalMean, c.positionalMin]
          .enumerated()
        {
          curvature[i] += v / 2
        }
      }
      #expect(abs(s.entropyBits - entropy) < 1e-12 && abs(s.maxLogit - maxLogit) < 1e-12)
      let c = s.curvature
      let got = [c.discreteMean, c.discreteMin, c.positionalMean, c.positionalMin]
      for i in 0..<4 { #expect(abs(got[i] - curvature[i]) < 1e-12) }
      let rows = s.rows(step: 7)
      #expect(
        rows.map(\.metric) == [
          "attn_entropy_bits", "attn_max_logit", "curv_discrete_mean", "curv_discrete_min",
          "curv_positional_mean", "curv_positional_min",
        ])
      #expect(
        rows.allSatisfy {
          $0.step == 7 && $0.layer == s.layer && $0.head == 1 && $0.family == .attention
        })
      #expect(rows[0].value == s.entropyBits)
    }
  }

  @Test func measuresACapturedForwardPass() {
    let config = GPTConfig(vocabSize: 11, context: 16, width: 16, depth: 2, heads: 4)
    let model = GPT(config)
    var rng = SeededRandom(seed: 5)
    model.initialize(using: &rng)
    let capture = ForwardCapture(keepAttention: true)
    let tokens = (0..<32).map { Int32($0 % 11) }
    _ = Tensor.withoutGradients {
      model.logits(
        tokens: tokens, batch: 2, length: 16,
        context: model.makeContext(length: 16, training: false, capture: capture))
    }
    let summaries = AttentionProbe.measure(
      capture, config: ProbeConfig(sequences: [0, 1]), causal: true)
    #expect(summaries.count == 8)
    let rows = AttentionProbe.rows(
      step: 5, attention: capture.attention, logits: capture.attentionLogits, sequences: [0, 1],
      causal: true)
    #expect(rows == summaries.flatMap { $0.rows(step: 5) } && rows.count == 48)
    for s in summaries {
      // Causal rows: row i spreads over at most i + 1 tokens.
      let bound = (1...16).reduce(0.0) { $0 + log2(Double($1)) } / 16
      #expect(s.entropyBits > 0 && s.entropyBits <= bound + 1e-5)
      #expect(s.curvature.discreteMin >= -1e-6 && s.curvature.discreteMean <= 1 + 1e-6)
      #expect(s.curvature.discreteMin <= s.curvature.discreteMean)
      #expect(s.curvature.positionalMin <= s.curvature.positionalMean)
    }
  }
}

@Suite struct AttentionEntropyTests {
  @Test(arguments: [1, 15, 16, 17, 100, 128])
  func entropyMatchesDoublePrecisionDefinition(_ n: Int) {
    // Reference: −Σ A log₂ A per row in Double with Foundation's log2, averaged over rows.
    for causal in [false, true] {
      let a = randomKernel(n, causal: causal, spread: 3, seed: UInt64(n))
      var expected = 0.0
      for v in a where v > 0 { expected -= Double(v) * log2(Double(v)) }
      expected /= Double(n)
      let got = a.withUnsafeBufferPointer {
        AttentionProbe.entropyBits($0.baseAddress!, count: n, causal: causal)
      }
      #expect(
        abs(got - expected) < 2e-6 * max(1, expected),
        "n \(n) causal \(causal): \(got) vs \(expected)")
    }
  }
}
