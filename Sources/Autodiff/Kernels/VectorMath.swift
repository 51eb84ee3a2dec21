/// Vectorized elementary functions on `SIMD16<Float>`, for the hot loops of softmax,
/// cross-entropy and activations. Each is checked against the C library over its range in
/// `VectorMathTests` (relative error ≤ 2e-7 for `exp` and 3e-7 for `scaledErfc`, absolute
/// ≤ 3e-7 for `erf` and `tanh`).
///
/// Written to compile to straight vector arithmetic: no float comparisons (their `SIMDMask`
/// results are lowered lane by lane), only sign-bit masks made by an arithmetic shift and
/// bitwise blends; polynomials by fused multiply-adds where the target has them.
public enum VectorMath {
  public typealias V = SIMD16<Float>

  typealias Bits = SIMD16<UInt32>

  @inline(__always) static func bits(_ x: V) -> Bits { unsafeBitCast(x, to: Bits.self) }
  @inline(__always) static func float(_ b: Bits) -> V { unsafeBitCast(b, to: V.self) }
  /// `|x|` lane by lane, by clearing the sign bits.
  @inline(__always) public static func magnitude(_ x: V) -> V { float(bits(x) & 0x7FFF_FFFF) }
  /// `y` with the sign of `x` (y ≥ 0).
  @inline(__always) static func withSign(of x: V, _ y: V) -> V {
    float(bits(y) | (bits(x) & 0x8000_0000))
  }

  /// All ones in the lanes whose sign bit is set (negative numbers, −0, and NaNs with the sign
  /// bit set), zero elsewhere: an arithmetic shift, no comparison.
  @inline(__always) static func signMask(_ x: V) -> Bits {
    unsafeBitCast(unsafeBitCast(x, to: SIMD16<Int32>.self) &>> 31, to: Bits.self)
  }

  /// All ones in the NaN lanes: the magnitude's bits exceed those of infinity.
  @inline(__always) static func nanMask(_ x: V) -> Bits {
    signMask(float(Bits(repeating: 0x7F80_0000) &- (bits(x) & 0x7FFF_FFFF)))
  }

  /// Lanes of `a` where `mask` is all ones, else of `b`.
  @inline(__always) static func blend(_ mask: Bits, _ a: V, _ b: V) -> V {
    float((bits(a) & mask) | (bits(b) & ~mask))
  }

  /// `min(x, bound)` for a finite bound; NaN lanes stay NaN when their sign bit is clear.
  @inline(__always) static func clampAbove(_ x: V, _ bound: Float) -> V {
    let b = V(repeating: bound)
    return blend(signMask(b - x), b, x)
  }

  /// `max(x, bound)` for a finite bound.
  @inline(__always) static func clampBelow(_ x: V, _ bound: Float) -> V {
    let b = V(repeating: bound)
    return blend(signMask(x - b), b, x)
  }

  /// The largest lane of `x`, as a tree of halves; each step keeps the larger of two lanes by
  /// the sign of their difference, as `Kernels.maximum` does (no comparison).
  @inline(__always) static func largestLane(_ x: V) -> Float {
    @inline(__always) func larger<W: SIMD>(_ a: W, _ b: W) -> W
    where W.Scalar == Float, W.MaskStorage.Scalar == Int32 {
      let m = unsafeBitCast(a - b, to: W.MaskStorage.self) &>> 31
      let (x, y) = (
        unsafeBitCast(b, to: W.MaskStorage.self), unsafeBitCast(a, to: W.MaskStorage.self)
      )
      return unsafeBitCast((x & m) | (y & ~m), to: W.self)
    }
    let x8 = larger(x.lowHalf, x.highHalf)
    let x4 = larger(x8.lowHalf, x8.highHalf)
    return Swift.max(Swift.max(x4[0], x4[1]), Swift.max(x4[2], x4[3]))
  }

  /// The sum of the lanes as a tree of vector adds (`sum()` is not vectorized).
  @inline(__always) public static func total(_ x: V) -> Float {
    let x8 = x.lowHalf + x.highHalf
    let x4 = x8.lowHalf + x8.highHalf
    let x2 = x4.lowHalf + x4.highHalf
    return x2.x + x2.y
  }

