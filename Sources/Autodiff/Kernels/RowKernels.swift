/// Row-wise reductions used by softmax and cross-entropy.
extension Kernels {
  /// The largest of `x[0..<n]` (−∞ for n = 0). A NaN entry is skipped when its sign bit is clear
  /// (as for `Float.nan`) and may be returned otherwise.
  @inline(__always)
  public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = SIMD16<Float>(repeating: -.infinity)
    var i = 0
    while i + 16 <= n {
      let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      // v where m − v is negative (v > m); a NaN v gives a NaN difference and is skipped
      // unless that NaN has its sign bit set.
      m = VectorMath.blend(VectorMath.signMask(m - v), v, m)
      i += 16
    }
    var r = -Float.infinity
    for j in 0..<16 { r = Swift.max(r, m[j]) }
    while i < n {
      r = Swift.max(r, x[i])
      i += 1
    }
    return r
  }

  /// `out[i] = e^(x[i] − shift)` and returns their sum (accumulated 16 lanes wide).
  @inline(__always)
  public static func expShifted(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, shift: Float
  ) -> Float {
    var s = SIMD16<Float>(repeating: 0)
    var i = 0
    let sh = SIMD16<Float>(repeating: shift)
    while i + 16 <= n {
      let e = VectorMath.exp(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - sh)
      UnsafeMutableRawPointer(out + i).storeBytes(of: e, as: SIMD16<Float>.self)
      s += e
      i += 16
    }
    if i < n {
      var v = SIMD16<Float>(repeating: -.infinity)
      for j in 0..<(n - i) { v[j] = x[i + j] }
      let e = VectorMath.exp(v - sh)
      for j in 0..<(n - i) { out[i + j] = e[j] }
      s += e
    }
    return VectorMath.total(s)
  }

  /// Σ x[i] (16 lanes wide).
  @inline(__always)
  public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var s = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n {
      s += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      i += 16
    }
    var r = VectorMath.total(s)
    while i < n {
      r += x[i]
      i += 1
    }
    return r
  }

  /// Σ x[i]·y[i] (16 lanes wide, Float accumulation).
  @inline(__always)
  public static func dotFloat(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int)
    -> Float
  {
    var s = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n {
      let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
      let b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
      s = VectorMath.fma(a, b, s)
      i += 16
    }
    var r = VectorMath.total(s)
    while i < n {
      r += x[i] * y[i]
      i += 1
    }
    return r
  }
}
