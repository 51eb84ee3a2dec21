import Autodiff

/// Multi-head self-attention, `softmax(QKᵀ/√d + mask)·V`, computed explicitly so that each
/// head's attention matrix can be captured for the probes.
public final class CausalSelfAttention: ParameterContainer {
  public let cAttn: Linear
  public let cProj: Linear
  /// Per-head-dimension gains of the query and key layer norms (`qk_norm`), or the learned
  /// scales of unit-normalized queries and keys (`sphere`).
  public let qNorm: LayerNorm?
  public let kNorm: LayerNorm?
  let config: GPTConfig

  public init(_ config: GPTConfig) {
    self.config = config
    let inner = config.attentionWidth
    cAttn = Linear(inputs: config.width, outputs: 3 * inner, bias: config.bias)
    cProj = Linear(inputs: inner, outputs: config.width, bias: config.bias)
    let normed = config.qkNorm || config.norm == .sphere
    qNorm = normed ? LayerNorm(width: config.resolvedHeadDim, bias: false) : nil
    kNorm = normed ? LayerNorm(width: config.resolvedHeadDim, bias: false) : nil
  }

  /// `(B, T, C) -> (B, T, C)`; records each head's attention `(B, nh, T, T)` in `capture`.
  func callAsFunction(_ x: Tensor, context: ForwardContext, layer: Int) -> Tensor {
    let (b, t) = (x.shape[0], x.shape[1])
    let (nh, hd) = (config.heads, config.resolvedHeadDim)
    let inner = config.attentionWidth
    if qNorm == nil && context.rope == nil && context.capture?.keepsAttention(layer: layer) != true
    {
      // Nothing reads or changes q, k or the attention: one fused op, the same values.
      let y = cAttn(x).multiHeadAttention(
        heads: nh, headDim: hd, scale: 1 / Float(hd).squareRoot(), mask: context.mask)
      return context.dropout(cProj(y))
    }
    let qkv = cAttn(x).split([inner, inner, inner], axis: -1)  // 3 × (B, T, nh·hd)
    // (B, T, nh·hd) -> (B, nh, T, hd)
    var q = qkv[0].reshaped([b, t, nh, hd]).permuted([0, 2, 1, 3])
    var k = qkv[1].reshaped([b, t, nh, hd]).permuted([0, 2, 1, 3])
    let v = qkv[2].reshaped([b, t, nh, hd]).permuted([0, 2, 1, 3])
    var scale = 1 / Float(hd).squareRoot()
    if config.norm == .sphere, let qNorm, let kNorm {
      // nGPT: unit queries and keys with learned per-dimension scales; the softmax scale
      // becomes √d so that logits span a useful range.
      q = q.normalizedToSphere() * qNorm.weight
      k = k.normalizedToSphere() * kNorm.weight
      scale = Float(hd).squareRoot()
    } else if let qNorm, let kNorm {
      q = qNorm(q)
      k = kNorm(k)
    }
    if let rope = context.rope {
      q = rope.apply(q)
      k = rope.apply(k)
    }
    let logits = q.matmul(k, transposeB: true, alpha: scale)  // (B, nh, T, T)
    let attention = logits.softmax(mask: context.mask)
    context.capture?.record(layer: layer, logits: logits, attention: attention)
    var y = attention.matmul(v)  // (B, nh, T, hd)
    y = y.permuted([0, 2, 1, 3]).reshaped([b, t, inner])  // (B, T, nh·hd)
    return context.dropout(cProj(y))
  }

  public func parameters(prefix: String) -> [NamedParameter] {
    cAttn.parameters(prefix: prefix + "c_attn.") + cProj.parameters(prefix: prefix + "c_proj.")
      + (qNorm?.parameters(prefix: prefix + "q_norm.") ?? [])
      + (kNorm?.parameters(prefix: prefix + "k_norm.") ?? [])
  }
}

/// The two-layer feed-forward network: `(B, T, C) -> (B, T, ratio·C) -> (B, T, C)`.
public final class MLP: ParameterContainer {
  public let cFc: Linear
  public let cProj: Linear
  let activation: GPTConfig.Activation

  public init(_ config: GPTConfig) {
    cFc = Linear(inputs: config.width, outputs: config.mlpRatio * config.width, bias: config.bias)
    cProj = Linear(inputs: config.mlpRatio * config.width, outputs: config.width, bias: config.bias)
    activation = config.activation
  }

  func callAsFunction(_ x: Tensor, context: ForwardContext) -> Tensor {
    let h = cFc(x)
    let a: Tensor
    switch activation {
    case .gelu: a = h.gelu()
    case .geluExact: a = h.geluExact()
    case .relu: a = h.relu()
    }
    return context.dropout(cProj(a))
  }

  public func parameters(prefix: String) -> [NamedParameter] {
    cFc.parameters(prefix: prefix + "c_fc.") + cProj.parameters(prefix: prefix + "c_proj.")
  }
}
