/// Multi-head scaled dot-product attention read straight from a fused query-key-value tensor.
extension Tensor {
  /// `softmax(α·Q·Kᵀ + mask)·V` for every sequence and head, with Q, K and V read where they lie
  /// in `self`, the `(B, T, 3·H·d)` output of one projection: queries in columns `0..<H·d`,
  /// keys in `H·d..<2·H·d`, values after, head `h` at columns `h·d..<(h+1)·d` of each. The
  /// result is `(B, T, H·d)`, heads side by side in the same order.
  ///
  /// The same values as composing `split`, `reshaped`, `permuted`, `matmul(transposeB:alpha:)`,
  /// `softmax(mask:)`, `matmul` and merging the heads back, and the same gradient, bit for bit:
  /// each product and each softmax row runs the same kernels on the same numbers. It saves the
  /// copies into and out of the per-head layout and the zero-filled gradient the split builds;
  /// the attention probabilities `(B, H, T, T)` are kept for backward. `mask` is `(T, T)`.
  ///
  /// Sequences of whole 16-position groups (up to 256) with heads of whole 16-lane vectors run
  /// `tiledAttention` instead: the same sums in the same order, without GEMM calls, and without
  /// the scores the mask removes.
  public func multiHeadAttention(heads: Int, headDim: Int, scale alpha: Float, mask: Tensor?)
    -> Tensor
  {
    precondition(
      rank == 3 && shape[2] == 3 * heads * headDim,
      "multiHeadAttention: input shape \(shape) must be (B, T, 3·\(heads)·\(headDim))")
    let (b, t, width) = (shape[0], shape[1], heads * headDim)
    if let mask {
      precondition(
        mask.shape == [t, t], "multiHeadAttention: mask shape \(mask.shape) must be [\(t), \(t)]")
    }
    if AttentionExtents.applies(t: t, headDim: headDim) {
      return tiledAttention(heads: heads, headDim: headDim, scale: alpha, mask: mask)
    }
    let ld = 3 * width
    let out = Tensor(uninitializedShape: [b, t, width])
    let probabilities = TensorStorage(uninitializedCount: b * heads * t * t)
    let (qkv, yp, pp, mp) = (pointer, out.pointer, probabilities.pointer, mask?.pointer)
    Parallel.forEach(b * heads) { bh in
      let (q, h) = (qkv + (bh / heads) * t * ld + (bh % heads) * headDim, bh % heads)
      let p = pp + bh * t * t
      GEMM.multiply(
        transposeA: false, transposeB: true, m: t, n: t, k: headDim, alpha: alpha, a: q, lda: ld,
        b: q + width, ldb: ld, c: p, ldc: t, threads: 1)
      for r in 0..<t {
        Tensor.softmaxRow(p + r * t, mask: mp.map { $0 + r * t }, p + r * t, t, log: false)
      }
      GEMM.multiply(
        transposeA: false, transposeB: false, m: t, n: headDim, k: t, a: p, lda: t,
        b: q + 2 * width, ldb: ld, c: yp + (bh / heads) * t * width + h * headDim, ldc: width,
        threads: 1)
    }
    return Tensor.record(out, [self]) { g in
      let gqkv = Tensor(uninitializedShape: self.shape)
      let (gy, gp) = (g.pointer, gqkv.pointer)
      Parallel.forEach(b * heads) { bh in
        let (batch, h) = (bh / heads, bh % heads)
        let q = qkv + batch * t * ld + h * headDim
        let dq = gp + batch * t * ld + h * headDim
        let dy = gy + batch * t * width + h * headDim
        let p = probabilities.pointer + bh * t * t
        let dp = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
        defer { dp.deallocate() }
        // dV = Pᵀ·dY, dP = dY·Vᵀ, dS = softmax'(dP), dQ = α·dS·K, dK = α·dSᵀ·Q.
        GEMM.multiply(
          transposeA: true, transposeB: false, m: t, n: headDim, k: t, a: p, lda: t, b: dy,
          ldb: width, c: dq + 2 * width, ldc: ld, threads: 1)
        GEMM.multiply(
          transposeA: false, transposeB: true, m: t, n: t, k: headDim, a: dy, lda: width,
          b: q + 2 * width, ldb: ld, c: dp, ldc: t, threads: 1)
        for r in 0..<t {
          Tensor.softmaxRowGradient(dp + r * t, p + r * t, dp + r * t, t, log: false)
        }
        GEMM.multiply(
          transposeA: false, transposeB: false, m: t, n: headDim, k: t, alpha: alpha, a: dp,
          lda: t, b: q + width, ldb: ld, c: dq, ldc: ld, threads: 1)
        GEMM.multiply(
          transposeA: true, transposeB: false, m: t, n: headDim, k: t, alpha: alpha, a: dp,
          lda: t, b: q, ldb: ld, c: dq + width, ldc: ld, threads: 1)
      }
      self.accumulateGradient(gqkv, shared: false)
    }
  }
}