  /// `a·b + c`, fused when the target has FMA.
  @inline(__always) static func fma(_ a: V, _ b: V, _ c: V) -> V {
    #if BETTI_FMA
      return c.addingProduct(a, b)
    #else
      return a * b + c
    #endif
  }

  /// `a·b + c` with a scalar `c`, fused (rounded once) when the target has FMA, as in the
  /// polynomials of `exp`, `tanh` and `erf`.
  @inline(__always) static func mulAdd(_ a: V, _ b: V, _ c: Float) -> V {
    #if BETTI_FMA
      return V(repeating: c).addingProduct(a, b)
    #else
      return a * b + V(repeating: c)
    #endif
  }

  /// Lanes of `a` where `mask` is set, else of `b` (a bitwise blend; the standard library's
  /// masked `replacing` is not lowered to vector instructions).
  @inline(__always) public static func select(_ mask: SIMDMask<SIMD16<Int32>>, _ a: V, _ b: V) -> V
  {
    let m = unsafeBitCast(mask, to: Bits.self)
    return float((bits(a) & m) | (bits(b) & ~m))
  }

  /// The correctly rounded square root of each lane. The standard library's `squareRoot()` on
  /// SIMD vectors is lowered lane by lane with branches; a fixed-length loop over the lanes'
  /// memory is turned into one vector instruction.
  @inlinable @inline(__always) public static func squareRoot(_ x: V) -> V {
    var result = x
    withUnsafeMutableBytes(of: &result) { raw in
      let lanes = raw.baseAddress!.assumingMemoryBound(to: Float.self)
      for i in 0..<16 { lanes[i] = lanes[i].squareRoot() }
    }
    return result
  }

