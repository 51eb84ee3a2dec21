/// The natural logarithm of eight positive, normal Doubles at once.
///
/// `x = 2^e · m` with `m ∈ [√½, √2)`, then `log m = 2 atanh(z)`, `z = (m − 1)/(m + 1)`,
/// `|z| ≤ 0.1716`, summed as an odd series to `z²¹` (truncation < 1e-18 relative), and `e · ln 2`
/// added in two parts. Accurate to a few ulps; the Jensen–Shannon kernel uses it for every
/// logarithm, so equal inputs give bit-equal outputs there.
///
/// Zero, negative, subnormal, infinite or NaN inputs give meaningless results: callers mask
/// them. (Float32 values, subnormal ones included, are normal as Doubles.)
@inline(__always)
func vectorLog(_ x: SIMD8<Double>) -> SIMD8<Double> {
  let bits = unsafeBitCast(x, to: SIMD8<UInt64>.self)
  var exponent = SIMD8<Int64>(truncatingIfNeeded: bits &>> 52) &- 1023
  let mantissa = (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000
  var m = unsafeBitCast(mantissa, to: SIMD8<Double>.self)
  let large = m .> 1.414_213_562_373_095_1
  m.replace(with: m * 0.5, where: large)
  exponent.replace(with: exponent &+ 1, where: large)
  let z = (m - 1) / (m + 1)
  let z2 = z * z
  var series = SIMD8<Double>(repeating: 1.0 / 21)
  series = multiplyAdd(series, z2, 1.0 / 19)
  series = multiplyAdd(series, z2, 1.0 / 17)
  series = multiplyAdd(series, z2, 1.0 / 15)
  series = multiplyAdd(series, z2, 1.0 / 13)
  series = multiplyAdd(series, z2, 1.0 / 11)
  series = multiplyAdd(series, z2, 1.0 / 9)
  series = multiplyAdd(series, z2, 1.0 / 7)
  series = multiplyAdd(series, z2, 1.0 / 5)
  series = multiplyAdd(series, z2, 1.0 / 3)
  let e = SIMD8<Double>(exponent)
  let ln2High = 0.693_147_180_369_123_816_49  // 0x1.62e42fee00000p-1: e · ln2High is exact
  let ln2Low = 1.908_214_929_270_587_700_02e-10
  let logM = 2 * z + 2 * z * z2 * series
  return e * ln2High + (logM + e * ln2Low)
}

/// `a · b + c`, fused when built for the native CPU (`BETTI_FMA`), plain otherwise.
@inline(__always)
private func multiplyAdd(_ a: SIMD8<Double>, _ b: SIMD8<Double>, _ c: Double) -> SIMD8<Double> {
  #if BETTI_FMA
    return SIMD8(repeating: c).addingProduct(a, b)
  #else
    return a * b + c
  #endif
}
