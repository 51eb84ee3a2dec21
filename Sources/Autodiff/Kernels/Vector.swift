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

  /// Σ x[i]·y[i], accumulated in Double in index order.
  @inlinable public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int)
    -> Double
  {
    var s = 0.0
    for i in 0..<n { s += Double(x[i]) * Double(y[i]) }
    return s
  }

  /// Σ x[i]², accumulated in Double in index order.
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