  /// `e^x` for `x` in [−87.3, 88.7] (NaN stays NaN; outside the range the result is wrong):
  /// range reduction `x = n·ln2 + r` (|r| ≤ ln2/2, ln2 split in two parts for exactness; n
  /// rounded by adding 1.5·2²³), a degree-6 polynomial for `e^r`, and `2^n` built in the
  /// exponent bits.
  @inline(__always) static func expInRange(_ x: V) -> V {
    let magic = V(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer
    let t = mulAdd(x, V(repeating: 1.442_695_04), 12_582_912)
    let n = t - magic
    var r = x - n * V(repeating: 0.693_145_75)
    r = r - n * V(repeating: 1.428_606_8e-6)
    var p = mulAdd(V(repeating: 1.987_569_1e-4), r, 1.398_199_9e-3)
    p = mulAdd(p, r, 8.333_452e-3)
    p = mulAdd(p, r, 4.166_579_6e-2)
    p = mulAdd(p, r, 0.166_666_66)
    p = mulAdd(p, r, 0.5)
    p = (p * r * r + r) + V(repeating: 1)
    let exponent = (bits(t) &- bits(magic) &+ Bits(repeating: 127)) &<< Bits(repeating: 23)
    return p * float(exponent)
  }

  /// `e^x`. Inputs below −87.3 give 0 (and −∞ gives 0); above 88.7 give +∞; NaN stays NaN.
  @inline(__always) public static func exp(_ x: V) -> V {
    let low = V(repeating: -87.336_54)
    let high = V(repeating: 88.722_83)
    let below = signMask(x - low)
    let above = signMask(high - x)
    let result = expInRange(blend(below, low, blend(above, high, x)))
    let saturated = float(
      (bits(result) & ~(below | above)) | (Bits(repeating: 0x7F80_0000) & above & ~below))
    return blend(nanMask(x), x, saturated)
  }

  /// `tanh(x) = sign(x)·(1 − 2/(e^{2|x|} + 1))`; saturates to ±1 beyond |x| = 9.
  @inline(__always) public static func tanh(_ x: V) -> V {
    let a = magnitude(x)
    let e = expInRange(2 * clampAbove(a, 9))
    let t = 1 - 2 / (e + 1)
    // Near zero 1 − 2/(e+1) loses relative precision; use the odd series x − x³/3 + 2x⁵/15.
    let x2 = a * a
    var series = mulAdd(x2, V(repeating: -17.0 / 315.0), 2.0 / 15.0)
    series = mulAdd(x2, series, -1.0 / 3.0)
    series = a * mulAdd(x2, series, 1)
    return withSign(of: x, blend(signMask(a - V(repeating: 0.0625)), series, t))
  }

  /// `erfc(z)·e^{z²}` for `z` in [0, 9] (the scaled complementary error function): `t·g(t)` with
  /// `t = 1/(1 + 0.75z)` and `g` a degree-9 polynomial in `t − ½`, fitted for relative error at
  /// 4,000 Chebyshev points of `t` (2.4e-8 in exact arithmetic; the rounding of `t`, which a
  /// smaller coefficient of z amplifies, brings it to 2.5e-7 in float). Without an exponential
  /// of its own, so that `erfc(z) = scaledErfc(z)·e^{−z²}` can share `e^{−z²}` with the normal
  /// density.
  @inline(__always) static func scaledErfc(_ z: V) -> V {
    let t = 1 / mulAdd(z, V(repeating: 0.75), 1)
    let u = t - 0.5
    var g = mulAdd(V(repeating: -0.131_433_98), u, 0.203_237_28)
    g = mulAdd(g, u, -0.021_816_202)
    g = mulAdd(g, u, -0.205_743_23)
    g = mulAdd(g, u, 0.196_829_23)
    g = mulAdd(g, u, 0.080_554_59)
    g = mulAdd(g, u, -0.313_195_08)
    g = mulAdd(g, u, 0.026_820_455)
    g = mulAdd(g, u, 0.643_674_67)
    g = mulAdd(g, u, 0.702_269_38)
    return t * g
  }

  /// `erfc(|x|) = scaledErfc(z)·e^{−z²}` with `z = |x|` clamped to 9, where erfc is below 1e-36.
  @inline(__always) static func erfcOfMagnitude(_ x: V) -> V {
    let z = clampAbove(magnitude(x), 9)
    return scaledErfc(z) * expInRange(-(z * z))
  }

  /// The error function, `sign(x)·(1 − erfc(|x|))` (see `erfcOfMagnitude`).
  @inline(__always) public static func erf(_ x: V) -> V {
    withSign(of: x, 1 - erfcOfMagnitude(x))
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
    // Four independent vectors per iteration: the functions are long dependent chains, and
    // interleaving them hides their latency.
    while i + 64 <= n {
      let v0 = f(loadVector(x + i))
      let v1 = f(loadVector(x + i + 16))
      let v2 = f(loadVector(x + i + 32))
      let v3 = f(loadVector(x + i + 48))
      storeVector(v0, out + i)
      storeVector(v1, out + i + 16)
      storeVector(v2, out + i + 32)
      storeVector(v3, out + i + 48)
      i += 64
    }
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
    while i + 64 <= n {
      let r0 = f(loadVector(a + i), loadVector(b + i))
      let r1 = f(loadVector(a + i + 16), loadVector(b + i + 16))
      let r2 = f(loadVector(a + i + 32), loadVector(b + i + 32))
      let r3 = f(loadVector(a + i + 48), loadVector(b + i + 48))
      storeVector(r0, out + i)
      storeVector(r1, out + i + 16)
      storeVector(r2, out + i + 32)
      storeVector(r3, out + i + 48)
      i += 64
    }
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
    while i + 64 <= n {
      let r0 = f(loadVector(a + i), loadVector(b + i), loadVector(c + i))
      let r1 = f(loadVector(a + i + 16), loadVector(b + i + 16), loadVector(c + i + 16))
      let r2 = f(loadVector(a + i + 32), loadVector(b + i + 32), loadVector(c + i + 32))
      let r3 = f(loadVector(a + i + 48), loadVector(b + i + 48), loadVector(c + i + 48))
      storeVector(r0, out + i)
      storeVector(r1, out + i + 16)
      storeVector(r2, out + i + 32)
      storeVector(r3, out + i + 48)
      i += 64
    }
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
