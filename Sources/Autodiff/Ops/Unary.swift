import Foundation

/// Elementwise functions of one tensor, and arithmetic with a scalar.
extension Tensor {
  /// `f` applied elementwise; the gradient is `g · df(x, y)` with `y = f(x)`.
  @inline(__always)
  static func unary(
    _ x: Tensor, _ f: (Float) -> Float, derivative df: @escaping (Float, Float) -> Float
  ) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let (src, dst, n) = (x.pointer, out.pointer, x.count)
    for i in 0..<n { dst[i] = f(src[i]) }
    let y = out.storage
    return record(out, [x]) { g in
      let gx = Tensor(uninitializedShape: x.shape)
      let (gp, xp, yp, dp) = (g.pointer, x.pointer, y.pointer, gx.pointer)
      for i in 0..<n { dp[i] = gp[i] * df(xp[i], yp[i]) }
      x.accumulateGradient(gx, shared: false)
    }
  }

  public static prefix func - (x: Tensor) -> Tensor {
    unary(x, { -$0 }, derivative: { _, _ in -1 })
  }

  public static func + (x: Tensor, s: Float) -> Tensor {
    unary(x, { $0 + s }, derivative: { _, _ in 1 })
  }
  public static func + (s: Float, x: Tensor) -> Tensor { x + s }
  public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }
  public static func - (s: Float, x: Tensor) -> Tensor {
    unary(x, { s - $0 }, derivative: { _, _ in -1 })
  }
  public static func * (x: Tensor, s: Float) -> Tensor {
    unary(x, { $0 * s }, derivative: { _, _ in s })
  }
  public static func * (s: Float, x: Tensor) -> Tensor { x * s }
  public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }
  public static func / (s: Float, x: Tensor) -> Tensor {
    unary(x, { s / $0 }, derivative: { x, _ in -s / (x * x) })
  }

  public func exp() -> Tensor {
    Tensor.unary(self, { Foundation.exp($0) }, derivative: { _, y in y })
  }

  /// Natural logarithm; `log(0) = -inf`, negative inputs give NaN.
  public func log() -> Tensor {
    Tensor.unary(self, { Foundation.log($0) }, derivative: { x, _ in 1 / x })
  }

  public func sqrt() -> Tensor {
    Tensor.unary(self, { $0.squareRoot() }, derivative: { _, y in 0.5 / y })
  }

  /// `x^p` for a constant exponent `p`.
  public func pow(_ p: Float) -> Tensor {
    Tensor.unary(
      self, { Foundation.pow($0, p) }, derivative: { x, _ in p * Foundation.pow(x, p - 1) })
  }

  public func tanh() -> Tensor {
    Tensor.unary(self, { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y })
  }

  public func sigmoid() -> Tensor {
    Tensor.unary(self, { 1 / (1 + Foundation.exp(-$0)) }, derivative: { _, y in y * (1 - y) })
  }

  /// `max(x, 0)`; the derivative at 0 is taken as 0.
  public func relu() -> Tensor {
    Tensor.unary(self, { Swift.max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
  }

  /// GELU, tanh approximation (GPT-2, PyTorch's `approximate="tanh"`):
  /// `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
  public func gelu() -> Tensor {
    Tensor.unary(self, GELU.tanhForm, derivative: { x, _ in GELU.tanhFormDerivative(x) })
  }

  /// GELU, exact form: `x·Φ(x) = ½x(1 + erf(x/√2))`.
  public func geluExact() -> Tensor {
    Tensor.unary(self, GELU.exact, derivative: { x, _ in GELU.exactDerivative(x) })
  }
}

/// The two forms of the Gaussian error linear unit and their derivatives.
public enum GELU {
  // 0.797_884_56 = √(2/π); 0.398_942_28 = 1/√(2π); 0.707_106_77 = 1/√2.
  @inlinable public static func tanhForm(_ x: Float) -> Float {
    0.5 * x * (1 + Foundation.tanh(0.797_884_56 * (x + 0.044_715 * x * x * x)))
  }

  @inlinable public static func tanhFormDerivative(_ x: Float) -> Float {
    let u = 0.797_884_56 * (x + 0.044_715 * x * x * x)
    let t = Foundation.tanh(u)
    let du = 0.797_884_56 * (1 + 3 * 0.044_715 * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
  }

  @inlinable public static func exact(_ x: Float) -> Float {
    0.5 * x * (1 + erff(x * 0.707_106_77))
  }

  @inlinable public static func exactDerivative(_ x: Float) -> Float {
    // Φ(x) + x·φ(x)
    0.5 * (1 + erff(x * 0.707_106_77)) + x * 0.398_942_28 * Foundation.exp(-0.5 * x * x)
  }
}
