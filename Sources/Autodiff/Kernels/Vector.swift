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
}
