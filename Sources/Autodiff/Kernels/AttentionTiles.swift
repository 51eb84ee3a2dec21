/// Register-tiled products for attention over short sequences (a few dozen positions, heads of
/// 16 to 128 dimensions), where a general GEMM call costs more in packing, edge tiles and setup
/// than the arithmetic it does. Every product is `out = α·A·B` over rows of four and columns in
/// 32- and 16-wide panels, its depth summed in order with one fused multiply-add per term, as
/// the GEMM's micro-kernels do; A is read with any row and depth strides, so `Aᵀ` costs nothing.
enum AttentionTiles {
  typealias V = SIMD16<Float>

  /// `out[r·ldo + c] = α·Σ_{k<depth} a[r·ar + k·ak]·b[k·ldb + c]` for `r < 4`, `c < columns`;
  /// `columns` is a multiple of 16. An empty depth writes zeros.
  @inline(__always)
  static func product4(
    columns: Int, depth: Int, a: UnsafePointer<Float>, ar: Int, ak: Int, b: UnsafePointer<Float>,
    ldb: Int, alpha: Float, out: UnsafeMutablePointer<Float>, ldo: Int
  ) {
    var c = 0
    // Eight 16-lane accumulators take all sixteen registers of a 256-bit machine; there the
    // tiles are 16 columns wide.
    let pairs = wide ? columns / 32 : 0
    for _ in 0..<pairs {
      panel4x32(
        depth: depth, a: a, ar: ar, ak: ak, b: b + c, ldb: ldb, alpha: alpha, out: out + c,
        ldo: ldo)
      c += 32
    }
    while c < columns {
      panel4x16(
        depth: depth, a: a, ar: ar, ak: ak, b: b + c, ldb: ldb, alpha: alpha, out: out + c,
        ldo: ldo)
      c += 16
    }
  }

  /// Whether 512-bit registers hold a 16-lane vector each (as for the GEMM's wide kernels).
  static let wide = GEMM.kernel == .wide

  /// Four rows by 32 columns: eight accumulators, enough to keep two FMA units busy through
  /// their latency.
  @inline(__always)
  static func panel4x32(
    depth: Int, a: UnsafePointer<Float>, ar: Int, ak: Int, b: UnsafePointer<Float>, ldb: Int,
    alpha: Float, out: UnsafeMutablePointer<Float>, ldo: Int
  ) {
    var (c00, c01, c10, c11) = (V(), V(), V(), V())
    var (c20, c21, c30, c31) = (V(), V(), V(), V())
    var (pa, pb) = (a, b)
    for _ in 0..<depth {
      let b0 = loadVector(pb)
      let b1 = loadVector(pb + 16)
      var x = V(repeating: pa[0])
      c00 = VectorMath.fma(x, b0, c00)
      c01 = VectorMath.fma(x, b1, c01)
      x = V(repeating: pa[ar])
      c10 = VectorMath.fma(x, b0, c10)
      c11 = VectorMath.fma(x, b1, c11)
      x = V(repeating: pa[2 * ar])
      c20 = VectorMath.fma(x, b0, c20)
      c21 = VectorMath.fma(x, b1, c21)
      x = V(repeating: pa[3 * ar])
      c30 = VectorMath.fma(x, b0, c30)
      c31 = VectorMath.fma(x, b1, c31)
      pa += ak
      pb += ldb
    }
    let s = V(repeating: alpha)
    storeVector(s * c00, out)
    storeVector(s * c01, out + 16)
    storeVector(s * c10, out + ldo)
    storeVector(s * c11, out + ldo + 16)
    storeVector(s * c20, out + 2 * ldo)
    storeVector(s * c21, out + 2 * ldo + 16)
    storeVector(s * c30, out + 3 * ldo)
    storeVector(s * c31, out + 3 * ldo + 16)
  }

