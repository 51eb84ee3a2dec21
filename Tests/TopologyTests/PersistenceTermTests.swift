import Autodiff
import Foundation
import TestSupport
import Testing

@testable import Topology

/// Euclidean distances of `n` seeded points near a unit circle (so H1 is non-empty).
private func circleDistances(_ n: Int, seed: UInt64) -> [Float] {
  var rng = SeededGenerator(seed: seed)
  let points = (0..<n).map { k -> (Double, Double) in
    let angle = 2 * Double.pi * Double(k) / Double(n) + 0.3 * rng.normal() / Double(n)
    let r = 1 + 0.15 * rng.normal()
    return (r * cos(angle), r * sin(angle))
  }
  var d = [Float](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in 0..<n where i != j {
      d[i * n + j] = Float(hypot(points[i].0 - points[j].0, points[i].1 - points[j].1))
    }
  }
  return d
}

/// Minimum-spanning-tree weight by Prim's algorithm, in Double.
private func primWeight(_ d: [Float], _ n: Int) -> Double {
  var inTree = [Bool](repeating: false, count: n)
  var best = [Double](repeating: .infinity, count: n)
  best[0] = 0
  var total = 0.0
  for _ in 0..<n {
    let u = (0..<n).filter { !inTree[$0] }.min { best[$0] < best[$1] }!
    inTree[u] = true
    total += best[u]
    for v in 0..<n where !inTree[v] { best[v] = min(best[v], Double(d[u * n + v])) }
  }
  return total
}

@Suite struct PersistenceTermTests {
  /// Reference: H0 total persistence with p = 1 is the MST weight (Prim, in the test).
  @Test func h0IsTheSpanningTreeWeight() {
    for seed in [1, 2, 3] as [UInt64] {
      let d = circleDistances(8, seed: seed)
      let (value, _) = PersistenceTerm.totalPersistence(of: Tensor(d, shape: [8, 8]), dimension: 0)
      #expect(abs(Double(value.item) - primWeight(d, 8)) < 1e-5)
    }
  }

  /// Reference: the sum of `(d − b)^p` over the H1 diagram of `VietorisRips`.
  @Test func h1MatchesTheDiagram() throws {
    let d = circleDistances(8, seed: 4)
    let diagram = VietorisRips.persistence(of: try DistanceMatrix(entries: d, count: 8)).h1
    #expect(!diagram.finitePairs.isEmpty)
    let expected = diagram.finitePairs.reduce(0.0) { $0 + pow(Double($1.persistence), 2) }
    let (value, _) = PersistenceTerm.totalPersistence(
      of: Tensor(d, shape: [8, 8]), dimension: 1, exponent: 2)
    #expect(abs(Double(value.item) - expected) < 1e-5)
  }

  /// Reference: finite differences at a generic point (distinct distances; the step is far
  /// below the smallest gap between distances, so the filtration order does not change).
  @Test(arguments: [(0, 1.0), (0, 2.0), (1, 1.0), (1, 1.5)])
  func gradientMatchesFiniteDifferences(dimension: Int, p: Double) {
    let d = Tensor(circleDistances(7, seed: 9), shape: [7, 7], requiresGrad: true)
    checkGradients([d], rtol: 1e-2, atol: 2e-3, step: 0x1p-12) {
      PersistenceTerm.totalPersistence(of: d, dimension: dimension, exponent: p).value
    }
  }

  /// An edge shared by several bars gets the sum of their contributions (scatter-add), split
  /// evenly over the two symmetric entries.
  @Test func gradientIsSymmetricAndSparse() {
    let d = Tensor(circleDistances(8, seed: 5), shape: [8, 8], requiresGrad: true)
    PersistenceTerm.totalPersistence(of: d, dimension: 0).value.backward()
    let g = d.grad!.scalars
    for i in 0..<8 { for j in 0..<8 { #expect(g[i * 8 + j] == g[j * 8 + i]) } }
    // 7 MST edges, each ½ on both entries: total gradient mass 7
    #expect(abs(g.reduce(0, +) - 7) < 1e-5)
  }
}
