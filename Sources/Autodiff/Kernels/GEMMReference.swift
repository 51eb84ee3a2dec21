/// The plain three-loop twin of `GEMM`, kept as the reference the fast kernel is tested against.
///
/// Same semantics as `GEMM.multiply`: row-major `C = alpha·op(A)·op(B) + beta·C`, where `op(A)`
/// is `m × k` and `op(B)` is `k × n`. Each dot product is accumulated in `Double` and rounded to
/// `Float` once, so it is more accurate than the fast kernel, not bit-equal to it. When
/// `beta == 0` the old contents of C are never read (NaN there is overwritten).
/// Cost: `m·n·k` multiply-adds, no blocking; for tests and small checks only.
public enum GEMMReference {
  /// See the type's documentation. `lda`, `ldb`, `ldc` are the row strides (in elements) of the
  /// matrices as stored, before any transposition.
  public static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        for p in 0..<k {
          let x = transposeA ? a[p * lda + i] : a[i * lda + p]
          let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          sum += Double(x) * Double(y)
        }
        let product = Double(alpha) * sum
        c[i * ldc + j] =
          beta == 0 ? Float(product) : Float(product + Double(beta) * Double(c[i * ldc + j]))
      }
    }
  }

  /// `batch` independent products; matrix `t` starts at `a + t·strideA`, `b + t·strideB`,
  /// `c + t·strideC`.
  public static func batchedMultiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int,
    strideB: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, batch: Int
  ) {
    for t in 0..<batch {
      multiply(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
        a: a + t * strideA, lda: lda, b: b + t * strideB, ldb: ldb, beta: beta,
        c: c + t * strideC, ldc: ldc)
    }
  }
}
