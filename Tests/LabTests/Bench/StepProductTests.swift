import Foundation
import Testing
import Transformer

@testable import Lab

@Suite struct StepProductTests {
  /// Attention narrower than the width (2 heads of 4), an MLP of 3× and an untied head, so that
  /// every dimension differs from every other.
  let untied = GPTConfig(
    vocabSize: 11, context: 8, width: 16, depth: 2, heads: 2, headDim: 4, mlpRatio: 3,
    tiedHead: false)

  /// The `outputs × inputs` shapes of the matrices the model multiplies by, one entry per
  /// matrix, read off the model's own parameters: its `.matrix` weights, and the token
  /// embedding when the head is tied to it.
  func multipliedMatrices(_ config: GPTConfig) -> [[Int]] {
    GPT(config).parameters().filter {
      $0.role == .matrix || (config.tiedHead && $0.name == "transformer.wte.weight")
    }.map(\.tensor.shape)
  }

  @Test func forwardProductsAreTheModelsMatricesOncePerMicroBatch() {
    for config in [untied, GPTConfig(vocabSize: 7, context: 4, width: 8, depth: 3, heads: 2)] {
      let products = StepProduct.ofStep(config, tokens: 24, microBatches: 3)
      // Each forward is tokens × inputs × outputs with B transposed; a layer kind's calls are
      // its matrices times the micro-batches.
      var forwards: [[Int]] = []
      for p in products where p.role == "forward" {
        #expect(p.shape.m == 24 && p.shape.transposeB && !p.shape.transposeA)
        #expect(p.callsPerStep % 3 == 0)
        forwards += Array(repeating: [p.shape.n, p.shape.k], count: p.callsPerStep / 3)
      }
      #expect(
        forwards.sorted { $0.lexicographicallyPrecedes($1) }
          == multipliedMatrices(config).sorted { $0.lexicographicallyPrecedes($1) })
    }
  }

  @Test func everyLayerHasItsForwardInputGradientAndWeightGradient() {
    let products = StepProduct.ofStep(untied, tokens: 24, microBatches: 2)
    #expect(products.count == 15)
    for layer in stride(from: 0, to: products.count, by: 3) {
      let (forward, input, weight) = (products[layer], products[layer + 1], products[layer + 2])
      #expect(
        [forward.role, input.role, weight.role] == ["forward", "input gradient", "weight gradient"])
      #expect(forward.layer == input.layer && input.layer == weight.layer)
      let (t, i, o) = (forward.shape.m, forward.shape.k, forward.shape.n)
      // dy·W: tokens × outputs × inputs; dyᵀ·x: outputs × tokens × inputs.
      #expect(input.shape == GEMMBenchmark.Shape(m: t, k: o, n: i))
      #expect(weight.shape == GEMMBenchmark.Shape(m: o, k: t, n: i, transposeA: true))
      #expect(
        forward.callsPerStep == input.callsPerStep && input.callsPerStep == weight.callsPerStep)
    }
    #expect(
      products.map(\.layer).enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [
        "c_attn", "c_proj", "c_fc", "mlp.c_proj", "lm_head",
      ])
  }

  @Test func aStepIsSixFlopsPerTokenAndMatrixWeight() {
    // Forward 2·T·in·out, and the two gradients as many again each.
    let (tokens, microBatches) = (24, 2)
    let weights = multipliedMatrices(untied).reduce(0) { $0 + $1[0] * $1[1] }
    let flops = StepProduct.ofStep(untied, tokens: tokens, microBatches: microBatches)
      .reduce(0) { $0 + $1.flopsPerStep }
    #expect(flops == 6 * tokens * microBatches * weights)
  }

  @Test func theYardsticksStepIsItsFifteenProducts() {
    let config = GPTConfig(
      vocabSize: 65, context: 64, width: 128, depth: 4, heads: 4, activation: .geluExact,
      bias: false)
    let products = StepProduct.ofStep(config, tokens: 6 * 64, microBatches: 2)
    #expect(
      products.map(\.shapesItem) == [
        "384x128x384:NT*8", "384x384x128:NN*8", "384x384x128:TN*8",
        "384x128x128:NT*8", "384x128x128:NN*8", "128x384x128:TN*8",
        "384x128x512:NT*8", "384x512x128:NN*8", "512x384x128:TN*8",
        "384x512x128:NT*8", "384x128x512:NN*8", "128x384x512:TN*8",
        "384x128x65:NT*2", "384x65x128:NN*2", "65x384x128:TN*2",
      ])
    #expect(products.last?.layer == "lm_head (tied)")
    // 3.66 GFLOP: nanoGPT's estimate, 6·N·T, with N the 0.79 M weights of the products.
    #expect(products.reduce(0) { $0 + $1.flopsPerStep } == 3_662_217_216)
  }

  @Test func shapesItemsParseBackAsBenchShapes() {
    for product in StepProduct.ofStep(untied, tokens: 5, microBatches: 1) {
      let pieces = product.shapesItem.split(separator: "*")
      #expect(pieces.count == 2 && pieces[1] == "\(product.callsPerStep)")
      #expect(GEMMBenchmark.Shape(parsing: String(pieces[0])) == product.shape)
    }
  }

  @Test func aConfigsStepIsCutAsTheTrainerCutsIt() throws {
    let root = repositoryRoot
    var config = try Config.load(
      from: root.appendingPathComponent("Configs/tasks/modular.json"), baseDirectory: root)
    let task = try config.makeTask(baseDirectory: root)
    config.training.microBatches = 2
    // The full-batch step's 2822 pairs in two micro-batches of 1411 sequences of the context.
    let step = StepProduct.ofStep(config, task: task)
    #expect(step.microBatches == 2 && step.sequences == 1411)
    #expect(
      step.products
        == StepProduct.ofStep(
          config.gptConfig(vocabularySize: task.vocabularySize),
          tokens: 1411 * config.model.context, microBatches: 2))
  }

  @Test func timingsAreEachProductsMedianTimesItsCalls() {
    let products = StepProduct.ofStep(untied, tokens: 16, microBatches: 3)
    let timings = StepProduct.time(products, threads: 1)
    #expect(timings.map(\.product) == products)
    for t in timings {
      #expect(t.medianSeconds > 0 && t.medianSeconds.isFinite)
      #expect(t.secondsPerStep == t.medianSeconds * Double(t.product.callsPerStep))
      #expect(t.gflops == Double(t.product.shape.flops) / t.medianSeconds / 1e9)
    }
  }
}
