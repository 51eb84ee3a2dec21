import Transformer

extension Config {
  /// The model architecture, with the vocabulary from the task when `model.vocab_size` is 0.
  public func gptConfig(vocabularySize: Int) -> GPTConfig {
    let m = model
    return GPTConfig(
      vocabSize: m.vocabSize > 0 ? m.vocabSize : vocabularySize, context: m.context,
      width: m.width, depth: m.depth, heads: m.heads, headDim: m.headDim, mlpRatio: m.mlpRatio,
      activation: GPTConfig.Activation(rawValue: m.activation.rawValue)!,
      causal: m.attention == .causal, dropout: Float(m.dropout), tiedHead: m.tiedHead,
      bias: m.bias, norm: GPTConfig.NormPlacement(rawValue: m.norm.rawValue)!, qkNorm: m.qkNorm,
      positional: GPTConfig.Positional(rawValue: m.positional.rawValue)!,
      initialization: GPTConfig.Initialization(rawValue: m.`init`.rawValue)!,
      initStd: Float(m.initStd))
  }

  /// A fresh optimizer as `optimizer` describes it.
  public func makeOptimizer() -> any Optimizer {
    let o = optimizer
    let rule = DecayRule(embeddings: o.decayEmbeddings, normsAndBiases: o.decayNormsAndBiases)
    switch o.kind {
    case .sgd:
      return SGD(
        momentum: Float(o.momentum), nesterov: o.nesterov, weightDecay: Float(o.weightDecay),
        decayRule: rule)
    case .adam, .adamw:
      return Adam(
        beta1: Float(o.beta1), beta2: Float(o.beta2), eps: Float(o.eps),
        weightDecay: Float(o.weightDecay), decoupled: o.kind == .adamw, decayRule: rule)
    }
  }
}
