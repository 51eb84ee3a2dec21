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

  /// Σ x[i]·y[i], accumulated in Double: eight partial sums (over i mod 8, each in index order,
  /// so that eight additions are in flight instead of one chain), added pairwise at the end.
  @inlinable public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int)
    -> Double
  {
    var (s0, s1, s2, s3, s4, s5, s6, s7) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    var i = 0
    while i + 8 <= n {
      s0 += Double(x[i]) * Double(y[i])
      s1 += Double(x[i + 1]) * Double(y[i + 1])
      s2 += Double(x[i + 2]) * Double(y[i + 2])
      s3 += Double(x[i + 3]) * Double(y[i + 3])
      s4 += Double(x[i + 4]) * Double(y[i + 4])
      s5 += Double(x[i + 5]) * Double(y[i + 5])
      s6 += Double(x[i + 6]) * Double(y[i + 6])
      s7 += Double(x[i + 7]) * Double(y[i + 7])
      i += 8
    }
    while i < n {
      s0 += Double(x[i]) * Double(y[i])
      i += 1
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
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
