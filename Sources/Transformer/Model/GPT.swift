import Autodiff
import Foundation

/// A decoder-only transformer in nanoGPT's layout: token (and position) embeddings, `depth`
/// blocks, a final norm and an output head, tied to the token embedding by default.
///
/// Parameter names are nanoGPT's `state_dict` keys (`transformer.wte.weight`,
/// `transformer.h.0.attn.c_attn.weight`, …, `lm_head.weight`), so checkpoints interchange with
/// PyTorch.
public final class GPT: ParameterContainer {
  public let config: GPTConfig
  public let wte: Embedding
  public let wpe: Embedding?
  public let blocks: [Block]
  public let lnF: LayerNorm?
  /// The untied output head `(V, C)`; nil when tied to `wte`.
  public let lmHead: Linear?
  /// `sphere` only: learned per-token logit scales.
  public let logitScale: Tensor?
  let sinusoidal: Tensor?
  let rope: RotaryEmbedding?
  let causalMask: Tensor?

  public init(_ config: GPTConfig) {
    self.config = config
    wte = Embedding(count: config.vocabSize, width: config.width)
    wpe =
      config.positional == .learned ? Embedding(count: config.context, width: config.width) : nil
    blocks = (0..<config.depth).map { _ in Block(config) }
    lnF = config.norm == .pre ? LayerNorm(width: config.width, bias: config.bias) : nil
    lmHead =
      config.tiedHead ? nil : Linear(inputs: config.width, outputs: config.vocabSize, bias: false)
    logitScale =
      config.norm == .sphere
      ? parameterTensor([config.vocabSize], Float(config.width).squareRoot()) : nil
    sinusoidal =
      config.positional == .sinusoidal
      ? sinusoidalTable(length: config.context, width: config.width) : nil
    rope =
      config.positional == .rope
      ? RotaryEmbedding(length: config.context, dim: config.resolvedHeadDim) : nil
    let t = config.context
    causalMask =
      config.causal
      ? Tensor((0..<(t * t)).map { ($0 % t) > ($0 / t) ? -Float.infinity : 0 }, shape: [t, t]) : nil
  }

  /// All parameters in a fixed order; a tied head appears once, as `transformer.wte.weight`.
  public func parameters(prefix: String = "") -> [NamedParameter] {
    var list = wte.parameters(prefix: prefix + "transformer.wte.")
    list += wpe?.parameters(prefix: prefix + "transformer.wpe.") ?? []
    for (i, block) in blocks.enumerated() {
      list += block.parameters(prefix: prefix + "transformer.h.\(i).")
    }
    list += lnF?.parameters(prefix: prefix + "transformer.ln_f.") ?? []
    list += lmHead?.parameters(prefix: prefix + "lm_head.") ?? []
    if let logitScale { list.append(NamedParameter(prefix + "logit_scale", logitScale, .scale)) }
    return list
  }

  /// The number of trainable scalars (a tied head counted once).
  public var parameterCount: Int { parameters().reduce(0) { $0 + $1.tensor.count } }

  /// A context for one forward pass.
  public func makeContext(
    length: Int, training: Bool, dropoutRandom: SeededRandom = SeededRandom(seed: 0),
    capture: ForwardCapture? = nil
  ) -> ForwardContext {
    var mask = causalMask
    if let m = causalMask, length != config.context {
      mask = Tensor.withoutGradients { m.slice(axis: 0, 0..<length).slice(axis: 1, 0..<length) }
    }
    return ForwardContext(
      mask: mask, rope: rope, training: training, dropoutRate: config.dropout,
      dropoutRandom: dropoutRandom, capture: capture)
  }

  /// Next-token logits `(B, T, V)` for `tokens` laid out `(B, T)` row-major.
  public func logits(tokens: [Int32], batch: Int, length: Int, context: ForwardContext) -> Tensor {
    precondition(
      length <= config.context,
      "GPT.logits: sequence length \(length) exceeds the model's context \(config.context)")
    precondition(
      tokens.count == batch * length, "GPT.logits: \(tokens.count) tokens for (\(batch), \(length))"
    )
    var x = wte(tokens, shape: [batch, length])  // (B, T, C)
    if let wpe {
      let positions = (0..<Int32(length)).map { $0 }
      x = x + wpe(positions, shape: [length])  // (T, C) broadcast over B
    } else if let sinusoidal {
      x = x + (length == config.context ? sinusoidal : sinusoidal.slice(axis: 0, 0..<length))
    }
    if config.norm == .sphere { x = x.normalizedToSphere() }
    x = context.dropout(x)
    for (l, block) in blocks.enumerated() {
      context.capture?.recordResidual(x)
      x = block(x, context: context, layer: l)
    }
    context.capture?.recordResidual(x)
    if let lnF { x = lnF(x) }
    switch (lmHead, logitScale) {
    case (let head?, nil):
      return head(x)  // (B, T, V)
    case (let head?, let s?):
      return x.matmul(head.weight.normalizedToSphere(), transposeB: true) * s
    case (nil, let s?):
      return x.matmul(wte.weight.normalizedToSphere(), transposeB: true) * s
    case (nil, nil):
      return x.matmul(wte.weight, transposeB: true)  // tied head, (B, T, V)
    }
  }
}
