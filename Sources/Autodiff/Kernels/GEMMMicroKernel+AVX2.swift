// Micro-kernels for 256-bit vectors (AVX2; also right for 128-bit NEON). See GEMMMicroKernel.swift.

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
  static var readsBInPlace: Bool { false }

  /// In place, each k of a transposed A is a cache line of its own, 4 of whose 16 values a tile
  /// uses, and lines `lda` floats apart share a few L1 sets: every panel reads A again from L2.
  /// Packed, the weight-gradient products of the training shapes (k = 384, 128 to 512 rows
  /// and columns) run 1.09–1.19× faster, and no product with more than one panel measured
  /// slower (`betti bench gemm --threads 1`, Zen 3).
  static var packsTransposedA: Bool { true }

  /// Eight-lane blocks: a 16×16 block takes twice the registers there are, and it left the
  /// last 8 columns of every 24-wide panel to the value-by-value loop. The forward products of
  /// the training shapes (A·Bᵀ, k = 128 and 512) run 0–2% faster (`betti bench gemm --threads
  /// 1`, Zen 3, five rounds in each order), the packing being a small part of them.
  static var transposeBlock: Int { 8 }

  /// The last 32 columns of a block (the 128 and 512 of the training shapes end so) are two
  /// 16-wide panels rather than 24 and a last 8 computed as 16: the same sums, in 16 columns'
  /// time less.
  static func panelWidth(remaining: Int) -> Int { remaining == 32 ? 16 : min(24, remaining) }

  /// A panel at most 16 columns wide runs as 6×16 tiles of `Kernel6x16` (12 accumulators)
  /// where A is read in place: as 4×16 its 8 accumulators are too few to cover the latency of
  /// the FMA units (87 against 97 GFLOPS, `betti bench gemm --threads 1`, Zen 3). Both sum
  /// each element in the same order, so the results are the same.
  static func tileRows(panelWidth width: Int, packedA: Bool) -> Int {
    width <= 16 && !packedA ? 6 : 4
  }

  /// Blocks of C are cut in whole 4- and 6-row tiles.
  static func rowGroup(packedA: Bool) -> Int { packedA ? 4 : 12 }

  static func run(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
    beta: Float,
    rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    // A whole tile is merged into C straight from the registers; an edge tile goes through
    // `scratch`, which `mergeEdge` merges with the same arithmetic.
    // A panel at most 16 columns wide (the 16 left of 64, the two that end 128) computes only
    // its first two vectors: the same sums, in two thirds of the time.
    if rows > 4 {
      // A 6-row tile of a 16-wide panel (see `tileRows`); its edge tile needs 6·16 floats of
      // scratch, as many as 4·24.
      Kernel6x16.run(
        kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, c: c, ldc: ldc,
        alpha: alpha, beta: beta, rows: rows, columns: columns, scratch: scratch)
    } else if rows == 4 && columns == 24 {
      accumulate(
        kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: alpha,
        beta: beta, into: c, ldo: ldc)
    } else if rows == 4 && columns == 16 {
      accumulateSixteen(
        kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: alpha,
        beta: beta, into: c, ldo: ldc)
    } else {
      if columns <= 16 {
        accumulateSixteen(
          kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: 1,
          beta: 0, into: scratch, ldo: 24)
      } else {
        accumulate(
          kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: 1,
          beta: 0, into: scratch, ldo: 24)
      }
      mergeEdge(
        scratch, nr: 24, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// `accumulate` for the first 16 columns of the panel only (8 accumulators).
  @inline(never)
  static func accumulateSixteen(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, alpha: Float, beta: Float,
    into out: UnsafeMutablePointer<Float>, ldo: Int
  ) {
    var c00 = SIMD8<Float>()
    var c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>()
    var c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>()
    var c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>()
    var c31 = SIMD8<Float>()
    var a0 = a
    var a1 = aRows > 1 ? a + 1 * aStrides.row : a
    var a2 = aRows > 2 ? a + 2 * aStrides.row : a
    var a3 = aRows > 3 ? a + 3 * aStrides.row : a
    let step = aStrides.depth
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector8(pb)
      let b1 = loadVector8(pb + 8)
      var x = SIMD8<Float>(repeating: a0.pointee)
      c00 = fusedMultiplyAdd(c00, x, b0)
      c01 = fusedMultiplyAdd(c01, x, b1)
      x = SIMD8<Float>(repeating: a1.pointee)
      c10 = fusedMultiplyAdd(c10, x, b0)
      c11 = fusedMultiplyAdd(c11, x, b1)
      x = SIMD8<Float>(repeating: a2.pointee)
      c20 = fusedMultiplyAdd(c20, x, b0)
      c21 = fusedMultiplyAdd(c21, x, b1)
      x = SIMD8<Float>(repeating: a3.pointee)
      c30 = fusedMultiplyAdd(c30, x, b0)
      c31 = fusedMultiplyAdd(c31, x, b1)
      a0 += step
      a1 += step
      a2 += step
      a3 += step
      pb += bStride
    }
    mergeRow(c00, alpha, beta, out)
    mergeRow(c01, alpha, beta, out + 8)
    mergeRow(c10, alpha, beta, out + ldo)
    mergeRow(c11, alpha, beta, out + ldo + 8)
    mergeRow(c20, alpha, beta, out + 2 * ldo)
    mergeRow(c21, alpha, beta, out + 2 * ldo + 8)
    mergeRow(c30, alpha, beta, out + 3 * ldo)
    mergeRow(c31, alpha, beta, out + 3 * ldo + 8)
  }

  /// The register-blocked loop alone, in its own function so that nothing else competes for
  /// registers with it. A is read with any strides (element (r, p) at
  /// `a[r·aStrides.row + p·aStrides.depth]`: A where it lies, or packed; see `GEMM.packsA`).
  /// The tile is merged into `out` (row stride `ldo`) as `mergeRow` does.
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, alpha: Float, beta: Float,
    into out: UnsafeMutablePointer<Float>, ldo: Int
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
    // Rows past `aRows` repeat row 0: they are computed and thrown away, never read past A.
    // Each row has its own pointer, stepped by the depth stride: indexing four rows by one
    // shared offset makes the compiler hold a fifth value and spill an accumulator (half speed).
    var a0 = a
    var a1 = aRows > 1 ? a + 1 * aStrides.row : a
    var a2 = aRows > 2 ? a + 2 * aStrides.row : a
    var a3 = aRows > 3 ? a + 3 * aStrides.row : a
    let step = aStrides.depth
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector8(pb)
      let b1 = loadVector8(pb + 8)
      let b2 = loadVector8(pb + 16)
      var x = SIMD8<Float>(repeating: a0.pointee)
      c00 = fusedMultiplyAdd(c00, x, b0)
      c01 = fusedMultiplyAdd(c01, x, b1)
      c02 = fusedMultiplyAdd(c02, x, b2)
      x = SIMD8<Float>(repeating: a1.pointee)
      c10 = fusedMultiplyAdd(c10, x, b0)
      c11 = fusedMultiplyAdd(c11, x, b1)
      c12 = fusedMultiplyAdd(c12, x, b2)
      x = SIMD8<Float>(repeating: a2.pointee)
      c20 = fusedMultiplyAdd(c20, x, b0)
      c21 = fusedMultiplyAdd(c21, x, b1)
      c22 = fusedMultiplyAdd(c22, x, b2)
      x = SIMD8<Float>(repeating: a3.pointee)
      c30 = fusedMultiplyAdd(c30, x, b0)
      c31 = fusedMultiplyAdd(c31, x, b1)
      c32 = fusedMultiplyAdd(c32, x, b2)
      a0 += step
      a1 += step
      a2 += step
      a3 += step
      pb += bStride
    }
    mergeRow(c00, alpha, beta, out)
    mergeRow(c01, alpha, beta, out + 8)
    mergeRow(c02, alpha, beta, out + 16)
    mergeRow(c10, alpha, beta, out + ldo)
    mergeRow(c11, alpha, beta, out + ldo + 8)
    mergeRow(c12, alpha, beta, out + ldo + 16)
    mergeRow(c20, alpha, beta, out + 2 * ldo)
    mergeRow(c21, alpha, beta, out + 2 * ldo + 8)
    mergeRow(c22, alpha, beta, out + 2 * ldo + 16)
    mergeRow(c30, alpha, beta, out + 3 * ldo)
    mergeRow(c31, alpha, beta, out + 3 * ldo + 8)
    mergeRow(c32, alpha, beta, out + 3 * ldo + 16)
  }
}

