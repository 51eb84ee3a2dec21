/// `multiHeadAttention` for short sequences, on `AttentionTiles`.
extension Tensor {
  /// The fused attention with every product a register-tiled loop (see `AttentionTiles`). Rows
  /// are taken four at a time; a block's scores are computed only up to the last column the
  /// mask leaves open for any of its rows (rounded up to 16), and every sum over positions
  /// stops where the probabilities it reads become zero, so a causal mask does a little more
  /// than half of the work of the full square. The probabilities kept for backward are zero
  /// past each block's computed columns, exactly as the softmax of the masked scores is.
  func tiledAttention(heads: Int, headDim d: Int, scale alpha: Float, mask: Tensor?) -> Tensor {
    let (b, t, width) = (shape[0], shape[1], heads * d)
    let ld = 3 * width
    let extents = AttentionExtents(t: t, mask: mask?.pointer)
    let out = Tensor(uninitializedShape: [b, t, width])
    let probabilities = TensorStorage(uninitializedCount: b * heads * t * t)
    let (qkv, yp, pp, mp) = (pointer, out.pointer, probabilities.pointer, mask?.pointer)
    Parallel.forEach(b * heads) { bh in
      let (batch, h) = (bh / heads, bh % heads)
      let q = qkv + batch * t * ld + h * d
      let p = pp + bh * t * t
      let y = yp + batch * t * width + h * d
      withUnsafeTemporaryAllocation(of: Float.self, capacity: d * t) { keys in
        let kt = keys.baseAddress!
        AttentionTiles.transpose(q + width, ld: ld, t: t, d: d, into: kt)
        for block in 0..<t / 4 {
          let (i0, columns) = (4 * block, extents.columns[block])
          AttentionTiles.product4(
            columns: columns, depth: d, a: q + i0 * ld, ar: ld, ak: 1, b: kt, ldb: t,
            alpha: alpha, out: p + i0 * t, ldo: t)
          AttentionTiles.softmax4(
            p + i0 * t, ld: t, mask: mp.map { $0 + i0 * t }, columns: columns, t: t)
          AttentionTiles.product4(
            columns: d, depth: extents.depth[block], a: p + i0 * t, ar: t, ak: 1, b: q + 2 * width,
            ldb: ld, alpha: 1, out: y + i0 * width, ldo: width)
        }
      }
    }
    return Tensor.record(out, [self]) { g in
      let gqkv = Tensor(uninitializedShape: self.shape)
      let (gy, gp) = (g.pointer, gqkv.pointer)
      Parallel.forEach(b * heads) { bh in
        let (batch, h) = (bh / heads, bh % heads)
        let q = qkv + batch * t * ld + h * d
        let dq = gp + batch * t * ld + h * d
        let dy = gy + batch * t * width + h * d
        let p = probabilities.pointer + bh * t * t
        withUnsafeTemporaryAllocation(of: Float.self, capacity: d * t + t * t) { scratch in
          let (vt, ds) = (scratch.baseAddress!, scratch.baseAddress! + d * t)
          AttentionTiles.transpose(q + 2 * width, ld: ld, t: t, d: d, into: vt)
          // dP = dY·Vᵀ, dS = softmax'(dP) (zero where P is), dQ = α·dS·K.
          for block in 0..<t / 4 {
            let (i0, columns) = (4 * block, extents.columns[block])
            AttentionTiles.product4(
              columns: columns, depth: d, a: dy + i0 * width, ar: width, ak: 1, b: vt, ldb: t,
              alpha: 1, out: ds + i0 * t, ldo: t)
            for i in i0..<i0 + 4 {
              let row = ds + i * t
              Tensor.softmaxRowGradient(row, p + i * t, row, columns, log: false)
              (row + columns).update(repeating: 0, count: t - columns)
            }
            AttentionTiles.product4(
              columns: d, depth: extents.depth[block], a: ds + i0 * t, ar: t, ak: 1, b: q + width,
              ldb: ld, alpha: alpha, out: dq + i0 * ld, ldo: ld)
          }
          // dV = Pᵀ·dY and dK = α·dSᵀ·Q, over the rows that attend to each block of columns.
          for block in 0..<t / 4 {
            let (j0, start) = (4 * block, extents.firstRow[block])
            AttentionTiles.product4(
              columns: d, depth: t - start, a: p + start * t + j0, ar: 1, ak: t,
              b: dy + start * width, ldb: width, alpha: 1, out: dq + 2 * width + j0 * ld, ldo: ld)
            AttentionTiles.product4(
              columns: d, depth: t - start, a: ds + start * t + j0, ar: 1, ak: t,
              b: q + start * ld, ldb: ld, alpha: alpha, out: dq + width + j0 * ld, ldo: ld)
          }
        }
      }
      self.accumulateGradient(gqkv, shared: false)
    }
  }
}
