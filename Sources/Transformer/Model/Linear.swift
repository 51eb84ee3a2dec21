import Autodiff

/// `y = x·Wᵀ + b` with `W` stored `(out, in)` as PyTorch's `nn.Linear`, so checkpoints load
/// into nanoGPT unchanged. The transpose is a GEMM flag, never a copy; the bias is added by
/// the fused product.
public final class Linear: ParameterContainer {
  public let weight: Tensor
  public let bias: Tensor?

  public init(inputs: Int, outputs: Int, bias: Bool) {
    weight = parameterTensor([outputs, inputs])
    self.bias = bias ? parameterTensor([outputs]) : nil
  }

  /// `(…, in) -> (…, out)`
  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.matmul(weight, transposeB: true, bias: bias)
  }

  public func parameters(prefix: String) -> [NamedParameter] {
    [NamedParameter(prefix + "weight", weight, .matrix)]
      + (bias.map { [NamedParameter(prefix + "bias", $0, .bias)] } ?? [])
  }
}

/// A lookup table of row vectors, `(count, width)`.
public final class Embedding: ParameterContainer {
  public let weight: Tensor

  public init(count: Int, width: Int) {
    weight = parameterTensor([count, width])
  }

  /// `indices (shape) -> (shape…, width)`
  public func callAsFunction(_ indices: [Int32], shape: [Int]) -> Tensor {
    weight.gatherRows(indices, shape: shape)
  }

  public func parameters(prefix: String) -> [NamedParameter] {
    [NamedParameter(prefix + "weight", weight, .embedding)]
  }
}

/// Layer normalization over the last axis with a gain and an optional bias.
public final class LayerNorm: ParameterContainer {
  public let weight: Tensor
  public let bias: Tensor?

  public init(width: Int, bias: Bool) {
    weight = parameterTensor([width], 1)
    self.bias = bias ? parameterTensor([width]) : nil
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.layerNorm(weight: weight, bias: bias)
  }

  public func parameters(prefix: String) -> [NamedParameter] {
    [NamedParameter(prefix + "weight", weight, .normWeight)]
      + (bias.map { [NamedParameter(prefix + "bias", $0, .bias)] } ?? [])
  }
}
