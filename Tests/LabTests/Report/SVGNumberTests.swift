import Foundation
import Testing

@testable import Lab

/// `SVG.f` against printf's `%.2f` with the trailing zeros trimmed, computed here: random values
/// over many magnitudes, exact and inexact ties, and the edges (zeros, negatives that round to
/// zero, the largest values rounded by hand).
struct SVGNumberTests {
  func printf(_ x: Double) -> String {
    var s = String(format: "%.2f", x)
    while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
    return s == "-0" ? "0" : s
  }

  @Test func numbersAreWhatPrintfPrintsTrimmed() {
    var rng = SystemRandomNumberGenerator()
    var values: [Double] = [
      0, -0.0, 1, -1, 0.5, 0.005, -0.005, 0.004999, -0.004999, 0.125, 0.375, 1.005, 2.675,
      -2.675, 10.1, 99.995, 99.994999, 123456.785, 1e12 + 0.125, 9.999999e12, 1e13, -1e13 + 0.5,
      0.1 + 0.2, 1.0 / 3, -2.0 / 3, 1e-300, 5e-3 - 1e-18,
    ]
    for _ in 0..<20_000 {
      let exponent = Double.random(in: -4...13, using: &rng)
      let sign: Double = Bool.random(using: &rng) ? 1 : -1
      values.append(sign * Double.random(in: 1..<10, using: &rng) * pow(10, exponent.rounded()))
    }
    // Hundredths and thousandths as written in decimal: the ties and near-ties of %.2f.
    for _ in 0..<5_000 {
      values.append(Double(Int.random(in: -10_000_000...10_000_000, using: &rng)) / 1000)
      values.append(Double(Int.random(in: -10_000_000...10_000_000, using: &rng)) / 200)
    }
    for x in values {
      #expect(SVG.f(x) == printf(x), "SVG.f(\(x))")
    }
  }

  @Test func nonFiniteValuesPrintAsZero() {
    #expect(SVG.f(.nan) == "0" && SVG.f(.infinity) == "0" && SVG.f(-.infinity) == "0")
  }

  @Test func knownValues() {
    #expect(SVG.f(12.5) == "12.5" && SVG.f(-3.1) == "-3.1" && SVG.f(0.06) == "0.06")
    #expect(SVG.f(-0.001) == "0" && SVG.f(7) == "7" && SVG.f(1e15) == "1000000000000000")
  }
}
