// Packing for `GEMM`: copies blocks of op(B) into contiguous, zero-padded panels in exactly the
// order the micro-kernel reads them, so its inner loop walks memory linearly.

/// Packs the `depth × columns` block of op(B) starting at (`row`, `col`) into the panels of
/// `K.panel(remaining:)`: the panel of columns `j ..< j+width` at `dst + j·depth`, k-major
/// (`stride` values per k), columns past the block filled with zeros. `dst` must hold
/// `ceil(columns/K.nr)·K.nr·depth` floats.
@inline(__always)
func packB<K: GEMMMicroKernel>(
  _ kernel: K.Type, transposed: Bool, b: UnsafePointer<Float>, ldb: Int, row: Int, col: Int,
  depth: Int, columns: Int, into dst: UnsafeMutablePointer<Float>
) {
  var panel = dst
  var j = 0
  while j < columns {
    let (width, nr) = K.panel(remaining: columns - j)
    if transposed {
      // op(B)[p, j] = B[j, p]: each output column is a contiguous row of B. Whole square
      // blocks of `K.transposeBlock` are transposed in registers; the rest goes value by value.
      let side = K.transposeBlock
      let blockColumns = width / side * side
      let blockDepth = depth / side * side
      var c0 = 0
      while c0 < blockColumns {
        var p0 = 0
        while p0 < blockDepth {
          let (src, out) = (b + (col + j + c0) * ldb + row + p0, panel + p0 * nr + c0)
          if side == 8 {
            transpose8(src, ldb, into: out, stride: nr)
          } else {
            transpose16(src, ldb, into: out, stride: nr)
          }
          p0 += side
        }
        for c in c0..<(c0 + side) {
          let src = b + (col + j + c) * ldb + row
          for p in blockDepth..<depth { panel[p * nr + c] = src[p] }
        }
        c0 += side
      }
      for c in blockColumns..<nr {
        var out = panel + c
        if c < width {
          let src = b + (col + j + c) * ldb + row
          for p in 0..<depth {
            out.pointee = src[p]
            out += nr
          }
        } else {
          for _ in 0..<depth {
            out.pointee = 0
            out += nr
          }
        }
      }
    } else {
      var src = b + row * ldb + col + j
      var out = panel
      if width == nr {
        for _ in 0..<depth {
          var v = 0
          while v < nr {
            storeVector(loadVector8(src + v), out + v)
            v += 8
          }
          src += ldb
          out += nr
        }
      } else {
        for _ in 0..<depth {
          for c in 0..<width { out[c] = src[c] }
          for c in width..<nr { out[c] = 0 }
          src += ldb
          out += nr
        }
      }
    }
    panel += nr * depth
    j += width
  }
}

