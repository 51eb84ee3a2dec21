// Register-blocked micro-kernels for `GEMM`.
//
// A micro-kernel multiplies one MR×kc sliver of A, read where it lies (or packed: see
// `GEMM.packsA`), by one packed kc×NR sliver of B (NR values per k), keeping the whole MR×NR
// block of C in vector registers, then merges it into C as `alpha·acc + beta·C` (C not read
// when beta == 0).
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
  /// Most rows of C in one block (a multiple of `rowGroup`); deep blocks use fewer (`blockRows`).
  static var mc: Int { get }
  /// Floats of A a block reads, to be kept in the L2 cache while every B panel passes over it:
  /// a block has `aBlockFloats / kc` rows at most.
  static var aBlockFloats: Int { get }
  /// Depth of one packed block. Deep blocks mean fewer passes of reading and writing C, which
  /// costs more than streaming the B sliver from L2 instead of L1.
  static var kc: Int { get }
  /// Columns of B packed at once (sized for the L3 cache), a multiple of `nr`.
  static var nc: Int { get }
  /// Whether whole panels of an untransposed B may be read where they lie instead of packed
  /// (`GEMM.readsBInPlace` decides, product by product).
  static var readsBInPlace: Bool { get }
  /// Whether a transposed A read by more than one panel is packed whatever its span (see
  /// `GEMM.packsA`); by default only from `GEMM.packedASpan`.
  static var packsTransposedA: Bool { get }
  /// Side of the square blocks in which a transposed B is turned in registers as it is packed
  /// (8 or 16): one vector per row of a block. By default 16.
  static var transposeBlock: Int { get }
  /// Columns of the panel that starts where `remaining` columns of a block are left: at most
  /// `nr` (by default exactly that, or what is left). Only panels `nr` wide are read in place.
  static func panelWidth(remaining: Int) -> Int
  /// Rows of C per micro-tile in a panel `width` columns wide: `mr` by default, and always
  /// `mr` when A is packed (its slivers are `mr` rows high).
  static func tileRows(panelWidth width: Int, packedA: Bool) -> Int
  /// Rows in which blocks of C are cut, a multiple of every `tileRows` for the same A (by
  /// default `mr`), so that only the last block of a product ends in a partial tile.
  static func rowGroup(packedA: Bool) -> Int
  /// Computes one tile; `rows <= tileRows(panelWidth: columns, …)`, `columns <= nr`;
  /// `scratch` holds `mr·nr` floats.
  /// Element (r, p) of the A sliver is at `a[r·aStrides.row + p·aStrides.depth]`, A's own
  /// layout; rows at and past `aRows` are never read. The `nr` values of the B sliver for depth
  /// p start at `b + p·bStride` (`nr` for a packed panel, B's row stride when read in place).
  static func run(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
    beta: Float,
    rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>)
}

extension GEMMMicroKernel {
  /// Rows of C in one block of depth `depth`: as many whole row groups as fit `aBlockFloats`
  /// floats of A, between one group and `mc`.
  static func blockRows(depth: Int, packedA: Bool) -> Int {
    let group = rowGroup(packedA: packedA)
    return max(group, min(mc, aBlockFloats / max(depth, 1) / group * group))
  }

  static func tileRows(panelWidth width: Int, packedA: Bool) -> Int { mr }

  static func rowGroup(packedA: Bool) -> Int { mr }

  static func panelWidth(remaining: Int) -> Int { min(nr, remaining) }

  static var packsTransposedA: Bool { false }

  static var transposeBlock: Int { 16 }

  /// The panel that starts where `remaining` columns of a block are left: its columns, and the
  /// row stride it is packed with. The panel whose first column is `j` of the block starts at
  /// `j·depth` of the packed block, so every panel but the last is packed as wide as it is; the
  /// last is padded with zeros to `nr`. `panelWidth` must keep a block of `n` columns within
  /// `ceil(n/nr)·nr·depth` floats, the buffers' size: Kernel4x24's 16 + 16 for a last 32 end 8
  /// columns past the block, where rounding up to 24 leaves 16.
  @inline(__always)
  static func panel(remaining: Int) -> (width: Int, stride: Int) {
    let width = panelWidth(remaining: remaining)
    return (width, width < remaining ? width : nr)
  }

  /// Floats of a packed block of a transposed A: `blockRows(depth:packedA:)·depth` at most.
  static var packedAFloats: Int { max(aBlockFloats, mr * kc) }

  /// Floats of the packing buffer given to one worker: a B block, an edge tile, then a block of
  /// a transposed A.
  static var bufferFloats: Int { kc * nc + mr * nr + packedAFloats }
}
