import Autodiff
import Foundation

/// `SIMD16<Float>` helpers for the probes' inner loops, written with lane-wise arithmetic and
/// bit operations only: the standard library's `pointwiseMax`, `sum()`, `min()`/`max()` and
/// masked `replacing` are not lowered to vector instructions and cost ~100× more.
enum VectorMath {
  // `magnitude` and `total` are Autodiff's; these forward to them so call sites read alike.
  @inline(__always)
  static func magnitude(_ x: SIMD16<Float>) -> SIMD16<Float> { Autodiff.VectorMath.magnitude(x) }

  @inline(__always)
  static func total(_ x: SIMD16<Float>) -> Float { Autodiff.VectorMath.total(x) }

  /// `−x·log₂x` lane by lane for `x ≥ 0` (0 at `x = 0`, and for negative `x`); absolute error
  /// of `log₂x` below ~1e-6, i.e. a few ulps of the result.
  ///
  /// `x = m·2^e` with `m ∈ [√½, √2)` (by integer arithmetic on the bits), then
  /// `log₂m = (2/ln 2)·atanh(s)`, `s = (m − 1)/(m + 1)`, `|s| ≤ 0.172`, by the series
  /// `s + s³/3 + s⁵/5 + s⁷/7 + s⁹/9` (truncation error < 2e-9).
  @inline(__always)
  static func negativeXLog2X(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let raw = unsafeBitCast(x, to: SIMD16<Int32>.self)
    let bits = raw & ~(raw &>> 31)  // negative lanes become +0
    let u = bits &- 0x3f35_04f3  // the bits of √½
    let e = SIMD16<Float>(u &>> 23)
    let m = unsafeBitCast((u & 0x7f_ffff) &+ 0x3f35_04f3, to: SIMD16<Float>.self)
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    var p = SIMD16<Float>(repeating: 2.0 / 9)
    p = p * s2 + SIMD16(repeating: 2.0 / 7)
    p = p * s2 + SIMD16(repeating: 2.0 / 5)
    p = p * s2 + SIMD16(repeating: 2.0 / 3)
    p = p * s2 + SIMD16(repeating: 2)
    let log2x = e + p * s * Float(1 / M_LN2)
    // A zero lane has a finite (meaningless) log2x, so the product is exactly 0.
    return -unsafeBitCast(bits, to: SIMD16<Float>.self) * log2x
  }
}
