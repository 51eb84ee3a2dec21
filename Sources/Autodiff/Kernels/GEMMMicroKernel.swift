// Register-blocked micro-kernels for `GEMM`.
//
// A micro-kernel multiplies one packed MR×kc sliver of A (k-major: MR values per k) by one
// packed kc×NR sliver of B (NR values per k), keeping the whole MR×NR block of C in vector
// registers, then merges it into C as `alpha·acc + beta·C` (C not read when beta == 0).
// Every element of C is a single fused multiply-add chain over k in increasing order, whatever
// tile it falls in, so the result does not depend on how the work is split between threads.

/// Fused multiply-add on 16 lanes: `acc + x·y`. Without `BETTI_FMA` (portable builds) the
/// compiler cannot emit vector FMA instructions, and `addingProduct` would become a per-lane
/// library call, so a separate multiply and add is used instead (results then differ in the
/// last bit from FMA builds).
@inline(__always)
func fusedMultiplyAdd(_ acc: SIMD16<Float>, _ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
  #if BETTI_FMA
    return acc.addingProduct(x, y)
  #else
    return acc + x * y
  #endif
}

@inline(__always)
func loadVector(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func storeVector(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// Merges one row of accumulators into C: `alpha·acc + beta·C`, or `alpha·acc` when beta == 0.
@inline(__always)
func mergeRow(_ acc: SIMD16<Float>, _ alpha: Float, _ beta: Float, _ c: UnsafeMutablePointer<Float>) {
  if beta == 0 {
    storeVector(alpha * acc, c)
  } else {
    storeVector(alpha * acc + beta * loadVector(c), c)
  }
}

/// Merges a partial tile from `scratch` (row stride `nr`) into C with the same arithmetic as
/// `mergeRow`, one element at a time.
@inline(__always)
func mergeEdge(
  _ scratch: UnsafePointer<Float>, nr: Int, rows: Int, columns: Int, alpha: Float, beta: Float,
  c: UnsafeMutablePointer<Float>, ldc: Int
) {
  for r in 0..<rows {
    let src = scratch + r * nr
    let dst = c + r * ldc
    if beta == 0 {
      for j in 0..<columns { dst[j] = alpha * src[j] }
    } else {
      for j in 0..<columns { dst[j] = alpha * src[j] + beta * dst[j] }
    }
  }
}

/// The shape of a micro-kernel and the cache blocking that goes with it.
protocol GEMMMicroKernel {
  /// Rows of C per micro-tile (A panel height).
  static var mr: Int { get }
  /// Columns of C per micro-tile (B panel width), a multiple of 16.
  static var nr: Int { get }
  /// Rows of A packed at once (sized for the L2 cache), a multiple of `mr`.
  static var mc: Int { get }
  /// Depth of one packed block (sized so a B sliver stays in L1).
  static var kc: Int { get }
  /// Columns of B packed at once (sized for the L3 cache), a multiple of `nr`.
  static var nc: Int { get }
  /// Computes one tile; `rows <= mr`, `columns <= nr`; `scratch` holds `mr·nr` floats.
  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>)
}

/// 6×16 tile, 6 sixteen-lane accumulators: 12 of the 16 ymm registers on AVX2 (and 24 of the 32
/// NEON registers on arm64). The right shape where vectors are 256 bits or narrower.
enum Kernel6x16: GEMMMicroKernel {
  static var mr: Int { 6 }
  static var nr: Int { 16 }
  static var mc: Int { 144 }
  static var kc: Int { 256 }
  static var nc: Int { 4080 }

  @inline(never)
  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    var c0 = SIMD16<Float>()
    var c1 = c0
    var c2 = c0
    var c3 = c0
    var c4 = c0
    var c5 = c0
    var pa = a
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector(pb)
      c0 = fusedMultiplyAdd(c0, SIMD16(repeating: pa[0]), b0)
      c1 = fusedMultiplyAdd(c1, SIMD16(repeating: pa[1]), b0)
      c2 = fusedMultiplyAdd(c2, SIMD16(repeating: pa[2]), b0)
      c3 = fusedMultiplyAdd(c3, SIMD16(repeating: pa[3]), b0)
      c4 = fusedMultiplyAdd(c4, SIMD16(repeating: pa[4]), b0)
      c5 = fusedMultiplyAdd(c5, SIMD16(repeating: pa[5]), b0)
      pa += 6
      pb += 16
    }
    if rows == 6 && columns == 16 {
      mergeRow(c0, alpha, beta, c)
      mergeRow(c1, alpha, beta, c + ldc)
      mergeRow(c2, alpha, beta, c + 2 * ldc)
      mergeRow(c3, alpha, beta, c + 3 * ldc)
      mergeRow(c4, alpha, beta, c + 4 * ldc)
      mergeRow(c5, alpha, beta, c + 5 * ldc)
    } else {
      storeVector(c0, scratch)
      storeVector(c1, scratch + 16)
      storeVector(c2, scratch + 32)
      storeVector(c3, scratch + 48)
      storeVector(c4, scratch + 64)
      storeVector(c5, scratch + 80)
      mergeEdge(scratch, nr: 16, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }
}

/// 6×64 tile, 24 sixteen-lane accumulators: 24 of the 32 zmm registers on AVX-512, leaving room
/// for the four B vectors and the A broadcast.
enum Kernel6x64: GEMMMicroKernel {
  static var mr: Int { 6 }
  static var nr: Int { 64 }
  static var mc: Int { 144 }
  static var kc: Int { 192 }
  static var nc: Int { 4032 }

  @inline(never)
  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    var c00 = SIMD16<Float>()
    var c01 = c00
    var c02 = c00
    var c03 = c00
    var c10 = c00
    var c11 = c00
    var c12 = c00
    var c13 = c00
    var c20 = c00
    var c21 = c00
    var c22 = c00
    var c23 = c00
    var c30 = c00
    var c31 = c00
    var c32 = c00
    var c33 = c00
    var c40 = c00
    var c41 = c00
    var c42 = c00
    var c43 = c00
    var c50 = c00
    var c51 = c00
    var c52 = c00
    var c53 = c00
    var pa = a
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector(pb)
      let b1 = loadVector(pb + 16)
      let b2 = loadVector(pb + 32)
      let b3 = loadVector(pb + 48)
      var x = SIMD16<Float>(repeating: pa[0])
      c00 = fusedMultiplyAdd(c00, x, b0)
      c01 = fusedMultiplyAdd(c01, x, b1)
      c02 = fusedMultiplyAdd(c02, x, b2)
      c03 = fusedMultiplyAdd(c03, x, b3)
      x = SIMD16<Float>(repeating: pa[1])
      c10 = fusedMultiplyAdd(c10, x, b0)
      c11 = fusedMultiplyAdd(c11, x, b1)
      c12 = fusedMultiplyAdd(c12, x, b2)
      c13 = fusedMultiplyAdd(c13, x, b3)
      x = SIMD16<Float>(repeating: pa[2])
      c20 = fusedMultiplyAdd(c20, x, b0)
      c21 = fusedMultiplyAdd(c21, x, b1)
      c22 = fusedMultiplyAdd(c22, x, b2)
      c23 = fusedMultiplyAdd(c23, x, b3)
      x = SIMD16<Float>(repeating: pa[3])
      c30 = fusedMultiplyAdd(c30, x, b0)
      c31 = fusedMultiplyAdd(c31, x, b1)
      c32 = fusedMultiplyAdd(c32, x, b2)
      c33 = fusedMultiplyAdd(c33, x, b3)
      x = SIMD16<Float>(repeating: pa[4])
      c40 = fusedMultiplyAdd(c40, x, b0)
      c41 = fusedMultiplyAdd(c41, x, b1)
      c42 = fusedMultiplyAdd(c42, x, b2)
      c43 = fusedMultiplyAdd(c43, x, b3)
      x = SIMD16<Float>(repeating: pa[5])
      c50 = fusedMultiplyAdd(c50, x, b0)
      c51 = fusedMultiplyAdd(c51, x, b1)
      c52 = fusedMultiplyAdd(c52, x, b2)
      c53 = fusedMultiplyAdd(c53, x, b3)
      pa += 6
      pb += 64
    }
    if rows == 6 && columns == 64 {
      var row = c
      mergeRow(c00, alpha, beta, row)
      mergeRow(c01, alpha, beta, row + 16)
      mergeRow(c02, alpha, beta, row + 32)
      mergeRow(c03, alpha, beta, row + 48)
      row += ldc
      mergeRow(c10, alpha, beta, row)
      mergeRow(c11, alpha, beta, row + 16)
      mergeRow(c12, alpha, beta, row + 32)
      mergeRow(c13, alpha, beta, row + 48)
      row += ldc
      mergeRow(c20, alpha, beta, row)
      mergeRow(c21, alpha, beta, row + 16)
      mergeRow(c22, alpha, beta, row + 32)
      mergeRow(c23, alpha, beta, row + 48)
      row += ldc
      mergeRow(c30, alpha, beta, row)
      mergeRow(c31, alpha, beta, row + 16)
      mergeRow(c32, alpha, beta, row + 32)
      mergeRow(c33, alpha, beta, row + 48)
      row += ldc
      mergeRow(c40, alpha, beta, row)
      mergeRow(c41, alpha, beta, row + 16)
      mergeRow(c42, alpha, beta, row + 32)
      mergeRow(c43, alpha, beta, row + 48)
      row += ldc
      mergeRow(c50, alpha, beta, row)
      mergeRow(c51, alpha, beta, row + 16)
      mergeRow(c52, alpha, beta, row + 32)
      mergeRow(c53, alpha, beta, row + 48)
    } else {
      storeVector(c00, scratch + 0)
      storeVector(c01, scratch + 16)
      storeVector(c02, scratch + 32)
      storeVector(c03, scratch + 48)
      storeVector(c10, scratch + 64)
      storeVector(c11, scratch + 80)
      storeVector(c12, scratch + 96)
      storeVector(c13, scratch + 112)
      storeVector(c20, scratch + 128)
      storeVector(c21, scratch + 144)
      storeVector(c22, scratch + 160)
      storeVector(c23, scratch + 176)
      storeVector(c30, scratch + 192)
      storeVector(c31, scratch + 208)
      storeVector(c32, scratch + 224)
      storeVector(c33, scratch + 240)
      storeVector(c40, scratch + 256)
      storeVector(c41, scratch + 272)
      storeVector(c42, scratch + 288)
      storeVector(c43, scratch + 304)
      storeVector(c50, scratch + 320)
      storeVector(c51, scratch + 336)
      storeVector(c52, scratch + 352)
      storeVector(c53, scratch + 368)
      mergeEdge(scratch, nr: 64, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }
}
