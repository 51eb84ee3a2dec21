/// The architecture of a decoder transformer: everything needed to build it and to read its
/// checkpoint.
public struct GPTConfig: Sendable, Equatable, Codable {
  public enum Activation: String, Sendable, Codable, CaseIterable {
    case gelu
    case geluExact = "gelu_exact"
    case relu
  }
  public enum NormPlacement: String, Sendable, Codable, CaseIterable {
    case pre, post, none, sphere
  }
  public enum Positional: String, Sendable, Codable, CaseIterable {
    case learned, sinusoidal, rope, none
  }
  public enum Initialization: String, Sendable, Codable, CaseIterable { case gpt2, xavier }

  public var vocabSize: Int
  public var context: Int
  public var width: Int
  public var depth: Int
  public var heads: Int
  /// Width of one head; 0 means `width / heads`.
  public var headDim: Int
  public var mlpRatio: Int
  public var activation: Activation
  public var causal: Bool
  public var dropout: Float
  public var tiedHead: Bool
  public var bias: Bool
  public var norm: NormPlacement
  /// LayerNorm on queries and keys per head (the QK-layernorm fix for attention logit growth).
  public var qkNorm: Bool
  public var positional: Positional
  public var initialization: Initialization
  public var initStd: Float

  public init(
    vocabSize: Int, context: Int, width: Int, depth: Int, heads: Int, headDim: Int = 0,
    mlpRatio: Int = 4, activation: Activation = .gelu, causal: Bool = true, dropout: Float = 0,
    tiedHead: Bool = true, bias: Bool = true, norm: NormPlacement = .pre, qkNorm: Bool = false,
    positional: Positional = .learned, initialization: Initialization = .gpt2, initStd: Float = 0.02
  ) {
    self.vocabSize = vocabSize
    self.context = context
    self.width = width
    self.depth = depth
    self.heads = heads
    self.headDim = headDim
    self.mlpRatio = mlpRatio
    self.activation = activation
    self.causal = causal
    self.dropout = dropout
    self.tiedHead = tiedHead
    self.bias = bias
    self.norm = norm
    self.qkNorm = qkNorm
    self.positional = positional
    self.initialization = initialization
    self.initStd = initStd
  }

  /// The width of one attention head.
  public var resolvedHeadDim: Int { headDim > 0 ? headDim : width / heads }
  /// The width of all heads together (the attention's inner width).
  public var attentionWidth: Int { resolvedHeadDim * heads }
}
