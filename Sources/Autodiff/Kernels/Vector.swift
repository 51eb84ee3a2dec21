/// Plain loops over contiguous Float32 buffers, written so the compiler vectorizes them.
public enum Kernels {
  @inlinable public static func add(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ n: Int
  ) {
    for i in 0..<n { out[i] = a[i] + b[i] }
  }

  @inlinable public static func addInPlace(
    _ acc: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { acc[i] += b[i] }
  }

  @inlinable public static func scale(
    _ x: UnsafePointer<Float>, _ s: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    for i in 0..<n { out[i] = x[i] * s }
  }

  /// Σ x[i]·y[i], accumulated in Double: sixteen partial sums (over i mod 16, each in index
  /// order, two 8-lane vectors so that the additions run side by side), added as
  /// `VectorMath.total` adds lanes, then the tail in order. Each product of two floats is exact
  /// in Double, so only the order of the additions rounds.
  @inlinable public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int)
    -> Double
  {
    var (s0, s1) = (SIMD8<Double>(), SIMD8<Double>())
    var i = 0
    while i + 16 <= n {
      s0 += widened(x + i) * widened(y + i)
      s1 += widened(x + i + 8) * widened(y + i + 8)
      i += 16
    }
    let s8 = s0 + s1
    let s4 = s8.lowHalf + s8.highHalf
    let s2 = s4.lowHalf + s4.highHalf
    var total = s2.x + s2.y
    while i < n {
      total += Double(x[i]) * Double(y[i])
      i += 1
    }
    return total
  }

  /// `x[0..<8]` in Double. Written lane by lane, which compiles to one widening load; the
  /// vector form `SIMD8<Double>(SIMD8<Float>)` becomes a long run of scalar conversions and
  /// shuffles.
  @inlinable @inline(__always) static func widened(_ x: UnsafePointer<Float>) -> SIMD8<Double> {
    SIMD8<Double>(
      Double(x[0]), Double(x[1]), Double(x[2]), Double(x[3]), Double(x[4]), Double(x[5]),
      Double(x[6]), Double(x[7]))
  }

  /// Σ x[i]², accumulated in Double as `dot`.
  @inlinable public static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    dot(x, x, n)
  }

  /// `x[r·n + j] += v[j]` for every row `r` of `rows` (a bias added to each row), 16 lanes wide.
  public static func addRowVector(
    _ x: UnsafeMutablePointer<Float>, _ v: UnsafePointer<Float>, rows: Int, _ n: Int
  ) {
    for r in 0..<rows { addInPlace16(x + r * n, v, n) }
  }

  /// `out[j] = Σ_r x[r·n + j]`, summed in row order (a bias gradient), 16 lanes wide.
  public static func columnSums(
    _ x: UnsafePointer<Float>, rows: Int, _ n: Int, into out: UnsafeMutablePointer<Float>
  ) {
    out.update(repeating: 0, count: n)
    for r in 0..<rows { addInPlace16(out, x + r * n, n) }
  }

  /// `acc[i] += b[i]` with explicit 16-lane loads and stores (no aliasing checks needed).
  @inline(__always)
  public static func addInPlace16(
    _ acc: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int
  ) {
    var i = 0
    while i + 16 <= n {
      let u = UnsafeRawPointer(acc + i).loadUnaligned(as: SIMD16<Float>.self)
      let v = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(acc + i).storeBytes(of: u + v, as: SIMD16<Float>.self)
      i += 16
    }
    while i < n {
      acc[i] += b[i]
      i += 1
    }
  }

  /// Copies `n` floats; short rows (a head's 16 values, a width of 64) are copied inline, 16
  /// lanes at a time, instead of through a library call each.
  @inline(__always)
  public static func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int)
  {
    if n >= 256 {
      dst.update(from: src, count: n)
      return
    }
    var i = 0
    while i + 16 <= n {
      UnsafeMutableRawPointer(dst + i).storeBytes(
        of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
      i += 16
    }
    while i < n {
      dst[i] = src[i]
      i += 1
    }
  }
}
