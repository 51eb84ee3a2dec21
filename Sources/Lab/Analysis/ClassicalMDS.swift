import Foundation
import Topology

/// Classical (Torgerson) multidimensional scaling: points in the plane whose Euclidean
/// distances approximate a distance matrix.
public enum ClassicalMDS {
  /// Coordinates `(x, y)` for each point: with `B = −½ J D⁽²⁾ J` (double-centred squared
  /// distances) and its two largest eigenpairs `(λ₁, v₁)`, `(λ₂, v₂)`, point `i` is
  /// `(√λ₁ v₁[i], √λ₂ v₂[i])` (a negative eigenvalue gives 0). Exact, up to a rotation or
  /// reflection, when the distances are Euclidean in the plane. Each axis's sign is fixed so
  /// that its largest-magnitude coordinate is positive (deterministic output).
  /// - Complexity: O(n³) per Jacobi sweep, a handful of sweeps; fine for n ≤ a few hundred.
  public static func embed(_ distances: DistanceMatrix) -> [(x: Double, y: Double)] {
    let n = distances.count
    guard n > 0 else { return [] }
    var b = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        let d = Double(distances[i, j])
        b[i * n + j] = d * d
      }
    }
    var rowMeans = [Double](repeating: 0, count: n)
    for i in 0..<n { rowMeans[i] = (0..<n).reduce(0) { $0 + b[i * n + $1] } / Double(n) }
    let mean = rowMeans.reduce(0, +) / Double(n)
    for i in 0..<n {
      for j in 0..<n { b[i * n + j] = -0.5 * (b[i * n + j] - rowMeans[i] - rowMeans[j] + mean) }
    }
    let (values, vectors) = symmetricEigen(b, n)
    let order = (0..<n).sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
    func axis(_ rank: Int) -> [Double] {
      guard rank < n else { return [Double](repeating: 0, count: n) }
      let k = order[rank]
      let scale = max(0, values[k]).squareRoot()
      var v = (0..<n).map { vectors[$0 * n + k] * scale }
      if let big = v.max(by: { abs($0) < abs($1) }), big < 0 { v = v.map { -$0 } }
      return v
    }
    let (x, y) = (axis(0), axis(1))
    return (0..<n).map { (x[$0], y[$0]) }
  }

  /// Eigenvalues and eigenvectors (columns of the row-major `n × n` result) of a symmetric
  /// matrix by cyclic Jacobi rotations, until the off-diagonal mass is negligible.
  static func symmetricEigen(_ matrix: [Double], _ n: Int) -> ([Double], [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    let scale = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0..<100 {
      var off = 0.0
      for i in 0..<n { for j in 0..<n where i != j { off += a[i * n + j] * a[i * n + j] } }
      if off <= 1e-24 * max(scale, 1e-300) { break }
      for p in 0..<n {
        for q in (p + 1)..<max(p + 1, n) where a[p * n + q] != 0 {
          let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
          let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for k in 0..<n {  // columns p, q
            let (akp, akq) = (a[k * n + p], a[k * n + q])
            a[k * n + p] = c * akp - s * akq
            a[k * n + q] = s * akp + c * akq
          }
          for k in 0..<n {  // rows p, q
            let (apk, aqk) = (a[p * n + k], a[q * n + k])
            a[p * n + k] = c * apk - s * aqk
            a[q * n + k] = s * apk + c * aqk
          }
          for k in 0..<n {
            let (vkp, vkq) = (v[k * n + p], v[k * n + q])
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
          }
        }
      }
    }
    return ((0..<n).map { a[$0 * n + $0] }, v)
  }
}
