import Autodiff

/// What one forward pass needs besides the tokens: the attention mask, rotary tables, whether
/// dropout is active and its generator, and what to capture for the probes.
public final class ForwardContext {
  public let mask: Tensor?
  let rope: RotaryEmbedding?
  public let training: Bool
  public var dropoutRandom: SeededRandom
  let dropoutRate: Float
  public let capture: ForwardCapture?

  init(
    mask: Tensor?, rope: RotaryEmbedding?, training: Bool, dropoutRate: Float,
    dropoutRandom: SeededRandom, capture: ForwardCapture?
  ) {
    self.mask = mask
    self.rope = rope
    self.training = training
    self.dropoutRate = dropoutRate
    self.dropoutRandom = dropoutRandom
    self.capture = capture
  }

  func dropout(_ x: Tensor) -> Tensor {
    guard training && dropoutRate > 0 else { return x }
    return x.dropout(dropoutRate, using: &dropoutRandom)
  }
}

/// Intermediate tensors kept from a forward pass, on request (nothing is kept otherwise).
///
/// Residual states: `residuals[l]` is the input of block `l` and `residuals[depth]` the input of
/// the final norm, each `(B, T, C)`; with `residualGradients` their gradients are retained by
/// `backward()` (`∂L/∂h_l`). Attention: per layer, the pre-softmax logits and the attention
/// matrices `(B, nh, T, T)`.
public final class ForwardCapture {
  public let keepResiduals: Bool
  public let residualGradients: Bool
  public let keepAttention: Bool
  public private(set) var residuals: [Tensor] = []
  public private(set) var attentionLogits: [Int: Tensor] = [:]
  public private(set) var attention: [Int: Tensor] = [:]
  /// Restricts attention capture to these layers (all when nil).
  public let attentionLayers: Set<Int>?

  public init(
    keepResiduals: Bool = false, residualGradients: Bool = false, keepAttention: Bool = false,
    attentionLayers: Set<Int>? = nil
  ) {
    self.keepResiduals = keepResiduals || residualGradients
    self.residualGradients = residualGradients
    self.keepAttention = keepAttention
    self.attentionLayers = attentionLayers
  }

  /// The residual states of captures of consecutive parts of one batch, joined along the
  /// batch axis with their retained gradients, as one capture of the whole batch would hold
  /// them (attention is not joined).
  public static func joiningResiduals(_ parts: [ForwardCapture]) -> ForwardCapture {
    let joined = ForwardCapture(
      keepResiduals: true, residualGradients: parts.allSatisfy(\.residualGradients))
    guard let first = parts.first else { return joined }
    Tensor.withoutGradients {
      for l in first.residuals.indices {
        let states = parts.map { $0.residuals[l] }
        let h = Tensor.concat(states, axis: 0)
        let grads = states.compactMap(\.grad)
        if grads.count == states.count { h.grad = Tensor.concat(grads, axis: 0) }
        joined.residuals.append(h)
      }
    }
    return joined
  }

  func recordResidual(_ h: Tensor) {
    guard keepResiduals else { return }
    if residualGradients && h.requiresGrad { h.retainGrad() }
    residuals.append(h)
  }

  /// Whether `record` keeps layer `layer`'s attention.
  func keepsAttention(layer: Int) -> Bool {
    keepAttention && attentionLayers?.contains(layer) ?? true
  }

  func record(layer: Int, logits: Tensor, attention a: Tensor) {
    guard keepsAttention(layer: layer) else { return }
    attentionLogits[layer] = logits
    attention[layer] = a
  }
}
