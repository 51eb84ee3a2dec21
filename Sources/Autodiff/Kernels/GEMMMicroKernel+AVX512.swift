// Micro-kernel for 512-bit vectors (AVX-512). See GEMMMicroKernel.swift.

/// 6×64 tile, 24 sixteen-lane accumulators: 24 of the 32 zmm registers on AVX-512, leaving room
/// for the four B vectors and the A broadcast.
enum Kernel6x64: GEMMMicroKernel {
  static var mr: Int { 6 }
  static var nr: Int { 64 }
  static var mc: Int { 144 }
  static var aBlockFloats: Int { 36 * 1024 }
  static var kc: Int { 512 }
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
    let direct = rows == 6 && columns == 64 && beta == 0
    let (out, ldo, scale) = direct ? (c, ldc, alpha) : (scratch, 64, 1)
    accumulate(
      kc: kc, a: a, aStrides: aStrides, aRows: aRows, b: b, bStride: bStride, alpha: scale,
      into: out,
      ldo: ldo)
    if direct { return }
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

  /// The register-blocked loop alone, in its own function so that nothing else competes for
  /// registers with it. A is read with any strides (element (r, p) at
  /// `a[r·aStrides.row + p·aStrides.depth]`: A where it lies, or packed; see `GEMM.packsA`).
  @inline(never)
  static func accumulate(
    kc: Int, a: UnsafePointer<Float>, aStrides: (row: Int, depth: Int), aRows: Int,
    b: UnsafePointer<Float>, bStride: Int, alpha: Float, into out: UnsafeMutablePointer<Float>,
    ldo: Int
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
      let b1 = loadVector(pb + 16)
      let b2 = loadVector(pb + 32)
      let b3 = loadVector(pb + 48)
      var x = SIMD16<Float>(repeating: a0[offset])
      c00 = fusedMultiplyAdd(c00, x, b0)
      c01 = fusedMultiplyAdd(c01, x, b1)
      c02 = fusedMultiplyAdd(c02, x, b2)
      c03 = fusedMultiplyAdd(c03, x, b3)
      x = SIMD16<Float>(repeating: a1[offset])
      c10 = fusedMultiplyAdd(c10, x, b0)
      c11 = fusedMultiplyAdd(c11, x, b1)
      c12 = fusedMultiplyAdd(c12, x, b2)
      c13 = fusedMultiplyAdd(c13, x, b3)
      x = SIMD16<Float>(repeating: a2[offset])
      c20 = fusedMultiplyAdd(c20, x, b0)
      c21 = fusedMultiplyAdd(c21, x, b1)
      c22 = fusedMultiplyAdd(c22, x, b2)
      c23 = fusedMultiplyAdd(c23, x, b3)
      x = SIMD16<Float>(repeating: a3[offset])
      c30 = fusedMultiplyAdd(c30, x, b0)
      c31 = fusedMultiplyAdd(c31, x, b1)
      c32 = fusedMultiplyAdd(c32, x, b2)
      c33 = fusedMultiplyAdd(c33, x, b3)
      x = SIMD16<Float>(repeating: a4[offset])
      c40 = fusedMultiplyAdd(c40, x, b0)
      c41 = fusedMultiplyAdd(c41, x, b1)
      c42 = fusedMultiplyAdd(c42, x, b2)
      c43 = fusedMultiplyAdd(c43, x, b3)
      x = SIMD16<Float>(repeating: a5[offset])
      c50 = fusedMultiplyAdd(c50, x, b0)
      c51 = fusedMultiplyAdd(c51, x, b1)
      c52 = fusedMultiplyAdd(c52, x, b2)
      c53 = fusedMultiplyAdd(c53, x, b3)
      offset += aStrides.depth
      pb += bStride
    }
    storeVector(alpha * c00, out)
    storeVector(alpha * c01, out + 16)
    storeVector(alpha * c02, out + 32)
    storeVector(alpha * c03, out + 48)
    storeVector(alpha * c10, out + 1 * ldo)
    storeVector(alpha * c11, out + 1 * ldo + 16)
    storeVector(alpha * c12, out + 1 * ldo + 32)
    storeVector(alpha * c13, out + 1 * ldo + 48)
    storeVector(alpha * c20, out + 2 * ldo)
    storeVector(alpha * c21, out + 2 * ldo + 16)
    storeVector(alpha * c22, out + 2 * ldo + 32)
    storeVector(alpha * c23, out + 2 * ldo + 48)
    storeVector(alpha * c30, out + 3 * ldo)
    storeVector(alpha * c31, out + 3 * ldo + 16)
    storeVector(alpha * c32, out + 3 * ldo + 32)
    storeVector(alpha * c33, out + 3 * ldo + 48)
    storeVector(alpha * c40, out + 4 * ldo)
    storeVector(alpha * c41, out + 4 * ldo + 16)
    storeVector(alpha * c42, out + 4 * ldo + 32)
    storeVector(alpha * c43, out + 4 * ldo + 48)
    storeVector(alpha * c50, out + 5 * ldo)
    storeVector(alpha * c51, out + 5 * ldo + 16)
    storeVector(alpha * c52, out + 5 * ldo + 32)
    storeVector(alpha * c53, out + 5 * ldo + 48)
  }
}