/// Packs rows `rows` of op(A) = Aᵀ over `depth` (op(A)[r, p] at `a[p·lda + r]`) into slivers of
/// `mr` rows, each k-major: row `r` of sliver `t` (row `rows.lowerBound + t·mr + r` of op(A)) at
/// depth `p` goes to `dst[t·mr·depth.count + p'·mr + r]`, `p' = p - depth.lowerBound`. A
/// micro-kernel then finds a sliver's `mr` values for one k side by side, where in place they
/// lie at the start of `mr` rows of A `lda` apart: with many k, more cache lines than L1 holds
/// beside the B panel. Rows past the last are left unwritten; the kernels never read them.
@inline(__always)
func packTransposedA(
  a: UnsafePointer<Float>, lda: Int, rows: Range<Int>, depth: Range<Int>, mr: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  let count = depth.count
  let base = a + depth.lowerBound * lda + rows.lowerBound
  var t = 0
  // Four slivers of four rows at a time: the 16 values of one k (a cache line's worth) are read
  // together, and each sliver is written front to back. (One k at a time across all slivers
  // cost a loop turn per four values: packing then took a fifth of the product's time.)
  if mr == 4 {
    while t + 16 <= rows.count {
      var src = base + t
      var out = dst + t * count
      for _ in 0..<count {
        for s in 0..<4 {
          UnsafeMutableRawPointer(out + s * 4 * count).storeBytes(
            of: UnsafeRawPointer(src + 4 * s).loadUnaligned(as: SIMD4<Float>.self),
            as: SIMD4<Float>.self)
        }
        src += lda
        out += 4
      }
      t += 16
    }
  }
  while t < rows.count {
    let height = min(mr, rows.count - t)
    var src = base + t
    var out = dst + t * count
    for _ in 0..<count {
      if height == 4 && mr == 4 {
        UnsafeMutableRawPointer(out).storeBytes(
          of: UnsafeRawPointer(src).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
      } else {
        for r in 0..<height { out[r] = src[r] }
      }
      src += lda
      out += mr
    }
    t += mr
  }
}

/// Writes the transpose of the 8×8 block at `src` (row stride `ldSource`) to `dst` (row stride
/// `stride`): three rounds of the even and odd split of `transpose16`, on eight-lane vectors.
@inline(__always)
func transpose8(
  _ src: UnsafePointer<Float>, _ ldSource: Int, into dst: UnsafeMutablePointer<Float>, stride: Int
) {
  @inline(__always) func split(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> (
    SIMD8<Float>, SIMD8<Float>
  ) {
    let pair = SIMD16<Float>(lowHalf: a, highHalf: b)
    return (pair.evenHalf, pair.oddHalf)
  }
  let r0 = loadVector8(src)
  let r1 = loadVector8(src + 1 * ldSource)
  let r2 = loadVector8(src + 2 * ldSource)
  let r3 = loadVector8(src + 3 * ldSource)
  let r4 = loadVector8(src + 4 * ldSource)
  let r5 = loadVector8(src + 5 * ldSource)
  let r6 = loadVector8(src + 6 * ldSource)
  let r7 = loadVector8(src + 7 * ldSource)
  let (s0, s4) = split(r0, r1)
  let (s1, s5) = split(r2, r3)
  let (s2, s6) = split(r4, r5)
  let (s3, s7) = split(r6, r7)
  let (t0, t4) = split(s0, s1)
  let (t1, t5) = split(s2, s3)
  let (t2, t6) = split(s4, s5)
  let (t3, t7) = split(s6, s7)
  let (u0, u4) = split(t0, t1)
  let (u1, u5) = split(t2, t3)
  let (u2, u6) = split(t4, t5)
  let (u3, u7) = split(t6, t7)
  storeVector(u0, dst)
  storeVector(u1, dst + 1 * stride)
  storeVector(u2, dst + 2 * stride)
  storeVector(u3, dst + 3 * stride)
  storeVector(u4, dst + 4 * stride)
  storeVector(u5, dst + 5 * stride)
  storeVector(u6, dst + 6 * stride)
  storeVector(u7, dst + 7 * stride)
}

/// Writes the transpose of the 16×16 block at `src` (row stride `ldSource`) to `dst` (row stride
/// `stride`): four rounds of splitting pairs of rows into even and odd lanes. A round maps the
/// value in row `v`, lane `l` to row `(l mod 2)·8 + v/2`, lane `(v mod 2)·8 + l/2`, rotating
/// the bits of both indices by one; after four, row and lane have swapped.
@inline(__always)
func transpose16(
  _ src: UnsafePointer<Float>, _ ldSource: Int, into dst: UnsafeMutablePointer<Float>, stride: Int
) {
  @inline(__always) func split(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> (
    SIMD16<Float>, SIMD16<Float>
  ) {
    let pair = SIMD32<Float>(lowHalf: a, highHalf: b)
    return (pair.evenHalf, pair.oddHalf)
  }
  let r0 = loadVector(src)
  let r1 = loadVector(src + 1 * ldSource)
  let r2 = loadVector(src + 2 * ldSource)
  let r3 = loadVector(src + 3 * ldSource)
  let r4 = loadVector(src + 4 * ldSource)
  let r5 = loadVector(src + 5 * ldSource)
  let r6 = loadVector(src + 6 * ldSource)
  let r7 = loadVector(src + 7 * ldSource)
  let r8 = loadVector(src + 8 * ldSource)
  let r9 = loadVector(src + 9 * ldSource)
  let r10 = loadVector(src + 10 * ldSource)
  let r11 = loadVector(src + 11 * ldSource)
  let r12 = loadVector(src + 12 * ldSource)
  let r13 = loadVector(src + 13 * ldSource)
  let r14 = loadVector(src + 14 * ldSource)
  let r15 = loadVector(src + 15 * ldSource)
  let (s0, s8) = split(r0, r1)
  let (s1, s9) = split(r2, r3)
  let (s2, s10) = split(r4, r5)
  let (s3, s11) = split(r6, r7)
  let (s4, s12) = split(r8, r9)
  let (s5, s13) = split(r10, r11)
  let (s6, s14) = split(r12, r13)
  let (s7, s15) = split(r14, r15)
  let (t0, t8) = split(s0, s1)
  let (t1, t9) = split(s2, s3)
  let (t2, t10) = split(s4, s5)
  let (t3, t11) = split(s6, s7)
  let (t4, t12) = split(s8, s9)
  let (t5, t13) = split(s10, s11)
  let (t6, t14) = split(s12, s13)
  let (t7, t15) = split(s14, s15)
  let (u0, u8) = split(t0, t1)
  let (u1, u9) = split(t2, t3)
  let (u2, u10) = split(t4, t5)
  let (u3, u11) = split(t6, t7)
  let (u4, u12) = split(t8, t9)
  let (u5, u13) = split(t10, t11)
  let (u6, u14) = split(t12, t13)
  let (u7, u15) = split(t14, t15)
  let (w0, w8) = split(u0, u1)
  let (w1, w9) = split(u2, u3)
  let (w2, w10) = split(u4, u5)
  let (w3, w11) = split(u6, u7)
  let (w4, w12) = split(u8, u9)
  let (w5, w13) = split(u10, u11)
  let (w6, w14) = split(u12, u13)
  let (w7, w15) = split(u14, u15)
  storeVector(w0, dst)
  storeVector(w1, dst + 1 * stride)
  storeVector(w2, dst + 2 * stride)
  storeVector(w3, dst + 3 * stride)
  storeVector(w4, dst + 4 * stride)
  storeVector(w5, dst + 5 * stride)
  storeVector(w6, dst + 6 * stride)
  storeVector(w7, dst + 7 * stride)
  storeVector(w8, dst + 8 * stride)
  storeVector(w9, dst + 9 * stride)
  storeVector(w10, dst + 10 * stride)
  storeVector(w11, dst + 11 * stride)
  storeVector(w12, dst + 12 * stride)
  storeVector(w13, dst + 13 * stride)
  storeVector(w14, dst + 14 * stride)
  storeVector(w15, dst + 15 * stride)
}
