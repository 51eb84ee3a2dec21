/// Vectorized elementary functions on `SIMD16<Float>`, for the hot loops of softmax,
/// cross-entropy and activations. Each is checked against the C library over its range in
/// `VectorMathTests` (relative error ≤ 2e-7 for `exp`, absolute ≤ 3e-7 for `erf` and `tanh`).
public enum VectorMath {
  public typealias V = SIMD16<Float>

  typealias Bits = SIMD16<UInt32>

  @inline(__always) static func bits(_ x: V) -> Bits { unsafeBitCast(x, to: Bits.self) }
  @inline(__always) static func float(_ b: Bits) -> V { unsafeBitCast(b, to: V.self) }
  @inline(__always) static func magnitude(_ x: V) -> V { float(bits(x) & 0x7FFF_FFFF) }
  /// `y` with the sign of `x` (y ≥ 0).
  @inline(__always) static func withSign(of x: V, _ y: V) -> V {
    float(bits(y) | (bits(x) & 0x8000_0000))
  }

  /// The sum of the lanes as a tree of vector adds (`sum()` is not vectorized).
  @inline(__always) public static func total(_ x: V) -> Float {
    let x8 = x.lowHalf + x.highHalf
    let x4 = x8.lowHalf + x8.highHalf
    let x2 = x4.lowHalf + x4.highHalf
    return x2.x + x2.y
  }

  @inline(__always) static func fma(_ a: V, _ b: V, _ c: V) -> V {
    #if BETTI_FMA
      return c.addingProduct(a, b)
    #else
      return a * b + c
    #endif
  }

  /// Lanes of `a` where `mask` is set, else of `b` (a bitwise blend; the standard library's
  /// masked `replacing` is not lowered to vector instructions).
  @inline(__always) public static func select(_ mask: SIMDMask<SIMD16<Int32>>, _ a: V, _ b: V) -> V {
    let m = unsafeBitCast(mask, to: Bits.self)
    return float((bits(a) & m) | (bits(b) & ~m))
  }

