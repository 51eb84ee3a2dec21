import Autodiff
import Foundation
import Testing

@testable import Lab

@Suite struct RankCorrelationTests {
  @Test func averageRanksShareTheMeanOfTheRanksTheySpan() {
    #expect(RankCorrelation.averageRanks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4])
    #expect(RankCorrelation.averageRanks([3, 1, 2]) == [3, 1, 2])
    #expect(RankCorrelation.averageRanks([5, 5, 5]) == [2, 2, 2])
    #expect(RankCorrelation.averageRanks([2, 1, 2, 1, 2]) == [4, 1.5, 4, 1.5, 4])
    #expect(RankCorrelation.averageRanks([]) == [])
  }

  /// Values worked out by hand.
  @Test func handComputedValues() throws {
    // No ties: d = (-1, 1, -1, 1, 0), 1 − 6·Σd²/(n(n²−1)) = 1 − 24/120.
    let plain = RankCorrelation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    #expect(abs(try #require(plain.rho) - 0.8) < 1e-15)
    #expect(plain.n == 5 && plain.distinctX == 5 && plain.distinctY == 5)
    // Ties in y: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): Σdxdy = 4.5, Σdx² = 5, Σdy² = 4.5,
    // ρ = 4.5/√22.5 = √0.9 (SciPy's spearmanr gives 0.9486832980505138).
    let tied = RankCorrelation([1, 2, 3, 4], [1, 2, 2, 3])
    #expect(abs(try #require(tied.rho) - 0.9.squareRoot()) < 1e-14)
    #expect(tied.distinctY == 3 && tied.undefined == nil)
    // Only the order matters: any increasing map gives 1, any decreasing one −1.
    let x: [Double] = [0.3, -2, 7, 1e-3, 40]
    #expect(RankCorrelation(x, x.map { Foundation.exp($0 / 10) }).rho == 1)
    #expect(RankCorrelation(x, x.map { -$0 * $0 * $0 }).rho == -1)
  }

  @Test func constantOrTooShortInputIsUndefined() {
    let constantX = RankCorrelation([1, 1, 1], [1, 2, 3])
    #expect(constantX.rho == nil && constantX.undefined == .constantX && constantX.n == 3)
    #expect(RankCorrelation([1, 2, 3], [4, 4, 4]).undefined == .constantY)
    #expect(RankCorrelation([2, 2], [4, 4]).undefined == .bothConstant)
    #expect(RankCorrelation([1], [2]).undefined == .tooFewPairs)
    #expect(RankCorrelation([], []).undefined == .tooFewPairs)
    // Two values each, all tied in pairs, is not constant: ρ is defined.
    #expect(RankCorrelation([1, 1, 2, 2], [3, 3, 4, 4]).rho == 1)
  }

  @Test func nonFiniteValuesDropTheirPair() {
    let c = RankCorrelation([1, 2, .nan, 4, 5], [1, 3, 2, .infinity, 2])
    // Left: (1, 1), (2, 3), (5, 2): ranks (1, 2, 3) against (1, 3, 2), Σd² = 2, ρ = 1 − 12/24.
    #expect(c.n == 3)
    #expect(abs(c.rho! - 0.5) < 1e-15)
    #expect(RankCorrelation([.nan, 1], [1, .nan]).undefined == .tooFewPairs)
  }

  /// Against a brute-force version written from the definition: each value's rank counts the
  /// values below it and half the other values equal to it; ρ is the textbook Pearson formula
  /// n·Σxy − Σx·Σy over the root of the product of the n·Σx² − (Σx)² terms.
  @Test func matchesBruteForceOnRandomInputsWithTies() {
    var random = SeededRandom(seed: 7, stream: "spearman")
    func bruteRanks(_ v: [Double]) -> [Double] {
      v.map { a in
        1 + Double(v.filter { $0 < a }.count) + Double(v.filter { $0 == a }.count - 1) / 2
      }
    }
    var checked = 0
    for _ in 0..<300 {
      let n = 2 + random.nextInt(below: 14)
      let levels = 1 + random.nextInt(below: 6)  // few levels: many ties
      let x = (0..<n).map { _ in Double(random.nextInt(below: levels)) }
      let y = (0..<n).map { _ in Double(random.nextInt(below: 8)) * 0.25 }
      let (rx, ry) = (bruteRanks(x), bruteRanks(y))
      let m = Double(n)
      let sxy = zip(rx, ry).map(*).reduce(0, +)
      let (sx, sy) = (rx.reduce(0, +), ry.reduce(0, +))
      let sxx = rx.map { $0 * $0 }.reduce(0, +)
      let syy = ry.map { $0 * $0 }.reduce(0, +)
      let denominator = ((m * sxx - sx * sx) * (m * syy - sy * sy)).squareRoot()
      let c = RankCorrelation(x, y)
      #expect(RankCorrelation.averageRanks(x) == rx)
      if denominator == 0 {
        #expect(c.rho == nil && c.undefined != nil)
      } else {
        #expect(abs(c.rho! - (m * sxy - sx * sy) / denominator) < 1e-12, "x \(x) y \(y)")
        checked += 1
      }
    }
    #expect(checked > 200)
  }
}
