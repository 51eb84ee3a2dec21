import Autodiff
import Foundation
import Probes
import Transformer

/// The cost of the attention-topology regularizer relative to a training step.
public struct RegularizerBenchmarkResult: Sendable, Codable, Equatable {
  /// Median milliseconds of a plain training step (forward, cross-entropy, backward, AdamW).
  public var stepMilliseconds: Double
  /// Median milliseconds of the same step with all three terms on (capture, terms, their
  /// gradients, the spliced loss in the backward).
  public var regularizedStepMilliseconds: Double
  /// Median milliseconds of `AttentionRegularizer.output` alone (terms + their gradients).
  public var termsMilliseconds: Double
  /// `regularizedStepMilliseconds / stepMilliseconds − 1`.
  public var overhead: Double
  public var repeats: Int
}

/// Times the regularizer on the `small` workload shapes: B = 16, T = 128, width 128, 4 layers
/// of 4 heads, vocabulary 65; all three terms (`h0`, `h1` with p = 1, head diversity) on layer
/// 0, all 4 heads, the first 64 tokens of sequence 0. Single process, seeded inputs; medians
/// of `repeats` steps after one warm-up step each.
public func regularizerBenchmark(repeats: Int = 5) -> RegularizerBenchmarkResult {
  var config = Config()
  config.model.context = 128
  config.model.width = 128
  config.model.depth = 4
  config.model.heads = 4
  let model = GPT(config.gptConfig(vocabularySize: 65))
  let parameters = model.parameters()
  let optimizer = config.makeOptimizer()
  var rng = SeededRandom(seed: 3, stream: "regularizer-benchmark")
  let (b, t) = (16, 128)
  let tokens = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 65)) }
  let targets = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 65)) }
  var settings = RegularizerSettings()
  for term in [\RegularizerSettings.h0TotalPersistence, \.h1TotalPersistence, \.headDiversity] {
    settings[keyPath: term] = RegularizerTermSettings(weight: 0.01, layers: [0])
  }
  settings.tokens = 64
  let regularizer = AttentionRegularizer(settings: settings, depth: 4, heads: 4)
  var termTimes: [Double] = []

  func step(regularized: Bool) {
    for p in parameters { p.tensor.grad = nil }
    let capture = regularized ? ForwardCapture(keepAttention: true, attentionLayers: [0]) : nil
    let ctx = model.makeContext(length: t, training: true, capture: capture)
    var loss = model.logits(tokens: tokens, batch: b, length: t, context: ctx)
      .crossEntropy(targets: targets)
    if let capture {
      let start = DispatchTime.now().uptimeNanoseconds
      let out = regularizer.output(attention: capture.attention, step: 0)!
      termTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
      loss = loss + out.loss
    }
    loss.backward()
    optimizer.step(parameters, lr: 1e-4)
  }
  func median(_ regularized: Bool) -> Double {
    step(regularized: regularized)  // warm-up
    termTimes = []
    var times: [Double] = []
    for _ in 0..<max(1, repeats) {
      let start = DispatchTime.now().uptimeNanoseconds
      step(regularized: regularized)
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return times.sorted()[times.count / 2]
  }
  let plain = median(false)
  let regularized = median(true)
  let terms = termTimes.sorted()[termTimes.count / 2]
  return RegularizerBenchmarkResult(
    stepMilliseconds: plain, regularizedStepMilliseconds: regularized, termsMilliseconds: terms,
    overhead: regularized / plain - 1, repeats: repeats)
}
