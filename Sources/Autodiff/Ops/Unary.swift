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

  /// `x·scale + shift` elementwise, 16 lanes at a time (the multiply is skipped when `scale` is 1
  /// and the add when `shift` is 0, so each result is the single rounded operation).
  static func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let n = x.count
    let chunk = 16 * 1024
    let (src, dst) = (x.pointer, out.pointer)
    let (sv, tv) = (SIMD16<Float>(repeating: scale), SIMD16<Float>(repeating: shift))
    Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
      let (start, count) = (c * chunk, Swift.min(chunk, n - c * chunk))
      if scale == 1 {
        Kernels.map(src + start, dst + start, count) { $0 + tv }
      } else if shift == 0 {
        Kernels.map(src + start, dst + start, count) { $0 * sv }
      } else {
        Kernels.map(src + start, dst + start, count) { $0 * sv + tv }
      }
    }
    return record(out, [x]) { g in
      if scale == 1 {
        x.accumulateGradient(g, shared: true)
      } else {
        x.accumulateGradient(affine(g, scale: scale, shift: 0), shared: false)
      }
    }
  }

  public static prefix func - (x: Tensor) -> Tensor {
    affine(x, scale: -1, shift: 0)
  }

  public static func + (x: Tensor, s: Float) -> Tensor {
    affine(x, scale: 1, shift: s)
  }
  public static func + (s: Float, x: Tensor) -> Tensor { x + s }
  public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }
  public static func - (s: Float, x: Tensor) -> Tensor {
    affine(x, scale: -1, shift: s)
  }
  public static func * (x: Tensor, s: Float) -> Tensor {
    affine(x, scale: s, shift: 0)
  }
  public static func * (s: Float, x: Tensor) -> Tensor { x * s }
  public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }
  public static func / (s: Float, x: Tensor) -> Tensor {
    unary(x, { s / $0 }, derivative: { x, _ in -s / (x * x) })
  }

  public func exp() -> Tensor {
    Tensor.vectorUnary(self, Exp.self)
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
    Tensor.vectorUnary(self, Tanh.self)
  }

  public func sigmoid() -> Tensor {
    Tensor.vectorUnary(self, Sigmoid.self)
  }

  /// `max(x, 0)`; the derivative at 0 is taken as 0.
  public func relu() -> Tensor {
    Tensor.vectorUnary(self, ReLU.self)
  }

  /// GELU, tanh approximation (GPT-2, PyTorch's `approximate="tanh"`):
  /// `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
  public func gelu() -> Tensor {
    Tensor.vectorUnary(self, GELU.TanhForm.self)
  }

  /// GELU, exact form: `x·Φ(x) = ½x(1 + erf(x/√2))`.
  ///
  /// When recorded, the derivative `Φ(x) + x·φ(x)` is computed with the value and kept, so that
  /// the backward pass is one multiplication (the same values as `vectorUnary` with
  /// `GELU.Exact`).
  public func geluExact() -> Tensor {
    guard Tensor.isRecording && requiresGrad else {
      return Tensor.vectorUnary(self, GELU.Exact.self)
    }
    let x = self
    let out = Tensor(uninitializedShape: shape)
    let kept = TensorStorage(uninitializedCount: count)
    let n = count
    let chunk = 16 * 1024
    let (src, dst, kp) = (pointer, out.pointer, kept.pointer)
    Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
      let start = c * chunk
      GELU.Exact.values(
        src + start, dst + start, derivatives: kp + start, Swift.min(chunk, n - start))
    }
    return Tensor.record(out, [x]) { g in
      let gx = Tensor(uninitializedShape: x.shape)
      let (gp, dp, gxp) = (g.pointer, kept.pointer, gx.pointer)
      Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
        let start = c * chunk
        Kernels.map(gp + start, dp + start, gxp + start, Swift.min(chunk, n - start)) { $0 * $1 }
      }
      x.accumulateGradient(gx, shared: false)
    }
  }

  /// `F` applied 16 lanes at a time; the gradient is `g · F.derivative(x, y)` with `y = F(x)`.
  /// `F` is a type, not a closure, so that both loops are specialized with it inlined.
  @inline(__always)
  static func vectorUnary<F: VectorFunction>(_ x: Tensor, _: F.Type) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let n = x.count
    let chunk = 16 * 1024
    let (src, dst) = (x.pointer, out.pointer)
    Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
      let start = c * chunk
      Kernels.map(src + start, dst + start, Swift.min(chunk, n - start)) { F.value($0) }
    }
    let y = out.storage
    return record(out, [x]) { g in
      let gx = Tensor(uninitializedShape: x.shape)
      let (gp, xp, yp, dp) = (g.pointer, x.pointer, y.pointer, gx.pointer)
      Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
        let start = c * chunk
        Kernels.map(gp + start, xp + start, yp + start, dp + start, Swift.min(chunk, n - start)) {
          g, x, y in
          g * F.derivative(x, y)
        }
      }
      x.accumulateGradient(gx, shared: false)
    }
  }
}

