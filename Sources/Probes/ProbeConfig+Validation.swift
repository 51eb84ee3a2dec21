import Foundation

/// A probe setting that cannot apply to the model or the probe batch.
public enum ProbeConfigError: LocalizedError, Equatable {
  /// `path` (e.g. `probes.attention.layers`) holds `value`, which breaks `rule`.
  case invalid(path: String, value: String, rule: String)

  public var errorDescription: String? {
    switch self {
    case .invalid(let path, let value, let rule): return "\(path) = \(value) \(rule)"
    }
  }
}

extension ProbeConfig {
  /// Checks the schedule and selection against a model of `depth` blocks and `heads` heads and
  /// a probe batch of `batch` sequences; `path` names this config in messages. Attention
  /// layers must lie in `0..<depth`; with `states`, layers are residual states `0...depth`.
  public func validate(path: String, depth: Int, heads: Int, batch: Int, states: Bool = false)
    throws
  {
    guard every >= 1 else {
      throw ProbeConfigError.invalid(path: path + ".every", value: "\(every)", rule: "must be ≥ 1")
    }
    let layerLimit = states ? depth + 1 : depth
    if let layers, let bad = layers.first(where: { $0 < 0 || $0 >= layerLimit }) {
      throw ProbeConfigError.invalid(
        path: path + ".layers", value: "\(bad)",
        rule:
          "must lie in 0..<\(layerLimit) (\(states ? "residual states of" : "blocks of") a depth-\(depth) model)"
      )
    }
    if let selected = self.heads, let bad = selected.first(where: { $0 < 0 || $0 >= heads }) {
      throw ProbeConfigError.invalid(
        path: path + ".heads", value: "\(bad)", rule: "must lie in 0..<\(heads) (model.heads)")
    }
    guard !sequences.isEmpty else {
      throw ProbeConfigError.invalid(
        path: path + ".sequences", value: "[]", rule: "must select at least one sequence")
    }
    if let bad = sequences.first(where: { $0 < 0 || $0 >= batch }) {
      throw ProbeConfigError.invalid(
        path: path + ".sequences", value: "\(bad)",
        rule: "must lie in 0..<\(batch) (the probe batch)")
    }
  }
}

extension SharpnessConfig {
  /// Checks the schedule and the power-iteration settings; `path` names this config.
  public func validate(path: String) throws {
    if every < 1 {
      throw ProbeConfigError.invalid(path: path + ".every", value: "\(every)", rule: "must be ≥ 1")
    }
    if iterations < 1 {
      throw ProbeConfigError.invalid(
        path: path + ".iterations", value: "\(iterations)", rule: "must be ≥ 1")
    }
    if !(tolerance > 0) {
      throw ProbeConfigError.invalid(
        path: path + ".tolerance", value: "\(tolerance)", rule: "must be > 0")
    }
    if !(relativeStep > 0 && relativeStep < 1) {
      throw ProbeConfigError.invalid(
        path: path + ".relative_step", value: "\(relativeStep)", rule: "must lie in (0, 1)")
    }
  }
}

extension ProbesConfig {
  /// Validates every family against the model and the probe batch, naming fields under `path`
  /// (e.g. `probes.attention.heads = 5 must lie in 0..<4 (model.heads)`).
  public func validate(path: String = "probes", depth: Int, heads: Int, batch: Int) throws {
    try attention.validate(path: path + ".attention", depth: depth, heads: heads, batch: batch)
    try sphere.validate(
      path: path + ".sphere", depth: depth, heads: heads, batch: batch, states: true)
    if gradients.every < 1 {
      throw ProbeConfigError.invalid(
        path: path + ".gradients.every", value: "\(gradients.every)", rule: "must be ≥ 1")
    }
    try sharpness.validate(path: path + ".sharpness")
  }
}
