import Foundation
import Testing

@testable import Topology

/// Vietoris–Rips H0/H1 against brute force written here: Prim's minimum spanning tree for H0,
/// and a plain Z/2 boundary-matrix reduction of the whole Rips complex up to triangles for H1;
/// plus closed forms on known shapes.
struct ReductionTests {
  /// Prim's algorithm: the weights of a minimum spanning forest of the graph of edges ≤ t, and
  /// the number of its components.
  static func primWeights(_ d: DistanceMatrix, threshold t: Float) -> ([Float], Int) {
    let n = d.count
    var inTree = [Bool](repeating: false, count: n)
    var best = [Float](repeating: .infinity, count: n)
    var weights: [Float] = []
    var components = 0
    for _ in 0..<n {
      var v = -1
      for u in 0..<n where !inTree[u] && (v < 0 || best[u] < best[v]) { v = u }
      if best[v] == .infinity { components += 1 } else { weights.append(best[v]) }
      inTree[v] = true
      for u in 0..<n where !inTree[u] && d[v, u] <= t { best[u] = min(best[u], d[v, u]) }
    }
    return (weights.sorted(), components)
  }

  /// H1 by the textbook algorithm: all simplices up to dimension 2 with diameter ≤ t, sorted by
  /// (diameter, dimension), boundary columns over Z/2 reduced left to right.
  static func bruteForceH1(_ d: DistanceMatrix, threshold t: Float) -> [(Float, Float)] {
    let n = d.count
    var simplices: [(diameter: Float, vertices: [Int])] = (0..<n).map { (0, [$0]) }
    for i in 0..<n {
      for j in (i + 1)..<max(i + 1, n) where d[i, j] <= t { simplices.append((d[i, j], [i, j])) }
    }
    for i in 0..<n {
      for j in (i + 1)..<max(i + 1, n) {
        for k in (j + 1)..<max(j + 1, n) {
          let diameter = max(d[i, j], d[i, k], d[j, k])
          if diameter <= t { simplices.append((diameter, [i, j, k])) }
        }
      }
    }
    simplices.sort { ($0.diameter, $0.vertices.count) < ($1.diameter, $1.vertices.count) }
    var position: [[Int]: Int] = [:]
    for (p, s) in simplices.enumerated() { position[s.vertices] = p }
    var columns: [Set<Int>] = simplices.map { s in
      guard s.vertices.count > 1 else { return [] }
      return Set(
        s.vertices.indices.map { drop in
          var face = s.vertices
          face.remove(at: drop)
          return position[face]!
        })
    }
    var ownerOfLow: [Int: Int] = [:]
    var pairedRows = Set<Int>()
    var pairs: [(Float, Float)] = []
    for c in columns.indices {
      while let low = columns[c].max(), let other = ownerOfLow[low] {
        columns[c].formSymmetricDifference(columns[other])
      }
      if let low = columns[c].max() {
        ownerOfLow[low] = c
        pairedRows.insert(low)
        if simplices[c].vertices.count == 3 && simplices[c].diameter > simplices[low].diameter {
          pairs.append((simplices[low].diameter, simplices[c].diameter))
        }
      }
    }
    for c in columns.indices
    where simplices[c].vertices.count == 2 && columns[c].isEmpty && !pairedRows.contains(c) {
      pairs.append((simplices[c].diameter, .infinity))
    }
    return pairs
  }

