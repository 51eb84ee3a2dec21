import Autodiff

/// What a parameter tensor is for; optimizers decide weight decay by role.
public enum ParameterRole: String, Sendable, Codable {
  /// A linear layer's weight matrix.
  case matrix
  /// A token or position embedding table (also the tied output head).
  case embedding
  /// A normalization layer's gain.
  case normWeight
  /// An additive bias.
  case bias
  /// A learned scalar or per-dimension scale (sphere step sizes, logit scales).
  case scale
}

/// A trainable tensor with its checkpoint name (nanoGPT's `state_dict` key) and role.
public struct NamedParameter {
  public let name: String
  public let tensor: Tensor
  public let role: ParameterRole

  public init(_ name: String, _ tensor: Tensor, _ role: ParameterRole) {
    self.name = name
    self.tensor = tensor
    self.role = role
  }
}

/// A part of a model that owns parameters.
public protocol ParameterContainer: AnyObject {
  /// Parameters in a fixed order, names prefixed with `prefix` (e.g. `"transformer.h.0.attn."`).
  func parameters(prefix: String) -> [NamedParameter]
}

/// Creates a leaf tensor that requires a gradient.
func parameterTensor(_ shape: [Int], _ value: Float = 0) -> Tensor {
  Tensor.full(shape, value, requiresGrad: true)
}
