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
func fusedMultiplyAdd(_ acc: SIMD16<Float>, _ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float>
{
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

@inline(__always)
func fusedMultiplyAdd(_ acc: SIMD8<Float>, _ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
  #if BETTI_FMA
    return acc.addingProduct(x, y)
  #else
    return acc + x * y
  #endif
}

@inline(__always)
func loadVector8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func storeVector(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

@inline(__always)
func mergeRow(_ acc: SIMD8<Float>, _ alpha: Float, _ beta: Float, _ c: UnsafeMutablePointer<Float>)
{
  if beta == 0 {
    storeVector(alpha * acc, c)
  } else {
    storeVector(alpha * acc + beta * loadVector8(c), c)
  }
}

/// Merges one row of accumulators into C: `alpha·acc + beta·C`, or `alpha·acc` when beta == 0.
@inline(__always)
func mergeRow(_ acc: SIMD16<Float>, _ alpha: Float, _ beta: Float, _ c: UnsafeMutablePointer<Float>)
{
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
  /// Columns of C per micro-tile (B panel width), a multiple of 8.
  static var nr: Int { get }
  /// Most rows of C in one block (a multiple of `mr`); deep blocks use fewer (`blockRows`).
  static var mc: Int { get }
  /// Floats of packed A kept in the L2 cache: a block has `aBlockFloats / kc` rows at most.
  static var aBlockFloats: Int { get }
  /// Depth of one packed block. Deep blocks mean fewer passes of reading and writing C, which
  /// costs more than streaming the B sliver from L2 instead of L1.
  static var kc: Int { get }
  /// Columns of B packed at once (sized for the L3 cache), a multiple of `nr`.
  static var nc: Int { get }
  /// Computes one tile; `rows <= mr`, `columns <= nr`; `scratch` holds `mr·nr` floats.
  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>)
}

extension GEMMMicroKernel {
  /// Rows of A packed at once for a block of depth `depth`: as many whole tiles as fit
  /// `aBlockFloats`, between `mr` and `mc`.
  static func blockRows(depth: Int) -> Int {
    max(mr, min(mc, aBlockFloats / max(depth, 1) / mr * mr))
  }

  /// Floats of the packing buffer given to one worker: A block, B block, then an edge tile.
  static var packedAFloats: Int { max(aBlockFloats, mr * kc) }
  static var bufferFloats: Int { packedAFloats + kc * nc + mr * nr }
}

/// 4×24 tile, 12 eight-lane accumulators: with three B vectors and one A broadcast, exactly the
/// 16 ymm registers of AVX2 (31 of the 32 NEON registers on arm64). A 6×16 tile needs 15, but the
/// compiler's unrolled schedule of it spills an accumulator and runs a third slower.
enum Kernel4x24: GEMMMicroKernel {
  static var mr: Int { 4 }
  static var nr: Int { 24 }
  static var mc: Int { 144 }
  static var aBlockFloats: Int { 48 * 1024 }
  static var kc: Int { 1024 }
  static var nc: Int { 1920 }

  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    accumulate(kc: kc, a: a, b: b, into: scratch)
    if rows == 4 && columns == 24 {
      for r in 0..<4 {
        let acc = scratch + r * 24
        let row = c + r * ldc
        mergeRow(loadVector8(acc), alpha, beta, row)
        mergeRow(loadVector8(acc + 8), alpha, beta, row + 8)
        mergeRow(loadVector8(acc + 16), alpha, beta, row + 16)
      }
    } else {
      mergeEdge(
        scratch, nr: 24, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// The register-blocked loop alone, in its own function so that nothing else competes for
  /// registers with it; writes the 4×24 sums to `out` (row stride 24).
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
  ) {
    var c00 = SIMD8<Float>()
    var c01 = SIMD8<Float>()
    var c02 = SIMD8<Float>()
    var c10 = SIMD8<Float>()
    var c11 = SIMD8<Float>()
    var c12 = SIMD8<Float>()
    var c20 = SIMD8<Float>()
    var c21 = SIMD8<Float>()
    var c22 = SIMD8<Float>()
    var c30 = SIMD8<Float>()
    var c31 = SIMD8<Float>()
    var c32 = SIMD8<Float>()
    var pa = a
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector8(pb)
      let b1 = loadVector8(pb + 8)
      let b2 = loadVector8(pb + 16)
      var x = SIMD8<Float>(repeating: pa[0])
      c00 = fusedMultiplyAdd(c00, x, b0)
      c01 = fusedMultiplyAdd(c01, x, b1)
      c02 = fusedMultiplyAdd(c02, x, b2)
      x = SIMD8<Float>(repeating: pa[1])
      c10 = fusedMultiplyAdd(c10, x, b0)
      c11 = fusedMultiplyAdd(c11, x, b1)
      c12 = fusedMultiplyAdd(c12, x, b2)
      x = SIMD8<Float>(repeating: pa[2])
      c20 = fusedMultiplyAdd(c20, x, b0)
      c21 = fusedMultiplyAdd(c21, x, b1)
      c22 = fusedMultiplyAdd(c22, x, b2)
      x = SIMD8<Float>(repeating: pa[3])
      c30 = fusedMultiplyAdd(c30, x, b0)
      c31 = fusedMultiplyAdd(c31, x, b1)
      c32 = fusedMultiplyAdd(c32, x, b2)
      pa += 4
      pb += 24
    }
    storeVector(c00, out + 0)
    storeVector(c01, out + 8)
    storeVector(c02, out + 16)
    storeVector(c10, out + 24)
    storeVector(c11, out + 32)
    storeVector(c12, out + 40)
    storeVector(c20, out + 48)
    storeVector(c21, out + 56)
    storeVector(c22, out + 64)
    storeVector(c30, out + 72)
    storeVector(c31, out + 80)
    storeVector(c32, out + 88)
  }
}

/// 6×16 tile, 6 sixteen-lane accumulators (12 ymm registers on AVX2): for products with at most
/// 16 columns, where a 24-column tile would be a third padding.
enum Kernel6x16: GEMMMicroKernel {
  static var mr: Int { 6 }
  static var nr: Int { 16 }
  static var mc: Int { 144 }
  static var aBlockFloats: Int { 48 * 1024 }
  static var kc: Int { 1024 }
  static var nc: Int { 1920 }

  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    accumulate(kc: kc, a: a, b: b, into: scratch)
    if rows == 6 && columns == 16 {
      for r in 0..<6 {
        mergeRow(loadVector(scratch + r * 16), alpha, beta, c + r * ldc)
      }
    } else {
      mergeEdge(
        scratch, nr: 16, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// The register-blocked loop alone (see `Kernel4x24.accumulate`); writes the 6×16 sums to
  /// `out` (row stride 16).
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
  ) {
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
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
    storeVector(c0, out + 0)
    storeVector(c1, out + 16)
    storeVector(c2, out + 32)
    storeVector(c3, out + 48)
    storeVector(c4, out + 64)
    storeVector(c5, out + 80)
  }
}

/// 6×64 tile, 24 sixteen-lane accumulators: 24 of the 32 zmm registers on AVX-512, leaving room
/// for the four B vectors and the A broadcast.
enum Kernel6x64: GEMMMicroKernel {
  static var mr: Int { 6 }
  static var nr: Int { 64 }
  static var mc: Int { 144 }
  static var aBlockFloats: Int { 36 * 1024 }
  static var kc: Int { 512 }
  static var nc: Int { 4032 }

  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int, alpha: Float, beta: Float, rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    accumulate(kc: kc, a: a, b: b, into: scratch)
    if rows == 6 && columns == 64 {
      for r in 0..<6 {
        let acc = scratch + r * 64
        let row = c + r * ldc
        mergeRow(loadVector(acc), alpha, beta, row)
        mergeRow(loadVector(acc + 16), alpha, beta, row + 16)
        mergeRow(loadVector(acc + 32), alpha, beta, row + 32)
        mergeRow(loadVector(acc + 48), alpha, beta, row + 48)
      }
    } else {
      mergeEdge(
        scratch, nr: 64, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// The register-blocked loop alone (see `Kernel4x24.accumulate`); writes the 6×64 sums to
  /// `out` (row stride 64).
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
  ) {
    var c00 = SIMD16<Float>()
    var c01 = SIMD16<Float>()
    var c02 = SIMD16<Float>()
    var c03 = SIMD16<Float>()
    var c10 = SIMD16<Float>()
    var c11 = SIMD16<Float>()
    var c12 = SIMD16<Float>()
    var c13 = SIMD16<Float>()
    var c20 = SIMD16<Float>()
    var c21 = SIMD16<Float>()
    var c22 = SIMD16<Float>()
    var c23 = SIMD16<Float>()
    var c30 = SIMD16<Float>()
    var c31 = SIMD16<Float>()
    var c32 = SIMD16<Float>()
    var c33 = SIMD16<Float>()
    var c40 = SIMD16<Float>()
    var c41 = SIMD16<Float>()
    var c42 = SIMD16<Float>()
    var c43 = SIMD16<Float>()
    var c50 = SIMD16<Float>()
    var c51 = SIMD16<Float>()
    var c52 = SIMD16<Float>()
    var c53 = SIMD16<Float>()
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
    storeVector(c00, out + 0)
    storeVector(c01, out + 16)
    storeVector(c02, out + 32)
    storeVector(c03, out + 48)
    storeVector(c10, out + 64)
    storeVector(c11, out + 80)
    storeVector(c12, out + 96)
    storeVector(c13, out + 112)
    storeVector(c20, out + 128)
    storeVector(c21, out + 144)
    storeVector(c22, out + 160)
    storeVector(c23, out + 176)
    storeVector(c30, out + 192)
    storeVector(c31, out + 208)
    storeVector(c32, out + 224)
    storeVector(c33, out + 240)
    storeVector(c40, out + 256)
    storeVector(c41, out + 272)
    storeVector(c42, out + 288)
    storeVector(c43, out + 304)
    storeVector(c50, out + 320)
    storeVector(c51, out + 336)
    storeVector(c52, out + 352)
    storeVector(c53, out + 368)
  }
}