  /// `e^x`: range reduction `x = n·ln2 + r` (|r| ≤ ln2/2, ln2 split in two parts for
  /// exactness; n rounded by adding 1.5·2²³), a degree-6 polynomial for `e^r`, and `2^n`
  /// built in the exponent bits. Inputs below −87.3 give 0 (and −∞ gives 0); above 88.7 give
  /// +∞; NaN stays NaN.
  @inline(__always) public static func exp(_ x: V) -> V {
    let low = V(repeating: -87.336_54)
    let high = V(repeating: 88.722_83)
    let clamped = select(x .< low, low, select(x .> high, high, x))
    let magic = V(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer
    let t = fma(clamped, V(repeating: 1.442_695_04), magic)
    let n = t - magic
    var r = fma(n, V(repeating: -0.693_145_75), clamped)
    r = fma(n, V(repeating: -1.428_606_8e-6), r)
    var p = V(repeating: 1.987_569_1e-4)
    p = fma(p, r, V(repeating: 1.398_199_9e-3))
    p = fma(p, r, V(repeating: 8.333_452e-3))
    p = fma(p, r, V(repeating: 4.166_579_6e-2))
    p = fma(p, r, V(repeating: 0.166_666_66))
    p = fma(p, r, V(repeating: 0.5))
    p = fma(p * r, r, r) + V(repeating: 1)
    let exponent = (bits(t) &- bits(magic) &+ Bits(repeating: 127)) &<< Bits(repeating: 23)
    let result = p * float(exponent)
    let saturated = select(x .> high, V(repeating: .infinity), select(x .< low, V(repeating: 0), result))
    return select(x .!= x, x, saturated)
  }

  /// `tanh(x) = sign(x)·(1 − 2/(e^{2|x|} + 1))`; saturates to ±1 beyond |x| = 9.
  @inline(__always) public static func tanh(_ x: V) -> V {
    let a = magnitude(x)
    let nine = V(repeating: 9)
    let e = exp(2 * select(a .> nine, nine, a))
    var t = 1 - 2 / (e + 1)
    // Near zero 1 − 2/(e+1) loses relative precision; use the odd series x − x³/3 + 2x⁵/15.
    let x2 = a * a
    var series = fma(x2, V(repeating: -17.0 / 315.0), V(repeating: 2.0 / 15.0))
    series = fma(x2, series, V(repeating: -1.0 / 3.0))
    series = a * fma(x2, series, V(repeating: 1))
    t = select(a .< V(repeating: 0.0625), series, t)
    return withSign(of: x, t)
  }

  /// The error function, by Abramowitz and Stegun 7.1.26 refined: `erf(x) = 1 − p(t)·e^{−x²}`
  /// with `t = 1/(1 + 0.5|x|)` and the Numerical Recipes `erfc` Chebyshev fit (fractional
  /// error < 1.2e-7), odd-extended.
  @inline(__always) public static func erf(_ x: V) -> V {
    let z = magnitude(x)
    let t = 1 / (1 + 0.5 * z)
    var p = V(repeating: 0.170_872_77)
    p = fma(p, t, V(repeating: -0.822_152_23))
    p = fma(p, t, V(repeating: 1.488_515_87))
    p = fma(p, t, V(repeating: -1.135_203_98))
    p = fma(p, t, V(repeating: 0.278_868_07))
    p = fma(p, t, V(repeating: -0.186_288_06))
    p = fma(p, t, V(repeating: 0.096_784_18))
    p = fma(p, t, V(repeating: 0.374_091_96))
    p = fma(p, t, V(repeating: 1.000_023_68))
    p = fma(p, t, V(repeating: -1.265_512_23))
    let erfc = t * exp(p - z * z)
    let y = 1 - erfc
    return withSign(of: x, y)
  }
}

extension Kernels {
  /// `out[i] = f(x[i])` in 16-wide chunks; the tail is padded with zeros.
  @inline(__always)
  public static func map(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
    _ f: (SIMD16<Float>) -> SIMD16<Float>
  ) {
    var i = 0
    while i + 16 <= n {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: f(v), as: SIMD16<Float>.self)
      i += 16
    }
    if i < n {
      var v = SIMD16<Float>(repeating: 0)
      for j in 0..<(n - i) { v[j] = x[i + j] }
      let r = f(v)
      for j in 0..<(n - i) { out[i + j] = r[j] }
    }
  }

  /// `out[i] = f(a[i], b[i])` in 16-wide chunks; the tail is padded with zeros.
  @inline(__always)
  public static func map(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ n: Int, _ f: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>
  ) {
    var i = 0
    while i + 16 <= n {
      let u = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
      let v = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: f(u, v), as: SIMD16<Float>.self)
      i += 16
    }
    if i < n {
      var u = SIMD16<Float>(repeating: 0)
      var v = SIMD16<Float>(repeating: 0)
      for j in 0..<(n - i) {
        u[j] = a[i + j]
        v[j] = b[i + j]
      }
      let r = f(u, v)
      for j in 0..<(n - i) { out[i + j] = r[j] }
    }
  }
}

extension Kernels {
  /// `out[i] = f(a[i], b[i], c[i])` in 16-wide chunks; the tail is padded with zeros.
  @inline(__always)
  public static func map(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, _ n: Int,
    _ f: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>
  ) {
    var i = 0
    while i + 16 <= n {
      let u = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
      let v = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
      let w = UnsafeRawPointer(c + i).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(out + i).storeBytes(of: f(u, v, w), as: SIMD16<Float>.self)
      i += 16
    }
    if i < n {
      var u = SIMD16<Float>(repeating: 0)
      var v = SIMD16<Float>(repeating: 0)
      var w = SIMD16<Float>(repeating: 0)
      for j in 0..<(n - i) {
        u[j] = a[i + j]
        v[j] = b[i + j]
        w[j] = c[i + j]
      }
      let r = f(u, v, w)
      for j in 0..<(n - i) { out[i + j] = r[j] }
    }
  }
}
