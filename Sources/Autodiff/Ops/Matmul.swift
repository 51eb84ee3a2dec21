/// Matrix products, 2-d and batched, with transpose flags so that no operand is ever copied.
extension Tensor {
  /// `op(a) · op(b)` where `op` transposes the last two axes when its flag is set.
  ///
  /// Shapes: `a` is `(…, M, K)` (or `(…, K, M)` transposed), `b` is `(…, K, N)` (or `(…, N, K)`).
  /// Either both have the same leading (batch) axes, or `b` is 2-d and shared by every batch
  /// entry of `a`. The result is `(…, M, N)`.
  ///
  /// Fused extras, each saving a pass over the result and its gradient: the product is scaled
  /// by `alpha` inside the GEMM, and `bias` (shape `(N)`) is added to every row. Checked against
  /// the composed `matmul(…) * alpha + bias` in the tests.
  public func matmul(
    _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1,
    bias: Tensor? = nil
  ) -> Tensor {
    let a = self
    precondition(
      a.rank >= 2 && b.rank >= 2,
      "matmul: operands must have rank ≥ 2, got \(a.shape) and \(b.shape)")
    let batchShape = Array(a.shape.dropLast(2))
    let sharedB = b.rank == 2 && a.rank > 2
    precondition(
      sharedB || Array(b.shape.dropLast(2)) == batchShape,
      "matmul: batch axes of \(a.shape) and \(b.shape) differ (b must match them or be 2-d)")
    let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let (m, k) = transposeA ? (ac, ar) : (ar, ac)
    let (k2, n) = transposeB ? (bc, br) : (br, bc)
    precondition(
      k == k2,
      "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")"
    )
    if let bias {
      precondition(
        bias.shape == [n],
        "matmul: bias shape \(bias.shape) must be [\(n)] for a product with \(n) columns")
    }
    let batch = Shape.count(batchShape)
    let out = Tensor(uninitializedShape: batchShape + [m, n])
    Tensor.gemm(
      transposeA, transposeB, m, n, k, a.pointer, ac, ar * ac, b.pointer, bc,
      sharedB ? 0 : br * bc, out.pointer, n, m * n, batch, accumulate: false, alpha: alpha)
    if let bias { Kernels.addRowVector(out.pointer, bias.pointer, rows: batch * m, n) }

    return Tensor.record(out, bias.map { [a, b, $0] } ?? [a, b]) { g in
      if let bias, bias.requiresGrad {
        let gBias = Tensor(uninitializedShape: [n])
        Kernels.columnSums(g.pointer, rows: batch * m, n, into: gBias.pointer)
        bias.accumulateGradient(gBias, shared: false)
      }
      if a.requiresGrad {
        let ga = Tensor(uninitializedShape: a.shape)
        if !transposeA {  // dA = G · op(B)ᵀ
          Tensor.gemm(
            false, !transposeB, m, k, n, g.pointer, n, m * n, b.pointer, bc,
            sharedB ? 0 : br * bc, ga.pointer, ac, ar * ac, batch, accumulate: false, alpha: alpha)
        } else {  // dA = op(B) · Gᵀ
          Tensor.gemm(
            transposeB, true, k, m, n, b.pointer, bc, sharedB ? 0 : br * bc, g.pointer, n,
            m * n, ga.pointer, ac, ar * ac, batch, accumulate: false, alpha: alpha)
        }
        a.accumulateGradient(ga, shared: false)
      }
      if b.requiresGrad {
        let gb = Tensor(uninitializedShape: b.shape)
        // A shared b sums its gradient over the batch: accumulate into one matrix.
        let (bStride, reduceBatch) = sharedB ? (0, true) : (br * bc, false)
        if !transposeB {  // dB = op(A)ᵀ · G
          Tensor.gemm(
            !transposeA, false, k, n, m, a.pointer, ac, ar * ac, g.pointer, n, m * n,
            gb.pointer, bc, bStride, batch, accumulate: false, alpha: alpha,
            reduceBatch: reduceBatch)
        } else {  // dB = Gᵀ · op(A)
          Tensor.gemm(
            true, transposeA, n, k, m, g.pointer, n, m * n, a.pointer, ac, ar * ac,
            gb.pointer, bc, bStride, batch, accumulate: false, alpha: alpha,
            reduceBatch: reduceBatch)
        }
        b.accumulateGradient(gb, shared: false)
      }
    }
  }

  /// A batch of products `C_i = op(A_i)·op(B_i)`; a stride of 0 shares an operand. With
  /// `reduceBatch`, every `C_i` is the same matrix and the products are summed into it in batch
  /// order.
  static func gemm(
    _ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ lda: Int, _ strideA: Int,
    _ b: UnsafePointer<Float>, _ ldb: Int, _ strideB: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ strideC: Int, _ batch: Int,
    accumulate: Bool, alpha: Float = 1, reduceBatch: Bool = false
  ) {
    if reduceBatch && tA && !tB && strideA == k * lda && strideB == k * ldb {
      // Σ_i A_iᵀ B_i over row-stacked operands is one product with a batch-times-longer inner axis.
      GEMM.multiply(
        transposeA: true, transposeB: false, m: m, n: n, k: k * batch, alpha: alpha, a: a, lda: lda,
        b: b,
        ldb: ldb, beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    } else if reduceBatch || batch == 1 {
      for i in 0..<batch {
        GEMM.multiply(
          transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: alpha, a: a + i * strideA,
          lda: lda,
          b: b + i * strideB, ldb: ldb, beta: accumulate || i > 0 ? 1 : 0,
          c: c + (reduceBatch ? 0 : i * strideC), ldc: ldc)
      }
      if batch == 0 && !accumulate { c.update(repeating: 0, count: m * n) }
    } else if strideB == 0 && !tA && lda == k && strideA == m * k && strideC == m * n {
      // A shared right operand: the batch is one tall product.
      GEMM.multiply(
        transposeA: false, transposeB: tB, m: m * batch, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: b,
        ldb: ldb, beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    } else {
      GEMM.batchedMultiply(
        transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
        strideA: strideA,
        b: b, ldb: ldb, strideB: strideB, beta: accumulate ? 1 : 0, c: c, ldc: ldc,
        strideC: strideC, batch: batch)
    }
  }
}