/// 6×16 tile, 6 sixteen-lane accumulators (12 ymm registers on AVX2): for products with at most
/// 16 columns, where a 24-column tile would be a third padding.
enum Kernel6x16: GEMMMicroKernel {
  static var mr: Int { 6 }
  static var nr: Int { 16 }
  static var mc: Int { 144 }
  static var aBlockFloats: Int { 48 * 1024 }
  static var kc: Int { Kernel4x24.kc }
  static var nc: Int { 1920 }
  static var readsBInPlace: Bool { false }
  static var transposeBlock: Int { Kernel4x24.transposeBlock }

  static func run(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
    beta: Float,
    rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    if rows == 6 && columns == 16 {
      accumulate(
        kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: alpha,
        beta: beta, into: c, ldo: ldc)
    } else {
      accumulate(
        kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: 1,
        beta: 0, into: scratch, ldo: 16)
      mergeEdge(
        scratch, nr: 16, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// The register-blocked loop alone, in its own function so that nothing else competes for
  /// registers with it. A is read with any strides (element (r, p) at
  /// `a[r·aStrides.row + p·aStrides.depth]`: A where it lies, or packed; see `GEMM.packsA`).
  /// The tile is merged into `out` (row stride `ldo`) as `mergeRow` does.
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, alpha: Float, beta: Float,
    into out: UnsafeMutablePointer<Float>, ldo: Int
  ) {
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    // Rows past `aRows` repeat row 0: they are computed and thrown away, never read past A.
    // One pointer per row, as in `Kernel4x24.accumulate`.
    var a0 = a
    var a1 = aRows > 1 ? a + 1 * aStrides.row : a
    var a2 = aRows > 2 ? a + 2 * aStrides.row : a
    var a3 = aRows > 3 ? a + 3 * aStrides.row : a
    var a4 = aRows > 4 ? a + 4 * aStrides.row : a
    var a5 = aRows > 5 ? a + 5 * aStrides.row : a
    let step = aStrides.depth
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector(pb)
      c0 = fusedMultiplyAdd(c0, SIMD16(repeating: a0.pointee), b0)
      c1 = fusedMultiplyAdd(c1, SIMD16(repeating: a1.pointee), b0)
      c2 = fusedMultiplyAdd(c2, SIMD16(repeating: a2.pointee), b0)
      c3 = fusedMultiplyAdd(c3, SIMD16(repeating: a3.pointee), b0)
      c4 = fusedMultiplyAdd(c4, SIMD16(repeating: a4.pointee), b0)
      c5 = fusedMultiplyAdd(c5, SIMD16(repeating: a5.pointee), b0)
      a0 += step
      a1 += step
      a2 += step
      a3 += step
      a4 += step
      a5 += step
      pb += bStride
    }
    mergeRow(c0, alpha, beta, out)
    mergeRow(c1, alpha, beta, out + ldo)
    mergeRow(c2, alpha, beta, out + 2 * ldo)
    mergeRow(c3, alpha, beta, out + 3 * ldo)
    mergeRow(c4, alpha, beta, out + 4 * ldo)
    mergeRow(c5, alpha, beta, out + 5 * ldo)
  }
}
