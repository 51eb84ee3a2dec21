import Foundation
import Testing

@testable import Topology

/// Bottleneck and Wasserstein distances against hand-computed values and against brute force
/// over every partial matching (each point to a point of the other diagram or to the diagonal),
/// written here for tiny diagrams; Betti curves against counting by hand.
struct DiagramDistanceTests {
  typealias Interval = (birth: Float, death: Float)

  /// Minimum over all matchings of `combine(costs)`; exponential, for ≤ 5 points a side.
  static func bruteForce(_ a: [Interval], _ b: [Interval], combine: ([Double]) -> Double) -> Double
  {
    func cost(_ p: Interval, _ q: Interval) -> Double {
      max(abs(Double(p.birth) - Double(q.birth)), abs(Double(p.death) - Double(q.death)))
    }
    func diagonal(_ p: Interval) -> Double { (Double(p.death) - Double(p.birth)) / 2 }
    var best = Double.infinity
    func search(_ i: Int, _ usedB: [Bool], _ costs: [Double]) {
      if i == a.count {
        var all = costs
        for (j, used) in usedB.enumerated() where !used { all.append(diagonal(b[j])) }
        best = min(best, combine(all))
        return
      }
      search(i + 1, usedB, costs + [diagonal(a[i])])
      for j in b.indices where !usedB[j] {
        var next = usedB
        next[j] = true
        search(i + 1, next, costs + [cost(a[i], b[j])])
      }
    }
    search(0, [Bool](repeating: false, count: b.count), [])
    return best
  }

  static func randomDiagram(_ count: Int, _ rng: inout SeededGenerator) -> [Interval] {
    (0..<count).map { _ in
      let b = Float(Int.random(in: 0...6, using: &rng)) / 4
      return (b, b + Float(Int.random(in: 0...6, using: &rng)) / 4)
    }
  }

  @Test func handMadeDiagrams() {
    let a: [Interval] = [(0, 4), (1, 2)]
    let b: [Interval] = [(0, 3)]
    // (0,4)↔(0,3) costs 1, (1,2)→diagonal costs ½
    #expect(DiagramDistance.bottleneck(a, b) == 1)
    #expect(DiagramDistance.wasserstein(a, b) == 1.5)
    #expect(DiagramDistance.wasserstein(a, b, order: 2) == (1.25 as Double).squareRoot())
    #expect(DiagramDistance.bottleneck(a, a) == 0)
    #expect(DiagramDistance.wasserstein(a, a) == 0)
    #expect(DiagramDistance.bottleneck([], []) == 0)
    #expect(DiagramDistance.bottleneck(a, []) == 2)
    #expect(DiagramDistance.wasserstein(a, []) == 2.5)
  }

  @Test func essentialPointsMatchOnlyEssentialPoints() {
    let a: [Interval] = [(0, .infinity), (0, 1)]
    let b: [Interval] = [(0.5, .infinity)]
    #expect(DiagramDistance.bottleneck(a, b) == 0.5)
    #expect(DiagramDistance.wasserstein(a, b) == 1)
    #expect(DiagramDistance.bottleneck(a, [(0, 1)]) == .infinity)
    #expect(DiagramDistance.wasserstein([(0, 1)], b) == .infinity)
  }

  @Test(arguments: 0..<60)
  func matchBruteForceOnTinyDiagrams(seed: Int) {
    var rng = SeededGenerator(seed: UInt64(seed))
    let a = Self.randomDiagram(seed % 5, &rng)
    let b = Self.randomDiagram((seed / 5) % 5, &rng)
    let bottleneck = Self.bruteForce(a, b) { $0.max() ?? 0 }
    let w1 = Self.bruteForce(a, b) { $0.reduce(0, +) }
    let w2 = Self.bruteForce(a, b) { $0.map { $0 * $0 }.reduce(0, +) }.squareRoot()
    #expect(DiagramDistance.bottleneck(a, b) == bottleneck)
    #expect(abs(DiagramDistance.wasserstein(a, b) - w1) < 1e-12)
    #expect(abs(DiagramDistance.wasserstein(a, b, order: 2) - w2) < 1e-12)
    #expect(DiagramDistance.bottleneck(a, b) == DiagramDistance.bottleneck(b, a))
  }

  @Test func distancesBetweenRipsDiagrams() throws {
    let d1 = randomMatrix(30, seed: 1)
    let d2 = randomMatrix(30, seed: 2)
    let x = VietorisRips.persistence(of: d1).h1
    let y = VietorisRips.persistence(of: d2).h1
    let b = DiagramDistance.bottleneck(x, y)
    let w = DiagramDistance.wasserstein(x, y)
    #expect(b > 0 && b <= w)
    #expect(DiagramDistance.bottleneck(x, x) == 0)
  }
}
