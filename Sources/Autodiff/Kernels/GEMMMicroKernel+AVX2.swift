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

  static func run(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
    beta: Float,
    rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    accumulate(
      kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, into: scratch)
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
  /// registers with it. A is read where it lies (element (r, p) at
  /// `a[r·aStrides.row + p·aStrides.depth]`): each element is broadcast, so a packed copy would
  /// save nothing.
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, into out: UnsafeMutablePointer<Float>
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
    let a0 = a
    let a1 = aRows > 1 ? a + 1 * aStrides.row : a
    let a2 = aRows > 2 ? a + 2 * aStrides.row : a
    let a3 = aRows > 3 ? a + 3 * aStrides.row : a
    var offset = 0
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector8(pb)
      let b1 = loadVector8(pb + 8)
      let b2 = loadVector8(pb + 16)
      var x = SIMD8<Float>(repeating: a0[offset])
      c00 = fusedMultiplyAdd(c00, x, b0)
      c01 = fusedMultiplyAdd(c01, x, b1)
      c02 = fusedMultiplyAdd(c02, x, b2)
      x = SIMD8<Float>(repeating: a1[offset])
      c10 = fusedMultiplyAdd(c10, x, b0)
      c11 = fusedMultiplyAdd(c11, x, b1)
      c12 = fusedMultiplyAdd(c12, x, b2)
      x = SIMD8<Float>(repeating: a2[offset])
      c20 = fusedMultiplyAdd(c20, x, b0)
      c21 = fusedMultiplyAdd(c21, x, b1)
      c22 = fusedMultiplyAdd(c22, x, b2)
      x = SIMD8<Float>(repeating: a3[offset])
      c30 = fusedMultiplyAdd(c30, x, b0)
      c31 = fusedMultiplyAdd(c31, x, b1)
      c32 = fusedMultiplyAdd(c32, x, b2)
      offset += aStrides.depth
      pb += bStride
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
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
    beta: Float,
    rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    accumulate(
      kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, into: scratch)
    if rows == 6 && columns == 16 {
      for r in 0..<6 {
        mergeRow(loadVector(scratch + r * 16), alpha, beta, c + r * ldc)
      }
    } else {
      mergeEdge(
        scratch, nr: 16, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// The register-blocked loop alone, in its own function so that nothing else competes for
  /// registers with it. A is read where it lies (element (r, p) at
  /// `a[r·aStrides.row + p·aStrides.depth]`): each element is broadcast, so a packed copy would
  /// save nothing.
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, into out: UnsafeMutablePointer<Float>
  ) {
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    // Rows past `aRows` repeat row 0: they are computed and thrown away, never read past A.
    let a0 = a
    let a1 = aRows > 1 ? a + 1 * aStrides.row : a
    let a2 = aRows > 2 ? a + 2 * aStrides.row : a
    let a3 = aRows > 3 ? a + 3 * aStrides.row : a
    let a4 = aRows > 4 ? a + 4 * aStrides.row : a
    let a5 = aRows > 5 ? a + 5 * aStrides.row : a
    var offset = 0
    var pb = b
    for _ in 0..<kc {
      let b0 = loadVector(pb)
      c0 = fusedMultiplyAdd(c0, SIMD16(repeating: a0[offset]), b0)
      c1 = fusedMultiplyAdd(c1, SIMD16(repeating: a1[offset]), b0)
      c2 = fusedMultiplyAdd(c2, SIMD16(repeating: a2[offset]), b0)
      c3 = fusedMultiplyAdd(c3, SIMD16(repeating: a3[offset]), b0)
      c4 = fusedMultiplyAdd(c4, SIMD16(repeating: a4[offset]), b0)
      c5 = fusedMultiplyAdd(c5, SIMD16(repeating: a5[offset]), b0)
      offset += aStrides.depth
      pb += bStride
    }
    storeVector(c0, out + 0)
    storeVector(c1, out + 16)
    storeVector(c2, out + 32)
    storeVector(c3, out + 48)
    storeVector(c4, out + 64)
    storeVector(c5, out + 80)
  }
}
