import Autodiff
import Foundation
import TestSupport
import Testing
import Topology
import Transformer

@testable import Probes

private func tinyModel(seed: UInt64 = 1) -> GPT {
  var c = GPTConfig(vocabSize: 6, context: 7, width: 8, depth: 1, heads: 2)
  c.initStd = 0.5  // sharp enough attention for distinct distances
  let model = GPT(c)
  var rng = SeededRandom(seed: seed, stream: "tiny")
  for p in model.parameters() {
    p.tensor.assign((0..<p.tensor.count).map { _ in Float(rng.nextNormal()) * 0.5 })
  }
  return model
}

private let tokens: [Int32] = [0, 3, 1, 5, 2, 4, 3]

/// Layer 0's attention of the tiny model on `tokens`, `(1, 2, 7, 7)`, on the tape.
private func attention(_ model: GPT) -> Tensor {
  let capture = ForwardCapture(keepAttention: true)
  let ctx = model.makeContext(length: 7, training: false, capture: capture)
  _ = model.logits(tokens: tokens, batch: 1, length: 7, context: ctx)
  return capture.attention[0]!
}

@Suite struct AttentionTermsTests {
  /// Reference: finite differences of each term through a tiny GPT's attention to its
  /// weights (token embedding and the attention projection), at a generic point.
  @Test(arguments: ["h0", "h1", "diversity"])
  func gradientReachesTheWeights(term: String) {
    // the first seed whose head 1 has an H1 bar (so the H1 check is not vacuous)
    let model = (1...40).lazy.map { tinyModel(seed: $0) }.first { m in
      let rows = Tensor.withoutGradients { attention(m) }.scalars
      let d = try! DistanceMatrix.jensenShannon(
        rows: Array(rows[49..<98]), rowCount: 7, columnCount: 7)
      return !VietorisRips.persistence(of: d).h1.finitePairs.isEmpty
    }!
    let params = model.parameters().filter {
      $0.name == "transformer.wte.weight" || $0.name.hasSuffix("attn.c_attn.weight")
    }.map(\.tensor)
    func loss() -> Tensor {
      let block = AttentionTerms.headBlock(attention(model), sequence: 0, heads: [0, 1], tokens: 7)
      switch term {
      case "diversity": return AttentionTerms.headDiversity(heads: block, smoothing: 1e-4)
      default:
        let rows = block.slice(axis: 0, 1..<2).reshaped([7, 7])
        return AttentionTerms.totalPersistence(
          rows: rows, dimension: term == "h0" ? 0 : 1, smoothing: 1e-4
        ).value
      }
    }
    if term == "h1" {
      let rows = Tensor.withoutGradients { attention(model) }.scalars
      let d = try! DistanceMatrix.jensenShannon(
        rows: Array(rows[49..<98]), rowCount: 7, columnCount: 7)
      #expect(!VietorisRips.persistence(of: d).h1.finitePairs.isEmpty, "the H1 check needs a loop")
    }
    checkGradients(params, rtol: 2e-2, atol: 2e-3, step: 0x1p-11) { loss() }
  }

  /// Reference: brute force `−mean_{a<b} Σ_t JSD(H_a(t), H_b(t))` with the exact
  /// `DistanceMatrix.jensenShannon` on pairs of rows.
  @Test func headDiversityMatchesBruteForce() throws {
    let a = Tensor.withoutGradients { attention(tinyModel()) }
    let block = AttentionTerms.headBlock(a, sequence: 0, heads: [0, 1], tokens: 7)
    let rows = block.scalars
    var sum = 0.0
    for t in 0..<7 {
      let pair = Array(rows[(t * 7)..<(t * 7 + 7)]) + Array(rows[(49 + t * 7)..<(49 + t * 7 + 7)])
      sum += Double(try DistanceMatrix.jensenShannon(rows: pair, rowCount: 2, columnCount: 7)[0, 1])
    }
    let value = AttentionTerms.headDiversity(heads: block, smoothing: 0).item
    #expect(abs(Double(value) + sum) < 1e-5)
    let matrix = AttentionTerms.headDistanceMatrix(heads: block)
    #expect(abs(Double(matrix[0, 1]) - sum) < 1e-5)
  }

  /// With every weight 0 nothing is captured and there is no loss at all; the value of an
  /// active term times its weight is what joins the loss, with the sign of the weight, and
  /// the spliced gradient equals that of the term built directly on the tape.
  @Test func regularizerWeightsAndSigns() {
    let off = AttentionRegularizer(settings: RegularizerSettings(), depth: 1, heads: 2)
    #expect(off.captureLayers(atStep: 0).isEmpty)
    #expect(off.output(attention: [:], step: 0) == nil)
    #expect(off.columns.isEmpty)

    var s = RegularizerSettings()
    s.h0TotalPersistence = RegularizerTermSettings(weight: -0.5, heads: [1], every: 2)
    s.smoothing = 1e-4
    let reg = AttentionRegularizer(settings: s, depth: 1, heads: 2)
    #expect(reg.captureLayers(atStep: 1).isEmpty)
    #expect(reg.captureLayers(atStep: 2) == [0])
    let model = tinyModel()
    let out = reg.output(attention: [0: attention(model)], step: 2)!
    let direct = AttentionTerms.totalPersistence(
      rows: AttentionTerms.headBlock(attention(model), sequence: 0, heads: [1], tokens: 7)
        .reshaped([7, 7]), dimension: 0, smoothing: 1e-4)
    let raw = out.values["reg_h0_total_persistence"]!
    #expect(abs(raw - Double(direct.value.item)) < 1e-6)
    #expect(out.values["reg_h0_total_persistence_weighted"] == Double(Float(raw) * -0.5))
    #expect(abs(Double(out.loss.item) - (-0.5 * raw)) < 1e-6)
    #expect(out.values["ph_l0_h1_h0_bars"] == 6)  // 7 tokens: 6 finite H0 bars above 0
    #expect(out.values["ph_l0_h1_h0_bottleneck"] == nil)  // first time
    let c = model.parameters().first { $0.name.hasSuffix("c_attn.weight") }!.tensor
    c.grad = nil
    out.loss.backward()
    let spliced = c.grad!.scalars
    c.grad = nil
    (direct.value * -0.5).backward()
    assertClose(spliced, c.grad!.scalars, rtol: 1e-4, atol: 1e-7)
    #expect((out.values["reg_h0_total_persistence_grad_norm"] ?? 0) > 0)
    let again = reg.output(attention: [0: attention(model)], step: 4)!
    #expect(again.values["ph_l0_h1_h0_bottleneck"] == 0)  // same weights, same diagram
    #expect(
      reg.columns.contains("ph_l0_h1_h1_bottleneck") && !reg.columns.contains("ph_l0_h0_h0_bars"))
  }
}
