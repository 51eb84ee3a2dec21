import Autodiff
import Foundation
import Probes
import Transformer

/// Runs the configured probes around a training step and keeps their summary statistics.
///
/// Attention and sphere probes measure a fixed probe batch (drawn once from its own seeded
/// generator) in a separate forward pass without gradients or dropout, so that steps are
/// comparable and the training trajectory is untouched; gradient probes read the step's own
/// gradients before clipping and the update the optimizer then makes; sharpness perturbs the
/// parameters along Hessian-vector directions on the probe batch and restores them bit for bit.
final class ProbeRunner {
  let config: ProbesConfig
  let model: GPT
  let probeBatch: Batch
  let causal: Bool
  private var sums: [String: (total: Double, count: Int, last: Double)] = [:]

  convenience init(config: ProbesConfig, model: GPT, task: any SequenceTask, seed: UInt64) {
    let needed = (config.attention.sequences + config.sphere.sequences).max() ?? 0
    var random = SeededRandom(seed: seed, stream: "probe-batch")
    self.init(
      config: config, model: model, probeBatch: task.batch(.train, size: needed + 1, using: &random)
    )
  }

  init(config: ProbesConfig, model: GPT, probeBatch: Batch) {
    self.config = config
    self.model = model
    causal = model.config.causal
    self.probeBatch = probeBatch
  }

  /// Whether the step's training forward pass must retain residual gradients.
  func wantsResidualGradients(atStep step: Int) -> Bool {
    config.gradients.isDue(atStep: step)
  }

  /// Gradient-flow rows for update `step`, read before clipping (`globalNorm` is the gradients'
  /// global norm); returns the snapshot that `updateRows` needs after the optimizer step.
  func gradientRows(
    step: Int, parameters: [NamedParameter], capture: ForwardCapture?, clip: Double,
    globalNorm norm: Double
  ) -> ([ProbeRow], ParameterSnapshot) {
    let clipped = clip > 0 && clip / (norm + 1e-6) < 1
    let rows = GradientFlow.rows(
      step: step, parameters: parameters, capture: capture, globalNorm: norm, clipped: clipped)
    return (rows, ParameterSnapshot(parameters))
  }

  /// Attention, sphere and sharpness rows for the model after `step` updates, when due.
  func stateRows(step: Int, parameters: [NamedParameter]) -> [ProbeRow] {
    var rows: [ProbeRow] = []
    let attentionDue = config.attention.isDue(atStep: step)
    let sphereDue = config.sphere.isDue(atStep: step)
    if attentionDue || sphereDue {
      let capture = ForwardCapture(
        keepResiduals: sphereDue, keepAttention: attentionDue,
        attentionLayers: config.attention.layers.map(Set.init))
      Tensor.withoutGradients {
        let ctx = model.makeContext(length: probeBatch.length, training: false, capture: capture)
        _ = model.logits(
          tokens: probeBatch.inputs, batch: probeBatch.size, length: probeBatch.length, context: ctx
        )
      }
      if attentionDue {
        for head in AttentionProbe.measure(capture, config: config.attention, causal: causal) {
          rows += head.rows(step: step)
        }
      }
      if sphereDue {
        rows += SphereGeometry.measure(capture, config: config.sphere).rows(step: step)
      }
    }
    if config.sharpness.isDue(atStep: step) {
      let tensors = parameters.map(\.tensor)
      let batch = probeBatch
      let estimate = Sharpness.topEigenvalue(parameters: tensors, config: config.sharpness) {
        for t in tensors { t.grad = nil }
        let ctx = model.makeContext(length: batch.length, training: false)
        model.logits(tokens: batch.inputs, batch: batch.size, length: batch.length, context: ctx)
          .crossEntropy(targets: batch.targets, weights: batch.weights).backward()
      }
      rows += estimate.rows(step: step)
    }
    return rows
  }

  /// Folds rows into the running final/mean statistics (per-tensor gradient rows excepted: one
  /// series per parameter would swamp the summary).
  func record(_ rows: [ProbeRow]) {
    for r in rows where r.tensor == nil {
      var location = ""
      if let l = r.layer { location += "L\(l)" }
      if let h = r.head { location += "H\(h)" }
      let key = "\(r.family.rawValue)/\(location.isEmpty ? "model" : location)/\(r.metric)"
      let old = sums[key] ?? (0, 0, .nan)
      sums[key] = (old.total + r.value, old.count + 1, r.value)
    }
  }

  var summary: [String: [String: Double]] {
    sums.mapValues {
      ["final": $0.last, "mean": $0.total / Double(max($0.count, 1)), "count": Double($0.count)]
    }
  }
}
