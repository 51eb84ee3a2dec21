/// Row kernels of layer norm, 16 lanes wide with scalar tails. Shapes: one row of `c` values.
extension Kernels {
  @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always) static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  /// Normalizes `x` to `h = (x − mean)·rstd` and writes `y = h·w + b` (`w`, `b` optional);
  /// returns `rstd = 1/√(var + eps)` (biased variance).
  @inline(__always)
  static func layerNormRow(
    _ x: UnsafePointer<Float>, _ c: Int, eps: Float, _ w: UnsafePointer<Float>?,
    _ b: UnsafePointer<Float>?, _ h: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>
  ) -> Float {
    let mean = sum(x, c) / Float(c)
    let mv = SIMD16<Float>(repeating: mean)
    var vv = SIMD16<Float>()
    var i = 0
    while i + 16 <= c {
      let d = load16(x + i) - mv
      vv += d * d
      i += 16
    }
    var v = VectorMath.total(vv)
    for j in i..<c {
      let d = x[j] - mean
      v += d * d
    }
    let s = 1 / (v / Float(c) + eps).squareRoot()
    let sv = SIMD16<Float>(repeating: s)
    i = 0
    while i + 16 <= c {
      let n = (load16(x + i) - mv) * sv
      store16(n, h + i)
      var out = n
      if let w { out = out * load16(w + i) }
      if let b { out = out + load16(b + i) }
      store16(out, y + i)
      i += 16
    }
    for j in i..<c {
      let n = (x[j] - mean) * s
      h[j] = n
      y[j] = n * (w?[j] ?? 1) + (b?[j] ?? 0)
    }
    return s
  }

  /// `dx = rstd · (ĝ − mean(ĝ) − h · mean(ĝ ⊙ h))` with `ĝ = g ⊙ w` for one row.
  @inline(__always)
  static func layerNormBackwardRow(
    _ g: UnsafePointer<Float>, _ h: UnsafePointer<Float>, _ w: UnsafePointer<Float>?,
    _ rstd: Float, _ c: Int, _ dx: UnsafeMutablePointer<Float>
  ) {
    var m1v = SIMD16<Float>()
    var m2v = SIMD16<Float>()
    var i = 0
    while i + 16 <= c {
      var gh = load16(g + i)
      if let w { gh = gh * load16(w + i) }
      m1v += gh
      m2v += gh * load16(h + i)
      i += 16
    }
    var m1 = VectorMath.total(m1v)
    var m2 = VectorMath.total(m2v)
    for j in i..<c {
      let gh = g[j] * (w?[j] ?? 1)
      m1 += gh
      m2 += gh * h[j]
    }
    m1 /= Float(c)
    m2 /= Float(c)
    let (m1s, m2s, sv) = (
      SIMD16<Float>(repeating: m1), SIMD16<Float>(repeating: m2), SIMD16<Float>(repeating: rstd)
    )
    i = 0
    while i + 16 <= c {
      var gh = load16(g + i)
      if let w { gh = gh * load16(w + i) }
      store16(sv * (gh - m1s - load16(h + i) * m2s), dx + i)
      i += 16
    }
    for j in i..<c { dx[j] = rstd * (g[j] * (w?[j] ?? 1) - m1 - h[j] * m2) }
  }

  /// `acc[i] += a[i]·b[i]` (16 lanes wide).
  @inline(__always)
  static func addProductInPlace(
    _ acc: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ n: Int
  ) {
    var i = 0
    while i + 16 <= n {
      store16(load16(acc + i) + load16(a + i) * load16(b + i), acc + i)
      i += 16
    }
    for j in i..<n { acc[j] += a[j] * b[j] }
  }
}
