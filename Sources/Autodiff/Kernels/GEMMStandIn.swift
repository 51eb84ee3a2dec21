// Temporary naive GEMM with the final kernel's interface.
public enum GEMM {
  public static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var s: Float = 0
        for p in 0..<k {
          let x = transposeA ? a[p * lda + i] : a[i * lda + p]
          let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          s += x * y
        }
        c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
      }
    }
  }

  public static func batchedMultiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int,
    strideB: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
    batch: Int, threads: Int? = nil
  ) {
    for i in 0..<batch {
      multiply(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
        a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
        c: c + i * strideC, ldc: ldc)
    }
  }
}
