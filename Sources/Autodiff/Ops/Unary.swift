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
    Tensor.vectorUnary(self, VectorMath.exp) { _, y in y }
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
    Tensor.vectorUnary(self, VectorMath.tanh) { _, y in 1 - y * y }
  }

  public func sigmoid() -> Tensor {
    Tensor.vectorUnary(self, { 1 / (1 + VectorMath.exp(-$0)) }) { _, y in y * (1 - y) }
  }

  /// `max(x, 0)`; the derivative at 0 is taken as 0.
  public func relu() -> Tensor {
    Tensor.vectorUnary(self, { VectorMath.select($0 .< 0, .zero, $0) }) { x, _ in
      VectorMath.select(x .> 0, SIMD16<Float>(repeating: 1), .zero)
    }
  }

  /// GELU, tanh approximation (GPT-2, PyTorch's `approximate="tanh"`):
  /// `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
  public func gelu() -> Tensor {
    Tensor.vectorUnary(self, GELU.tanhForm) { x, _ in GELU.tanhFormDerivative(x) }
  }

  /// GELU, exact form: `x·Φ(x) = ½x(1 + erf(x/√2))`.
  public func geluExact() -> Tensor {
    Tensor.vectorUnary(self, GELU.exact) { x, _ in GELU.exactDerivative(x) }
  }

  /// `f` applied 16 lanes at a time; the gradient is `g · df(x, y)` with `y = f(x)`.
  @inline(__always)
  static func vectorUnary(
    _ x: Tensor, _ f: (SIMD16<Float>) -> SIMD16<Float>,
    derivative df: @escaping (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>
  ) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let n = x.count
    let chunk = 16 * 1024
    let (src, dst) = (x.pointer, out.pointer)
    Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
      let start = c * chunk
      Kernels.map(src + start, dst + start, Swift.min(chunk, n - start), f)
    }
    let y = out.storage
    return record(out, [x]) { g in
      let gx = Tensor(uninitializedShape: x.shape)
      let (gp, xp, yp, dp) = (g.pointer, x.pointer, y.pointer, gx.pointer)
      Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
        let start = c * chunk
        Kernels.map(gp + start, xp + start, yp + start, dp + start, Swift.min(chunk, n - start)) {
          g, x, y in
          g * df(x, y)
        }
      }
      x.accumulateGradient(gx, shared: false)
    }
  }
}

/// The two forms of the Gaussian error linear unit and their derivatives, 16 lanes at a time.
public enum GELU {
  public typealias V = SIMD16<Float>
  // 0.797_884_56 = √(2/π); 0.398_942_28 = 1/√(2π); 0.707_106_77 = 1/√2.

  @inline(__always) public static func tanhForm(_ x: V) -> V {
    0.5 * x * (1 + VectorMath.tanh(0.797_884_56 * (x + 0.044_715 * x * x * x)))
  }

  @inline(__always) public static func tanhFormDerivative(_ x: V) -> V {
    let t = VectorMath.tanh(0.797_884_56 * (x + 0.044_715 * x * x * x))
    let du = 0.797_884_56 * (1 + 3 * 0.044_715 * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
  }

  @inline(__always) public static func exact(_ x: V) -> V {
    0.5 * x * (1 + VectorMath.erf(x * 0.707_106_77))
  }

  @inline(__always) public static func exactDerivative(_ x: V) -> V {
    // Φ(x) + x·φ(x)
    0.5 * (1 + VectorMath.erf(x * 0.707_106_77)) + x * 0.398_942_28 * VectorMath.exp(-0.5 * x * x)
  }
}
