import Foundation
import Testing

@testable import Topology

/// Validation of `DistanceMatrix` and the metrics that build one, against closed forms and a
/// direct (two-logarithm) Jensen–Shannon formula written here.
struct DistanceMatrixTests {
  @Test func rejectsBadMatrices() {
    #expect(throws: DistanceMatrixError.notSquare(entryCount: 5, expectedCount: 2)) {
      try DistanceMatrix(entries: [0, 1, 1, 0, 0], count: 2)
    }
    #expect(throws: DistanceMatrixError.ragged(row: 1, length: 1, expected: 2)) {
      try DistanceMatrix(rows: [[0, 1], [1]])
    }
    #expect(throws: DistanceMatrixError.nonFinite(row: 0, column: 1, value: .infinity)) {
      try DistanceMatrix(entries: [0, .infinity, .infinity, 0], count: 2)
    }
    #expect(throws: DistanceMatrixError.negative(row: 0, column: 1, value: -1)) {
      try DistanceMatrix(entries: [0, -1, -1, 0], count: 2)
    }
    #expect(throws: DistanceMatrixError.nonzeroDiagonal(index: 1, value: 0.5)) {
      try DistanceMatrix(entries: [0, 1, 1, 0.5], count: 2)
    }
    #expect(throws: DistanceMatrixError.asymmetric(row: 0, column: 1, value: 1, transposed: 2)) {
      try DistanceMatrix(entries: [0, 1, 2, 0], count: 2)
    }
    do {
      _ = try DistanceMatrix(entries: [0, .nan, .nan, 0], count: 2)
      Issue.record("NaN accepted")
    } catch {
      #expect(error.localizedDescription.contains("d[0][1]"))
      #expect(error.localizedDescription.contains("not finite"))
    }
    #expect(throws: DistanceMatrixError.notAProbability(row: 1, column: 0, value: -0.5)) {
      try DistanceMatrix.jensenShannon(rows: [1, 0, -0.5, 1.5], rowCount: 2, columnCount: 2)
    }
    #expect(throws: DistanceMatrixError.badShape(rows: 2, columns: 3, entryCount: 4)) {
      try DistanceMatrix.euclidean(points: [0, 0, 0, 0], count: 2, dimension: 3)
    }
  }

  @Test func acceptsEmptySingletonAndNegativeZero() throws {
    #expect(try DistanceMatrix(entries: [], count: 0).enclosingRadius == 0)
    #expect(try DistanceMatrix(entries: [0], count: 1).count == 1)
    let d = try DistanceMatrix(entries: [0, -0.0, -0.0, 0], count: 2)
    #expect(d[0, 1].sign == .plus)
  }

  @Test func enclosingRadiusIsMinOfRowMaxima() throws {
    let d = try DistanceMatrix(rows: [[0, 1, 4], [1, 0, 2], [4, 2, 0]])
    #expect(d.enclosingRadius == 2)
  }

  /// Direct formula with two logarithms per term, in Double.
  static func directJensenShannon(_ p: [Double], _ q: [Double], base: Double) -> Double {
    var s = 0.0
    for (x, y) in zip(p, q) {
      let m = (x + y) / 2
      if x > 0 { s += 0.5 * x * Foundation.log(x / m) }
      if y > 0 { s += 0.5 * y * Foundation.log(y / m) }
    }
    return (max(0, s) / Foundation.log(base)).squareRoot()
  }

  @Test(arguments: [2.0, M_E])
  func jensenShannonMatchesDirectFormula(base: Double) throws {
    let n = 12
    let m = 9
    var rows = randomAttention(n, m, scale: 3, seed: 7)
    for k in 0..<m { rows[5 * m + k] = k == 2 ? 1 : 0 }  // a one-hot row: zeros handled exactly
    let d = try DistanceMatrix.jensenShannon(rows: rows, rowCount: n, columnCount: m, base: base)
    for a in 0..<n {
      #expect(d[a, a] == 0)
      for b in 0..<n where b != a {
        let p = (0..<m).map { Double(rows[a * m + $0]) }
        let q = (0..<m).map { Double(rows[b * m + $0]) }
        let expected = Self.directJensenShannon(p, q, base: base)
        #expect(abs(Double(d[a, b]) - expected) <= 1e-6 * max(1, expected))
        #expect(d[a, b] == d[b, a])
      }
    }
  }

  @Test func jensenShannonKnownValues() throws {
    // disjoint supports: 1 in base 2, sqrt(ln 2) in base e; identical rows: exactly 0
    let rows: [Float] = [0.5, 0.5, 0, 0, 0, 0, 0.25, 0.75, 0.5, 0.5, 0, 0]
    let d2 = try DistanceMatrix.jensenShannon(rows: rows, rowCount: 3, columnCount: 4)
    #expect(d2[0, 1] == 1)
    #expect(d2[0, 2] == 0)
    let de = try DistanceMatrix.jensenShannon(rows: rows, rowCount: 3, columnCount: 4, base: M_E)
    #expect(de[0, 1] == Float(Foundation.log(2.0).squareRoot()))
    // JS((1, 0), (½, ½)) with M = (¾, ¼): ½ log2(4/3) + ½ (½ log2(2/3) + ½ log2 2)
    let two = try DistanceMatrix.jensenShannon(rows: [1, 0, 0.5, 0.5], rowCount: 2, columnCount: 2)
    let js = 0.5 * Foundation.log2(4.0 / 3) + 0.5 * (0.5 * Foundation.log2(2.0 / 3) + 0.5)
    #expect(abs(two[0, 1] - Float(js.squareRoot())) <= 1e-7)
  }

  @Test func totalVariationIsHalfL1() throws {
    let rows: [Float] = [0.5, 0.5, 0, 0, 0.25, 0.75, 1, 0, 0]
    let d = try DistanceMatrix.totalVariation(rows: rows, rowCount: 3, columnCount: 3)
    #expect(d[0, 1] == 0.75)
    #expect(d[0, 2] == 0.5)
    #expect(d[1, 2] == 1)
  }

  @Test func euclideanAndCosine() throws {
    let points: [Float] = [0, 0, 3, 4, 6, 8, -3, -4]
    let e = try DistanceMatrix.euclidean(points: points, count: 4, dimension: 2)
    #expect(e[0, 1] == 5 && e[1, 2] == 5 && e[0, 2] == 10 && e[1, 3] == 10)
    let c = try DistanceMatrix.cosine(points: points, count: 4, dimension: 2)
    #expect(c[1, 2] == 0)  // parallel
    #expect(c[1, 3] == 2)  // opposite
    #expect(c[0, 1] == 1)  // the zero vector is orthogonal to everything
    let orthogonal = try DistanceMatrix.cosine(points: [1, 0, 0, 2], count: 2, dimension: 2)
    #expect(orthogonal[0, 1] == 1)
  }
}

/// The SIMD logarithm behind the Jensen–Shannon kernel, against Foundation's `log`.
struct VectorLogTests {
  @Test func matchesFoundationLog() {
    var rng = SeededGenerator(seed: 11)
    var worst = 0.0
    for _ in 0..<2000 {
      var x = SIMD8<Double>()
      for t in 0..<8 {
        let exponent = Double.random(in: -300...300, using: &rng)
        x[t] = Foundation.pow(10, exponent)
      }
      x[0] = Double.random(in: 0.9..<1.1, using: &rng)
      x[1] = Double(Float.leastNonzeroMagnitude)
      let l = vectorLog(x)
      for t in 0..<8 {
        let exact = Foundation.log(x[t])
        worst = max(worst, abs(l[t] - exact) / max(abs(exact), 1e-3))
      }
    }
    #expect(worst < 1e-14)
    #expect(vectorLog(SIMD8(repeating: 1)) == SIMD8(repeating: 0))
  }
}
