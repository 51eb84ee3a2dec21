import Autodiff

/// One transformer block: attention then MLP, each a residual branch, with the configured norm
/// placement.
public final class Block: ParameterContainer {
  public let ln1: LayerNorm?
  public let attn: CausalSelfAttention
  public let ln2: LayerNorm?
  public let mlp: MLP
  /// nGPT step sizes toward the normalized branch outputs (`sphere` only), per dimension.
  public let attnAlpha: Tensor?
  public let mlpAlpha: Tensor?
  let norm: GPTConfig.NormPlacement

  /// The initial nGPT step size.
  public static let initialAlpha: Float = 0.05

  public init(_ config: GPTConfig) {
    norm = config.norm
    let layerNorms = config.norm == .pre || config.norm == .post
    ln1 = layerNorms ? LayerNorm(width: config.width, bias: config.bias) : nil
    ln2 = layerNorms ? LayerNorm(width: config.width, bias: config.bias) : nil
    attn = CausalSelfAttention(config)
    mlp = MLP(config)
    let sphere = config.norm == .sphere
    attnAlpha = sphere ? parameterTensor([config.width], Block.initialAlpha) : nil
    mlpAlpha = sphere ? parameterTensor([config.width], Block.initialAlpha) : nil
  }

  /// `(B, T, C) -> (B, T, C)`
  func callAsFunction(_ x: Tensor, context: ForwardContext, layer: Int) -> Tensor {
    switch norm {
    case .pre:
      let h = x + attn(ln1!(x), context: context, layer: layer)
      return h + mlp(ln2!(h), context: context)
    case .post:
      let h = ln1!(x + attn(x, context: context, layer: layer))
      return ln2!(h + mlp(h, context: context))
    case .none:
      let h = x + attn(x, context: context, layer: layer)
      return h + mlp(h, context: context)
    case .sphere:
      // h ← norm(h + α ⊙ (norm(branch(h)) − h)): a step along the sphere toward the branch.
      let a = attn(x, context: context, layer: layer).normalizedToSphere()
      let h = (x + attnAlpha! * (a - x)).normalizedToSphere()
      let m = mlp(h, context: context).normalizedToSphere()
      return (h + mlpAlpha! * (m - h)).normalizedToSphere()
    }
  }

  public func parameters(prefix: String) -> [NamedParameter] {
    var list = ln1?.parameters(prefix: prefix + "ln_1.") ?? []
    list += attn.parameters(prefix: prefix + "attn.")
    list += ln2?.parameters(prefix: prefix + "ln_2.") ?? []
    list += mlp.parameters(prefix: prefix + "mlp.")
    if let attnAlpha { list.append(NamedParameter(prefix + "attn_alpha", attnAlpha, .scale)) }
    if let mlpAlpha { list.append(NamedParameter(prefix + "mlp_alpha", mlpAlpha, .scale)) }
    return list
  }
}
