import Autodiff
import Foundation

/// A seeded random row-stochastic `n × n` matrix (row-major): softmax of `N(0, spread²)` logits,
/// over `j ≤ i` when `causal` (exact zeros above the diagonal).
func randomKernel(_ n: Int, causal: Bool, spread: Double = 2, seed: UInt64) -> [Float] {
  var rng = SeededRandom(seed: seed, stream: "kernel")
  var a = [Float](repeating: 0, count: n * n)
  for i in 0..<n {
    let support = causal ? i + 1 : n
    let z = (0..<support).map { _ in spread * rng.nextNormal() }
    let m = z.max()!
    let e = z.map { exp($0 - m) }
    let s = e.reduce(0, +)
    for j in 0..<support { a[i * n + j] = Float(e[j] / s) }
  }
  return a
}

/// A row of a matrix as Doubles.
func row(_ a: [Float], _ i: Int, _ n: Int) -> [Double] {
  (0..<n).map { Double(a[i * n + $0]) }
}
