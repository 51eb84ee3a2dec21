/// A family of per-step measurements; each has its own schedule in `ProbesConfig`.
public enum ProbeFamily: String, Sendable, Codable, CaseIterable {
  /// Attention entropy, largest logit and coarse Ricci curvature, per layer and head.
  case attention
  /// Token-state geometry on the hypersphere, per layer.
  case sphere
  /// Gradient and update norms, per parameter tensor and per residual stream position.
  case gradients
  /// The top Hessian eigenvalue of the loss.
  case sharpness
}

/// One measured value in long ("tidy") format: one row per step, family, location and metric.
///
/// `layer`, `head` and `tensor` locate the value and are nil where they do not apply: a
/// model-level value (`sphere_action`, `sharpness_top_eigenvalue`) has none, an attention value
/// has `layer` and `head`, a parameter value has only `tensor` (the checkpoint name, e.g.
/// `transformer.h.0.attn.c_attn.weight`). Metric names are stable; each is documented where it
/// is measured.
public struct ProbeRow: Sendable, Equatable, Codable {
  public var step: Int
  public var family: ProbeFamily
  public var layer: Int?
  public var head: Int?
  public var tensor: String?
  public var metric: String
  public var value: Double

  public init(
    step: Int, family: ProbeFamily, layer: Int? = nil, head: Int? = nil, tensor: String? = nil,
    metric: String, value: Double
  ) {
    self.step = step
    self.family = family
    self.layer = layer
    self.head = head
    self.tensor = tensor
    self.metric = metric
    self.value = value
  }
}