  static func checkAgainstBruteForce(_ d: DistanceMatrix, threshold: Float? = nil) {
    let result = VietorisRips.persistence(of: d, threshold: threshold)
    let t = result.threshold
    let (weights, components) = primWeights(d, threshold: t)
    #expect(result.h0.finitePairs.map(\.death).sorted() == weights.filter { $0 > 0 })
    #expect(result.h0.essentialPairs.count == components)
    #expect(sortedIntervals(result.h1) == sortedIntervals(bruteForceH1(d, threshold: t)))
    // every finite value is the length of the edges that carry it
    for pair in result.h0.finitePairs {
      #expect(pair.birth == 0 && d[pair.deathEdge!.i, pair.deathEdge!.j] == pair.death)
    }
    for pair in result.h1.pairs {
      #expect(d[pair.birthEdge!.i, pair.birthEdge!.j] == pair.birth)
      if let e = pair.deathEdge { #expect(d[e.i, e.j] == pair.death) }
      #expect(pair.isEssential == (pair.deathEdge == nil))
    }
  }

  @Test(arguments: 0..<40)
  func randomMatricesMatchBruteForce(seed: Int) {
    let n = 4 + seed % 9
    Self.checkAgainstBruteForce(randomMatrix(n, seed: UInt64(seed)))
    // few distinct values: many ties in the filtration
    Self.checkAgainstBruteForce(randomMatrix(n, levels: 3 + seed % 3, seed: UInt64(1000 + seed)))
  }

  @Test(arguments: 0..<20)
  func thresholdsMatchBruteForce(seed: Int) {
    let d = randomMatrix(6 + seed % 7, seed: UInt64(500 + seed))
    let cut = d.enclosingRadius * Float(0.3 + 0.03 * Double(seed))
    Self.checkAgainstBruteForce(d, threshold: cut)
  }

  @Test func thresholdTruncatesBars() throws {
    // square with side 1, diagonals 2: the loop [1, 2) is alive at 1.5
    let d = try DistanceMatrix(rows: [[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]])
    let full = VietorisRips.persistence(of: d)
    #expect(full.threshold == 2)
    #expect(sortedIntervals(full.h1) == [[1, 2]])
    let cut = VietorisRips.persistence(of: d, threshold: 1.5)
    #expect(cut.threshold == 1.5)
    #expect(sortedIntervals(cut.h1) == [[1, .infinity]])
    #expect(cut.h1.pairs[0].deathEdge == nil)
    let low = VietorisRips.persistence(of: d, threshold: 0.5)
    #expect(sortedIntervals(low.h0) == Array(repeating: [0, .infinity], count: 4))
    #expect(low.h1.count == 0)
    // above the enclosing radius nothing changes
    #expect(VietorisRips.persistence(of: d, threshold: 100) == full)
  }

  @Test func squareWithLongerDiagonal() throws {
    let s = Float(2).squareRoot()
    let d = try DistanceMatrix(rows: [[0, 1, s, 1], [1, 0, 1, s], [s, 1, 0, 1], [1, s, 1, 0]])
    let result = VietorisRips.persistence(of: d)
    #expect(sortedIntervals(result.h0) == [[0, 1], [0, 1], [0, 1], [0, .infinity]])
    #expect(sortedIntervals(result.h1) == [[1, s]])
    let loop = result.h1.pairs[0]
    // birth: the last side in filtration order; death: a diagonal
    #expect(d[loop.birthEdge!.i, loop.birthEdge!.j] == 1)
    #expect([Edge(0, 2), Edge(1, 3)].contains(loop.deathEdge!))
  }

  @Test func pointsOnACircleHaveOneLongLoop() throws {
    let n = 24
    var points: [Float] = []
    for k in 0..<n {
      let angle = 2 * Double.pi * Double(k) / Double(n)
      points += [Float(Foundation.cos(angle)), Float(Foundation.sin(angle))]
    }
    let d = try DistanceMatrix.euclidean(points: points, count: n, dimension: 2)
    let result = VietorisRips.persistence(of: d)
    #expect(result.h0.count == n)
    #expect(result.h1.count == 1)
    let loop = result.h1.pairs[0]
    #expect(loop.death > 4 * loop.birth)  // side ≈ 0.26, dies near √3
    #expect(abs(loop.birth - Float(2 * Foundation.sin(Double.pi / Double(n)))) < 1e-5)
  }

  @Test func equalDistancesHaveNoLoops() throws {
    let n = 10
    var rows = [[Float]](repeating: [Float](repeating: 1, count: n), count: n)
    for i in 0..<n { rows[i][i] = 0 }
    let result = VietorisRips.persistence(of: try DistanceMatrix(rows: rows))
    #expect(
      sortedIntervals(result.h0) == Array(repeating: [0, 1], count: n - 1) + [[0, .infinity]])
    #expect(result.h1.count == 0)
  }

  @Test func tinyAndDegenerateInputs() throws {
    let empty = VietorisRips.persistence(of: try DistanceMatrix(entries: [], count: 0))
    #expect(empty.h0.count == 0 && empty.h1.count == 0)
    let one = VietorisRips.persistence(of: try DistanceMatrix(entries: [0], count: 1))
    #expect(sortedIntervals(one.h0) == [[0, .infinity]])
    let two = VietorisRips.persistence(of: try DistanceMatrix(rows: [[0, 3], [3, 0]]))
    #expect(sortedIntervals(two.h0) == [[0, 3], [0, .infinity]])
    #expect(two.h0.pairs[0].deathEdge == Edge(0, 1))
    #expect(two.h1.count == 0)
    // duplicate points: zero-length edges are real edges, their zero bars are dropped
    let same = VietorisRips.persistence(
      of: try DistanceMatrix(rows: [[0, 0, 2], [0, 0, 2], [2, 2, 0]]))
    #expect(sortedIntervals(same.h0) == [[0, 2], [0, .infinity]])
    let zeros = VietorisRips.persistence(
      of: try DistanceMatrix(entries: [Float](repeating: 0, count: 25), count: 5))
    #expect(sortedIntervals(zeros.h0) == [[0, .infinity]])
  }

  @Test func relabellingKeepsTheDiagrams() throws {
    var rng = SeededGenerator(seed: 99)
    let n = 40
    let rows = randomAttention(n, 8, scale: 6, seed: 5)  // sharp: many tied distances
    let d = try DistanceMatrix.jensenShannon(rows: rows, rowCount: n, columnCount: 8)
    let permutation = (0..<n).shuffled(using: &rng)
    var permuted = [Float](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { permuted[i * n + j] = d[permutation[i], permutation[j]] } }
    let a = VietorisRips.persistence(of: d)
    let b = VietorisRips.persistence(of: try DistanceMatrix(entries: permuted, count: n))
    #expect(sortedIntervals(a.h0) == sortedIntervals(b.h0))
    #expect(sortedIntervals(a.h1) == sortedIntervals(b.h1))
  }

  @Test func youngestEdgeTieRule() throws {
    // triangle {0, 1, 2} with all sides equal: the smallest-index edge is (0, 1)
    let d = try DistanceMatrix(rows: [[0, 1, 1], [1, 0, 1], [1, 1, 0]])
    let index = SimplexIndex(pointCount: 3)
    #expect(VietorisRips.youngestEdge(ofTriangle: 0, d, index) == Edge(0, 1))
    let e = try DistanceMatrix(rows: [[0, 1, 2], [1, 0, 2], [2, 2, 0]])
    #expect(VietorisRips.youngestEdge(ofTriangle: 0, e, index) == Edge(0, 2))
  }

  /// (Uniform random matrices are not used here: they are not metrics and have thousands of
  /// H1 bars, pathological for Ripser as well.)
  @Test func largeAttentionMatrixRuns() throws {
    let rows = randomAttention(512, 512, seed: 3)
    let d = try DistanceMatrix.jensenShannon(rows: rows, rowCount: 512, columnCount: 512)
    let result = VietorisRips.persistence(of: d)
    #expect(result.h0.count == 512)
    #expect(result.h1.pairs.allSatisfy { $0.death > $0.birth })
  }
}
