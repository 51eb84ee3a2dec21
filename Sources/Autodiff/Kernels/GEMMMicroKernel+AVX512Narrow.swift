// Narrow micro-kernels for 512-bit vectors (AVX-512). See GEMMMicroKernel.swift.

/// 12×16 tile, 12 sixteen-lane accumulators: for products at most 16 columns wide (one head's
/// values in attention), where a 6×64 tile would compute four times the columns it keeps.
enum Kernel12x16: GEMMMicroKernel {
  static var mr: Int { 12 }
  static var nr: Int { 16 }
  static var mc: Int { 144 }
  static var aBlockFloats: Int { 36 * 1024 }
  // The same depth blocking as `Kernel6x64`, so every kernel gives the same sums.
  static var kc: Int { Kernel6x64.kc }
  static var nc: Int { 4032 }
  static var readsBInPlace: Bool { true }

  static func run(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
    beta: Float,
    rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    // A whole tile that replaces C is stored straight into it, scaled as `mergeRow` would.
    let direct = rows == 12 && columns == 16 && beta == 0
    let (out, ldo, scale) = direct ? (c, ldc, alpha) : (scratch, 16, 1)
    accumulate(
      kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: scale,
      into: out,
      ldo: ldo)
    if direct { return }
    if rows == 12 && columns == 16 {
      for r in 0..<12 {
        let acc = scratch + r * 16
        let row = c + r * ldc
        mergeRow(loadVector(acc), alpha, beta, row)
      }
    } else {
      mergeEdge(
        scratch, nr: 16, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// The register-blocked loop alone, with A read by its strides (see `Kernel6x64.accumulate`);
  /// writes the sums, times `alpha`, to `out` (row stride `ldo`).
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, alpha: Float, into out: UnsafeMutablePointer<Float>,
    ldo: Int
  ) {
    var c000 = SIMD16<Float>()
    var c010 = SIMD16<Float>()
    var c020 = SIMD16<Float>()
    var c030 = SIMD16<Float>()
    var c040 = SIMD16<Float>()
    var c050 = SIMD16<Float>()
    var c060 = SIMD16<Float>()
    var c070 = SIMD16<Float>()
    var c080 = SIMD16<Float>()
    var c090 = SIMD16<Float>()
    var c100 = SIMD16<Float>()
    var c110 = SIMD16<Float>()
    // Rows past `aRows` repeat row 0: they are computed and thrown away, never read past A.
    let a0 = a
    let a1 = aRows > 1 ? a + 1 * aStrides.row : a
    let a2 = aRows > 2 ? a + 2 * aStrides.row : a
    let a3 = aRows > 3 ? a + 3 * aStrides.row : a
    let a4 = aRows > 4 ? a + 4 * aStrides.row : a
    let a5 = aRows > 5 ? a + 5 * aStrides.row : a
    let a6 = aRows > 6 ? a + 6 * aStrides.row : a
    let a7 = aRows > 7 ? a + 7 * aStrides.row : a
    let a8 = aRows > 8 ? a + 8 * aStrides.row : a
    let a9 = aRows > 9 ? a + 9 * aStrides.row : a
    let a10 = aRows > 10 ? a + 10 * aStrides.row : a
    let a11 = aRows > 11 ? a + 11 * aStrides.row : a
    var offset = 0
    var pb = b
    for _ in 0..<kc {
      var x: SIMD16<Float>
      let b0 = loadVector(pb)
      x = SIMD16<Float>(repeating: a0[offset])
      c000 = fusedMultiplyAdd(c000, x, b0)
      x = SIMD16<Float>(repeating: a1[offset])
      c010 = fusedMultiplyAdd(c010, x, b0)
      x = SIMD16<Float>(repeating: a2[offset])
      c020 = fusedMultiplyAdd(c020, x, b0)
      x = SIMD16<Float>(repeating: a3[offset])
      c030 = fusedMultiplyAdd(c030, x, b0)
      x = SIMD16<Float>(repeating: a4[offset])
      c040 = fusedMultiplyAdd(c040, x, b0)
      x = SIMD16<Float>(repeating: a5[offset])
      c050 = fusedMultiplyAdd(c050, x, b0)
      x = SIMD16<Float>(repeating: a6[offset])
      c060 = fusedMultiplyAdd(c060, x, b0)
      x = SIMD16<Float>(repeating: a7[offset])
      c070 = fusedMultiplyAdd(c070, x, b0)
      x = SIMD16<Float>(repeating: a8[offset])
      c080 = fusedMultiplyAdd(c080, x, b0)
      x = SIMD16<Float>(repeating: a9[offset])
      c090 = fusedMultiplyAdd(c090, x, b0)
      x = SIMD16<Float>(repeating: a10[offset])
      c100 = fusedMultiplyAdd(c100, x, b0)
      x = SIMD16<Float>(repeating: a11[offset])
      c110 = fusedMultiplyAdd(c110, x, b0)
      offset += aStrides.depth
      pb += bStride
    }
    storeVector(alpha * c000, out)
    storeVector(alpha * c010, out + 1 * ldo)
    storeVector(alpha * c020, out + 2 * ldo)
    storeVector(alpha * c030, out + 3 * ldo)
    storeVector(alpha * c040, out + 4 * ldo)
    storeVector(alpha * c050, out + 5 * ldo)
    storeVector(alpha * c060, out + 6 * ldo)
    storeVector(alpha * c070, out + 7 * ldo)
    storeVector(alpha * c080, out + 8 * ldo)
    storeVector(alpha * c090, out + 9 * ldo)
    storeVector(alpha * c100, out + 10 * ldo)
    storeVector(alpha * c110, out + 11 * ldo)
  }
}

/// 12×32 tile, 24 sixteen-lane accumulators: for products 17 to 32 columns wide, where a 6×64
/// tile would compute up to twice the columns it keeps.
enum Kernel12x32: GEMMMicroKernel {
  static var mr: Int { 12 }
  static var nr: Int { 32 }
  static var mc: Int { 144 }
  static var aBlockFloats: Int { 36 * 1024 }
  // The same depth blocking as `Kernel6x64`, so every kernel gives the same sums.
  static var kc: Int { Kernel6x64.kc }
  static var nc: Int { 4032 }
  static var readsBInPlace: Bool { true }

  static func run(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float,
    beta: Float,
    rows: Int, columns: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    // A whole tile that replaces C is stored straight into it, scaled as `mergeRow` would.
    let direct = rows == 12 && columns == 32 && beta == 0
    let (out, ldo, scale) = direct ? (c, ldc, alpha) : (scratch, 32, 1)
    accumulate(
      kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: scale,
      into: out,
      ldo: ldo)
    if direct { return }
    if rows == 12 && columns == 32 {
      for r in 0..<12 {
        let acc = scratch + r * 32
        let row = c + r * ldc
        mergeRow(loadVector(acc), alpha, beta, row)
        mergeRow(loadVector(acc + 16), alpha, beta, row + 16)
      }
    } else {
      mergeEdge(
        scratch, nr: 32, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
  }

  /// The register-blocked loop alone, with A read by its strides (see `Kernel6x64.accumulate`);
  /// writes the sums, times `alpha`, to `out` (row stride `ldo`).
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, alpha: Float, into out: UnsafeMutablePointer<Float>,
    ldo: Int
  ) {
    var c000 = SIMD16<Float>()
    var c001 = SIMD16<Float>()
    var c010 = SIMD16<Float>()
    var c011 = SIMD16<Float>()
    var c020 = SIMD16<Float>()
    var c021 = SIMD16<Float>()
    var c030 = SIMD16<Float>()
    var c031 = SIMD16<Float>()
    var c040 = SIMD16<Float>()
    var c041 = SIMD16<Float>()
    var c050 = SIMD16<Float>()
    var c051 = SIMD16<Float>()
    var c060 = SIMD16<Float>()
    var c061 = SIMD16<Float>()
    var c070 = SIMD16<Float>()
    var c071 = SIMD16<Float>()
    var c080 = SIMD16<Float>()
    var c081 = SIMD16<Float>()
    var c090 = SIMD16<Float>()
    var c091 = SIMD16<Float>()
    var c100 = SIMD16<Float>()
    var c101 = SIMD16<Float>()
    var c110 = SIMD16<Float>()
    var c111 = SIMD16<Float>()
    // Rows past `aRows` repeat row 0: they are computed and thrown away, never read past A.
    let a0 = a
    let a1 = aRows > 1 ? a + 1 * aStrides.row : a
    let a2 = aRows > 2 ? a + 2 * aStrides.row : a
    let a3 = aRows > 3 ? a + 3 * aStrides.row : a
    let a4 = aRows > 4 ? a + 4 * aStrides.row : a
    let a5 = aRows > 5 ? a + 5 * aStrides.row : a
    let a6 = aRows > 6 ? a + 6 * aStrides.row : a
    let a7 = aRows > 7 ? a + 7 * aStrides.row : a
    let a8 = aRows > 8 ? a + 8 * aStrides.row : a
    let a9 = aRows > 9 ? a + 9 * aStrides.row : a
    let a10 = aRows > 10 ? a + 10 * aStrides.row : a
    let a11 = aRows > 11 ? a + 11 * aStrides.row : a
    var offset = 0
    var pb = b
    for _ in 0..<kc {
      var x: SIMD16<Float>
      let b0 = loadVector(pb)
      let b1 = loadVector(pb + 16)
      x = SIMD16<Float>(repeating: a0[offset])
      c000 = fusedMultiplyAdd(c000, x, b0)
      c001 = fusedMultiplyAdd(c001, x, b1)
      x = SIMD16<Float>(repeating: a1[offset])
      c010 = fusedMultiplyAdd(c010, x, b0)
      c011 = fusedMultiplyAdd(c011, x, b1)
      x = SIMD16<Float>(repeating: a2[offset])
      c020 = fusedMultiplyAdd(c020, x, b0)
      c021 = fusedMultiplyAdd(c021, x, b1)
      x = SIMD16<Float>(repeating: a3[offset])
      c030 = fusedMultiplyAdd(c030, x, b0)
      c031 = fusedMultiplyAdd(c031, x, b1)
      x = SIMD16<Float>(repeating: a4[offset])
      c040 = fusedMultiplyAdd(c040, x, b0)
      c041 = fusedMultiplyAdd(c041, x, b1)
      x = SIMD16<Float>(repeating: a5[offset])
      c050 = fusedMultiplyAdd(c050, x, b0)
      c051 = fusedMultiplyAdd(c051, x, b1)
      x = SIMD16<Float>(repeating: a6[offset])
      c060 = fusedMultiplyAdd(c060, x, b0)
      c061 = fusedMultiplyAdd(c061, x, b1)
      x = SIMD16<Float>(repeating: a7[offset])
      c070 = fusedMultiplyAdd(c070, x, b0)
      c071 = fusedMultiplyAdd(c071, x, b1)
      x = SIMD16<Float>(repeating: a8[offset])
      c080 = fusedMultiplyAdd(c080, x, b0)
      c081 = fusedMultiplyAdd(c081, x, b1)
      x = SIMD16<Float>(repeating: a9[offset])
      c090 = fusedMultiplyAdd(c090, x, b0)
      c091 = fusedMultiplyAdd(c091, x, b1)
      x = SIMD16<Float>(repeating: a10[offset])
      c100 = fusedMultiplyAdd(c100, x, b0)
      c101 = fusedMultiplyAdd(c101, x, b1)
      x = SIMD16<Float>(repeating: a11[offset])
      c110 = fusedMultiplyAdd(c110, x, b0)
      c111 = fusedMultiplyAdd(c111, x, b1)
      offset += aStrides.depth
      pb += bStride
    }
    storeVector(alpha * c000, out)
    storeVector(alpha * c001, out + 16)
    storeVector(alpha * c010, out + 1 * ldo)
    storeVector(alpha * c011, out + 1 * ldo + 16)
    storeVector(alpha * c020, out + 2 * ldo)
    storeVector(alpha * c021, out + 2 * ldo + 16)
    storeVector(alpha * c030, out + 3 * ldo)
    storeVector(alpha * c031, out + 3 * ldo + 16)
    storeVector(alpha * c040, out + 4 * ldo)
    storeVector(alpha * c041, out + 4 * ldo + 16)
    storeVector(alpha * c050, out + 5 * ldo)
    storeVector(alpha * c051, out + 5 * ldo + 16)
    storeVector(alpha * c060, out + 6 * ldo)
    storeVector(alpha * c061, out + 6 * ldo + 16)
    storeVector(alpha * c070, out + 7 * ldo)
    storeVector(alpha * c071, out + 7 * ldo + 16)
    storeVector(alpha * c080, out + 8 * ldo)
    storeVector(alpha * c081, out + 8 * ldo + 16)
    storeVector(alpha * c090, out + 9 * ldo)
    storeVector(alpha * c091, out + 9 * ldo + 16)
    storeVector(alpha * c100, out + 10 * ldo)
    storeVector(alpha * c101, out + 10 * ldo + 16)
    storeVector(alpha * c110, out + 11 * ldo)
    storeVector(alpha * c111, out + 11 * ldo + 16)
  }
}
