import TestSupport
import Testing

@testable import Autodiff
@testable import Transformer

private func tinyConfig(_ edit: (inout GPTConfig) -> Void = { _ in }) -> GPTConfig {
  var c = GPTConfig(vocabSize: 5, context: 4, width: 8, depth: 2, heads: 2)
  edit(&c)
  return c
}

@Suite struct GPTTests {
  @Test func parameterNamesFollowNanoGPT() {
    let model = GPT(tinyConfig())
    let names = model.parameters().map(\.name)
    #expect(names.first == "transformer.wte.weight")
    #expect(names.contains("transformer.h.1.attn.c_attn.weight"))
    #expect(names.contains("transformer.h.0.mlp.c_proj.bias"))
    #expect(names.last == "transformer.ln_f.bias")
    let attn = model.parameters().first { $0.name == "transformer.h.0.attn.c_attn.weight" }!
    #expect(attn.tensor.shape == [24, 8])  // nn.Linear (out, in)
    // 2 layers · (ln 16 + attn 8·24+24 + proj 64+8 + ln 16 + fc 8·32+32 + proj 32·8+8) + wte 40 + wpe 32 + ln_f 16
    #expect(model.parameterCount == 2 * (16 + 216 + 72 + 16 + 288 + 264) + 40 + 32 + 16)
    let untied = GPT(
      tinyConfig {
        $0.tiedHead = false
        $0.bias = false
      })
    #expect(untied.parameters().last?.name == "lm_head.weight")
  }

  @Test func initializationStatistics() {
    var c = tinyConfig()
    c.width = 64
    c.heads = 4
    c.depth = 4
    let model = GPT(c)
    var rng = SeededRandom(seed: 0)
    model.initialize(using: &rng)
    func std(_ t: Tensor) -> Double {
      let v = t.scalars.map(Double.init)
      let mean = v.reduce(0, +) / Double(v.count)
      return (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
    }
    let fc = model.blocks[0].mlp.cFc.weight
    let proj = model.blocks[0].mlp.cProj.weight
    #expect(abs(std(fc) - 0.02) < 0.002)
    #expect(abs(std(proj) - 0.02 / (8.0).squareRoot()) < 0.0007)
    #expect(model.blocks[0].ln1!.weight.scalars.allSatisfy { $0 == 1 })
  }

  @Test(arguments: GPTConfig.NormPlacement.allCases)
  func gradientsForEachNormPlacement(_ norm: GPTConfig.NormPlacement) {
    checkModelGradients(tinyConfig { $0.norm = norm })
  }

  @Test(arguments: GPTConfig.Positional.allCases)
  func gradientsForEachPositionalEncoding(_ positional: GPTConfig.Positional) {
    checkModelGradients(tinyConfig { $0.positional = positional })
  }

  @Test func gradientsWithQKNormUntiedExactGeluBidirectional() {
    checkModelGradients(
      tinyConfig {
        $0.qkNorm = true
        $0.tiedHead = false
        $0.activation = .geluExact
        $0.causal = false
        $0.bias = false
      })
  }

  @Test func causalLogitsIgnoreTheFuture() {
    let model = GPT(tinyConfig())
    var rng = SeededRandom(seed: 1)
    model.initialize(using: &rng)
    let a = model.logits(
      tokens: [1, 2, 3, 4], batch: 1, length: 4,
      context: model.makeContext(length: 4, training: false))
    let b = model.logits(
      tokens: [1, 2, 3, 0], batch: 1, length: 4,
      context: model.makeContext(length: 4, training: false))
    #expect(Array(a.scalars[0..<15]) == Array(b.scalars[0..<15]))
    #expect(Array(a.scalars[15..<20]) != Array(b.scalars[15..<20]))
  }

  @Test func captureKeepsResidualsAttentionAndResidualGradients() {
    let model = GPT(tinyConfig())
    var rng = SeededRandom(seed: 2)
    model.initialize(using: &rng)
    let capture = ForwardCapture(residualGradients: true, keepAttention: true)
    let ctx = model.makeContext(length: 3, training: false, capture: capture)
    let logits = model.logits(tokens: [1, 2, 3, 0, 4, 1], batch: 2, length: 3, context: ctx)
    logits.crossEntropy(targets: [2, 3, 0, 4, 1, 1]).backward()
    #expect(capture.residuals.count == 3)
    #expect(capture.residuals.allSatisfy { $0.grad?.shape == [2, 3, 8] })
    #expect(capture.attention[1]?.shape == [2, 2, 3, 3])
    // Causal rows sum to one with nothing above the diagonal.
    let a = capture.attention[0]!.scalars
    #expect(a[1] == 0 && a[2] == 0 && abs(a[3] + a[4] - 1) < 1e-6)
  }

  @Test func sphereStatesStayOnTheSphere() {
    let model = GPT(tinyConfig { $0.norm = .sphere })
    var rng = SeededRandom(seed: 3)
    model.initialize(using: &rng)
    let capture = ForwardCapture(keepResiduals: true)
    _ = model.logits(
      tokens: [1, 2, 3, 4], batch: 1, length: 4,
      context: model.makeContext(length: 4, training: false, capture: capture))
    for h in capture.residuals {
      for r in 0..<4 {
        let norm = h.scalars[(r * 8)..<((r + 1) * 8)].map { Double($0 * $0) }.reduce(0, +)
          .squareRoot()
        #expect(abs(norm - 1) < 1e-5)
      }
    }
  }
}

/// Finite-difference check of every parameter of a tiny model through the loss.
private func checkModelGradients(
  _ config: GPTConfig, sourceLocation: SourceLocation = #_sourceLocation
) {
  let model = GPT(config)
  var rng = SeededRandom(seed: 11)
  model.initialize(using: &rng)
  // Larger weights than the 0.02 init so that every path carries a visible gradient.
  for p in model.parameters() where p.role == .matrix || p.role == .embedding {
    for i in 0..<p.tensor.count { p.tensor.pointer[i] *= 15 }
  }
  let tokens: [Int32] = [1, 4, 2, 0, 3, 3, 1, 2]
  let targets: [Int32] = [4, 2, 0, 3, 3, 1, 2, 0]
  checkGradients(
    model.parameters().map(\.tensor), rtol: 3e-3, atol: 3e-4, "\(config.norm) \(config.positional)",
    sourceLocation: sourceLocation
  ) {
    let ctx = model.makeContext(length: 4, training: false)
    return model.logits(tokens: tokens, batch: 2, length: 4, context: ctx).crossEntropy(
      targets: targets)
  }
}