/// An elementwise function and its derivative, 16 lanes at a time.
protocol VectorFunction {
  static func value(_ x: SIMD16<Float>) -> SIMD16<Float>
  /// `f'(x)`, given also `y = f(x)`.
  static func derivative(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float>
}

enum Exp: VectorFunction {
  @inline(__always) static func value(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.exp(x) }
  @inline(__always) static func derivative(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float>
  {
    y
  }
}

enum Tanh: VectorFunction {
  @inline(__always) static func value(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.tanh(x) }
  @inline(__always) static func derivative(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float>
  {
    1 - y * y
  }
}

enum Sigmoid: VectorFunction {
  @inline(__always) static func value(_ x: SIMD16<Float>) -> SIMD16<Float> {
    1 / (1 + VectorMath.exp(-x))
  }
  @inline(__always) static func derivative(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float>
  {
    y * (1 - y)
  }
}

enum ReLU: VectorFunction {
  @inline(__always) static func value(_ x: SIMD16<Float>) -> SIMD16<Float> {
    VectorMath.blend(VectorMath.signMask(x), SIMD16<Float>(), x)
  }
  /// 1 where `0 − x` is negative, that is `x > 0` (0 at ±0).
  @inline(__always) static func derivative(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float>
  {
    VectorMath.blend(
      VectorMath.signMask(SIMD16<Float>() - x), SIMD16<Float>(repeating: 1), SIMD16<Float>())
  }
}

/// The two forms of the Gaussian error linear unit and their derivatives, 16 lanes at a time.
public enum GELU {
  public typealias V = SIMD16<Float>
  // 1.595_769_12 = 2√(2/π); 0.071_354_816 = 0.044715·2√(2/π);
  // 0.398_942_28 = 1/√(2π); 0.707_106_77 = 1/√2.

  /// `½x(1 + tanh(u))` with `u = √(2/π)(x + 0.044715x³)`, computed as `x·σ(2u) = x/(1 + e^{−2u})`
  /// (the same function, without the cancellation of `1 + tanh(u)` for negative `u`).
  enum TanhForm: VectorFunction {
    /// `e^{−2u}`, its exponent clamped to ±87 so that it stays finite and nonzero.
    @inline(__always) static func expMinusTwoU(_ x: V) -> V {
      let twoU = x * VectorMath.mulAdd(V(repeating: 0.071_354_816), x * x, 1.595_769_12)
      return VectorMath.expInRange(VectorMath.clampAbove(VectorMath.clampBelow(-twoU, -87), 87))
    }

    @inline(__always) static func value(_ x: V) -> V {
      x / (1 + expMinusTwoU(x))
    }

    /// `σ + x·σ²·e^{−2u}·2u'` with `σ = 1/(1 + e^{−2u})`.
    @inline(__always) static func derivative(_ x: V, _ y: V) -> V {
      let e = expMinusTwoU(x)
      let s = 1 / (1 + e)
      let twoUPrime = VectorMath.mulAdd(V(repeating: 3 * 0.071_354_816), x * x, 1.595_769_12)
      return s + s * s * e * x * twoUPrime
    }
  }

  /// `½x(1 + erf(x/√2))`.
  enum Exact: VectorFunction {
    /// `(x·Φ(x), Φ(x) + x·φ(x))`, both from one exponential: `e^{−a²/2}` with `a = |x|` is the
    /// normal density up to `1/√(2π)`, and `erfc(a/√2) = scaledErfc(a/√2)·e^{−a²/2}` gives
    /// `2Φ(x)` without cancellation for negative x. |x| is clamped to 9√2, where erfc(9) is
    /// below 1e-36.
    @inline(__always) static func valueAndDerivative(_ x: V) -> (value: V, derivative: V) {
      let a = VectorMath.clampAbove(VectorMath.magnitude(x), 12.727_922)
      let density = VectorMath.expInRange(-0.5 * a * a)
      let c = VectorMath.scaledErfc(a * 0.707_106_77) * density
      let twoPhi = VectorMath.blend(VectorMath.signMask(x), c, 2 - c)
      return (0.5 * x * twoPhi, 0.5 * twoPhi + x * 0.398_942_28 * density)
    }

    @inline(__always) static func value(_ x: V) -> V { valueAndDerivative(x).value }

    @inline(__always) static func derivative(_ x: V, _ y: V) -> V {
      valueAndDerivative(x).derivative
    }

    /// `out[i] = value(x[i])`, keeping `derivative(x[i])` in `derivatives`. Written out rather
    /// than through `Kernels.map`, whose closure returning two vectors is not inlined.
    static func values(
      _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
      derivatives: UnsafeMutablePointer<Float>, _ n: Int
    ) {
      var i = 0
      while i + 32 <= n {
        let r0 = valueAndDerivative(loadVector(x + i))
        let r1 = valueAndDerivative(loadVector(x + i + 16))
        storeVector(r0.value, out + i)
        storeVector(r1.value, out + i + 16)
        storeVector(r0.derivative, derivatives + i)
        storeVector(r1.derivative, derivatives + i + 16)
        i += 32
      }
      while i < n {
        let count = Swift.min(16, n - i)
        var v = V(repeating: 0)
        for j in 0..<count { v[j] = x[i + j] }
        let r = valueAndDerivative(v)
        for j in 0..<count {
          out[i + j] = r.value[j]
          derivatives[i + j] = r.derivative[j]
        }
        i += 16
      }
    }
  }

  @inline(__always) public static func tanhForm(_ x: V) -> V { TanhForm.value(x) }
  @inline(__always) public static func tanhFormDerivative(_ x: V) -> V { TanhForm.derivative(x, x) }
  @inline(__always) public static func exact(_ x: V) -> V { Exact.value(x) }
  @inline(__always) public static func exactDerivative(_ x: V) -> V { Exact.derivative(x, x) }
}
