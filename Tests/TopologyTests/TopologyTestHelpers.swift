import Foundation

@testable import Topology

/// A small seeded generator (SplitMix64) so every test matrix is reproducible.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func normal() -> Double {
    let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
    let v = Double.random(in: 0..<1, using: &self)
    return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
  }
}

/// Row-softmax of standard-normal logits × `scale`, `n × m`, Float32.
func randomAttention(_ n: Int, _ m: Int, scale: Double = 2, seed: UInt64) -> [Float] {
  var rng = SeededGenerator(seed: seed)
  var rows = [Float](repeating: 0, count: n * m)
  for i in 0..<n {
    let logits = (0..<m).map { _ in rng.normal() * scale }
    let top = logits.max() ?? 0
    let e = logits.map { Foundation.exp($0 - top) }
    let s = e.reduce(0, +)
    for k in 0..<m { rows[i * m + k] = Float(e[k] / s) }
  }
  return rows
}

/// A random symmetric matrix; `levels > 0` quantizes the entries to that many values (ties).
func randomMatrix(_ n: Int, levels: Int = 0, seed: UInt64) -> DistanceMatrix {
  var rng = SeededGenerator(seed: seed)
  var d = [Float](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in (i + 1)..<max(i + 1, n) {
      let x: Float =
        levels > 0
        ? Float(Int.random(in: 1...levels, using: &rng)) : Float.random(in: 0.01..<1, using: &rng)
      d[i * n + j] = x
      d[j * n + i] = x
    }
  }
  return try! DistanceMatrix(entries: d, count: n)
}

/// Sorted `(birth, death)` of a diagram, for multiset comparison.
func sortedIntervals(_ diagram: PersistenceDiagram) -> [[Float]] {
  diagram.pairs.map { [$0.birth, $0.death] }.sorted { $0.lexicographicallyPrecedes($1) }
}

func sortedIntervals(_ intervals: [(Float, Float)]) -> [[Float]] {
  intervals.map { [$0.0, $0.1] }.sorted { $0.lexicographicallyPrecedes($1) }
}