  /// Four rows by 16 columns, for the last panel of an odd number of 16-column groups.
  @inline(__always)
  static func panel4x16(
    depth: Int, a: UnsafePointer<Float>, ar: Int, ak: Int, b: UnsafePointer<Float>, ldb: Int,
    alpha: Float, out: UnsafeMutablePointer<Float>, ldo: Int
  ) {
    var (c0, c1, c2, c3) = (V(), V(), V(), V())
    var (pa, pb) = (a, b)
    for _ in 0..<depth {
      let b0 = loadVector(pb)
      c0 = VectorMath.fma(V(repeating: pa[0]), b0, c0)
      c1 = VectorMath.fma(V(repeating: pa[ar]), b0, c1)
      c2 = VectorMath.fma(V(repeating: pa[2 * ar]), b0, c2)
      c3 = VectorMath.fma(V(repeating: pa[3 * ar]), b0, c3)
      pa += ak
      pb += ldb
    }
    let s = V(repeating: alpha)
    storeVector(s * c0, out)
    storeVector(s * c1, out + ldo)
    storeVector(s * c2, out + 2 * ldo)
    storeVector(s * c3, out + 3 * ldo)
  }

  /// The rest of one row's softmax once its mask is added: `row = e^{row − largest}` over its
  /// sum, or all zeros when nothing is left open (`largest` is −∞).
  @inline(__always)
  static func normalize(_ row: UnsafeMutablePointer<Float>, largest: Float, columns: Int) {
    if largest == -.infinity {
      row.update(repeating: 0, count: columns)
      return
    }
    let shift = V(repeating: largest)
    var total = V()
    var c = 0
    while c < columns {
      let e = VectorMath.exp(loadVector(row + c) - shift)
      storeVector(e, row + c)
      total += e
      c += 16
    }
    let inverse = V(repeating: 1 / VectorMath.total(total))
    c = 0
    while c < columns {
      storeVector(loadVector(row + c) * inverse, row + c)
      c += 16
    }
  }

  /// `row = softmax(row + mask)` for the four rows `rows + r·ld` (`r < 4`), each over its
  /// first `columns` values (a multiple of 16) with the mask row `mask + r·ld`, then zeros up
  /// to `t`. The same arithmetic in the same order as `Tensor.softmaxRow` (lane-wise maximum
  /// and sum, one division) for each row, written inline for rows this short, with the four
  /// rows' passes interleaved: one row alone is a chain of dependent steps (its exponentials,
  /// lane reductions and division), which the others' overlap. A row with nothing left open is
  /// all zeros.
  @inline(__always)
  static func softmax4(
    _ rows: UnsafeMutablePointer<Float>, ld: Int, mask: UnsafePointer<Float>?, columns: Int,
    t: Int
  ) {
    let (r0, r1, r2, r3) = (rows, rows + ld, rows + 2 * ld, rows + 3 * ld)
    var (m0, m1, m2, m3) = (
      V(repeating: -.infinity), V(repeating: -.infinity), V(repeating: -.infinity),
      V(repeating: -.infinity)
    )
    @inline(__always) func larger(_ m: V, _ v: V) -> V {
      VectorMath.blend(VectorMath.signMask(m - v), v, m)
    }
    var c = 0
    while c < columns {
      var (v0, v1, v2, v3) = (
        loadVector(r0 + c), loadVector(r1 + c), loadVector(r2 + c), loadVector(r3 + c)
      )
      if let mask {
        v0 += loadVector(mask + c)
        v1 += loadVector(mask + ld + c)
        v2 += loadVector(mask + 2 * ld + c)
        v3 += loadVector(mask + 3 * ld + c)
        storeVector(v0, r0 + c)
        storeVector(v1, r1 + c)
        storeVector(v2, r2 + c)
        storeVector(v3, r3 + c)
      }
      (m0, m1, m2, m3) = (larger(m0, v0), larger(m1, v1), larger(m2, v2), larger(m3, v3))
      c += 16
    }
    let largest = (
      VectorMath.largestLane(m0), VectorMath.largestLane(m1), VectorMath.largestLane(m2),
      VectorMath.largestLane(m3)
    )
    if largest.0 == -.infinity || largest.1 == -.infinity || largest.2 == -.infinity
      || largest.3 == -.infinity
    {
      normalize(r0, largest: largest.0, columns: columns)
      normalize(r1, largest: largest.1, columns: columns)
      normalize(r2, largest: largest.2, columns: columns)
      normalize(r3, largest: largest.3, columns: columns)
    } else {
      let (s0, s1, s2, s3) = (
        V(repeating: largest.0), V(repeating: largest.1), V(repeating: largest.2),
        V(repeating: largest.3)
      )
      var (t0, t1, t2, t3) = (V(), V(), V(), V())
      c = 0
      while c < columns {
        let e0 = VectorMath.exp(loadVector(r0 + c) - s0)
        let e1 = VectorMath.exp(loadVector(r1 + c) - s1)
        let e2 = VectorMath.exp(loadVector(r2 + c) - s2)
        let e3 = VectorMath.exp(loadVector(r3 + c) - s3)
        storeVector(e0, r0 + c)
        storeVector(e1, r1 + c)
        storeVector(e2, r2 + c)
        storeVector(e3, r3 + c)
        (t0, t1, t2, t3) = (t0 + e0, t1 + e1, t2 + e2, t3 + e3)
        c += 16
      }
      let (i0, i1, i2, i3) = (
        V(repeating: 1 / VectorMath.total(t0)), V(repeating: 1 / VectorMath.total(t1)),
        V(repeating: 1 / VectorMath.total(t2)), V(repeating: 1 / VectorMath.total(t3))
      )
      c = 0
      while c < columns {
        storeVector(loadVector(r0 + c) * i0, r0 + c)
        storeVector(loadVector(r1 + c) * i1, r1 + c)
        storeVector(loadVector(r2 + c) * i2, r2 + c)
        storeVector(loadVector(r3 + c) * i3, r3 + c)
        c += 16
      }
    }
    for r in 0..<4 { (rows + r * ld + columns).update(repeating: 0, count: t - columns) }
  }

  /// `out[c·t + j] = x[j·ld + c]` for `j < t`, `c < d`: one head's keys or values turned so
  /// that a row of scores is a run of contiguous columns. Four rows at a time (`t` is a
  /// multiple of 16), each column's four values one store, the output walked by pointer: 2.4x
  /// faster than the element loop with its index products.
  @inline(__always)
  static func transpose(
    _ x: UnsafePointer<Float>, ld: Int, t: Int, d: Int, into out: UnsafeMutablePointer<Float>
  ) {
    for j in stride(from: 0, to: t, by: 4) {
      let r0 = x + j * ld
      let (r1, r2, r3) = (r0 + ld, r0 + 2 * ld, r0 + 3 * ld)
      var o = UnsafeMutableRawPointer(out + j)
      for c in 0..<d {
        o.storeBytes(of: SIMD4<Float>(r0[c], r1[c], r2[c], r3[c]), as: SIMD4<Float>.self)
        o += 4 * t
      }
    }
  }
}

/// Which scores of each query row can be nonzero: the columns before the row's last entry that
/// the additive mask leaves finite. Rows are taken four at a time, as the tiles compute them.
struct AttentionExtents: Sendable {
  /// For each block of four rows: one past the last column any of them attends to.
  let depth: [Int]
  /// The same rounded up to a multiple of 16 (at most `t`): the score columns computed.
  let columns: [Int]
  /// For each block of four columns: the first row that attends to any of them (`t` if none).
  let firstRow: [Int]

  /// Whether the tiles apply: whole 16-column groups, heads of whole vectors, and sequences
  /// short enough that rereading a head's keys for every four rows stays in cache.
  static func applies(t: Int, headDim: Int) -> Bool {
    t > 0 && t % 16 == 0 && t <= 256 && headDim > 0 && headDim % 16 == 0 && headDim <= 128
  }

  init(t: Int, mask: UnsafePointer<Float>?) {
    var rowEnd = [Int](repeating: t, count: t)
    if let mask {
      for i in 0..<t {
        var end = t
        while end > 0 && mask[i * t + end - 1] == -.infinity { end -= 1 }
        rowEnd[i] = end
      }
    }
    let blocks = t / 4
    depth = (0..<blocks).map { rowEnd[4 * $0..<4 * $0 + 4].max()! }
    columns = depth.map { Swift.min(t, ($0 + 15) / 16 * 16) }
    firstRow = (0..<blocks).map { block in
      rowEnd.firstIndex(where: { $0 > 4 * block }) ?? t
    }
  }
}
