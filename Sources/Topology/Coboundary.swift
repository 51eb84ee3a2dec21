/// The coboundary of an edge in the Vietoris–Rips complex, enumerated on the fly.
///
/// The cofacets of edge `{i, j}` (`i > j`) are the triangles `{i, j, k}` for every other
/// vertex `k`; the diameter of `{i, j, k}` is `max(d(i, j), d(i, k), d(j, k))`. Nothing is
/// stored: rows `i` and `j` of the distance matrix give every diameter, and the triangle index
/// comes from the binomial tables in three runs of `k` (above `i`, between, below `j`).
struct EdgeCoboundary {
  let distances: UnsafePointer<Float>
  let pointCount: Int
  let choose2: UnsafePointer<UInt32>
  let choose3: UnsafePointer<UInt32>
  /// Cofacets with a diameter above this are not in the filtration.
  let threshold: Float

  /// Writes the packed keys of the cofacets of edge `i > j` with diameter `≤ threshold` into
  /// `out` (room for `n − 2`), in no particular order; returns how many, and the smallest key
  /// (the pivot of the unreduced column; `UInt64.max` if none).
  ///
  /// - Complexity: O(n).
  @inline(__always)
  func write(_ i: Int, _ j: Int, into out: UnsafeMutablePointer<UInt64>) -> (
    count: Int, minimum: UInt64
  ) {
    let n = pointCount
    let rowI = distances + i * n
    let rowJ = distances + j * n
    let dij = rowI[j]
    let limit = threshold
    var count = 0
    var minimum = UInt64.max
    // k > i: vertices (k, i, j)
    let baseAbove = choose2[i] &+ UInt32(j)
    var k = n - 1
    while k > i {
      let d = max(dij, max(rowI[k], rowJ[k]))
      let key = filtrationKey(d, choose3[k] &+ baseAbove)
      out[count] = key
      if d <= limit {
        count += 1
        minimum = min(minimum, key)
      }
      k -= 1
    }
    // j < k < i: vertices (i, k, j)
    let baseI = choose3[i]
    k = i - 1
    while k > j {
      let d = max(dij, max(rowI[k], rowJ[k]))
      let key = filtrationKey(d, baseI &+ choose2[k] &+ UInt32(j))
      out[count] = key
      if d <= limit {
        count += 1
        minimum = min(minimum, key)
      }
      k -= 1
    }
    // k < j: vertices (i, j, k)
    let baseBelow = baseI &+ choose2[j]
    k = j - 1
    while k >= 0 {
      let d = max(dij, max(rowI[k], rowJ[k]))
      let key = filtrationKey(d, baseBelow &+ UInt32(k))
      out[count] = key
      if d <= limit {
        count += 1
        minimum = min(minimum, key)
      }
      k -= 1
    }
    return (count, minimum)
  }

  /// The pivot of the unreduced column of edge `i > j`: the key of its minimal cofacet
  /// (smallest diameter ≤ threshold, ties to the largest index), or `UInt64.max` if none.
  ///
  /// Triangle indices grow with the third vertex `k`, so the pivot is the largest `k` of
  /// minimal diameter. Scanning `k` downwards, the first cofacet with the edge's own diameter
  /// is the answer (Ripser's emergent-pair test), which usually ends the scan early.
  /// - Complexity: O(n), without writing anything.
  @inline(__always)
  func minimalCofacet(_ i: Int, _ j: Int) -> UInt64 {
    let n = pointCount
    let rowI = distances + i * n
    let rowJ = distances + j * n
    let dij = rowI[j]
    var best = Float.infinity
    var bestK = -1
    var k = n - 1
    while k >= 0 {
      if k == i || k == j {
        k -= 1
        continue
      }
      let d = max(rowI[k], rowJ[k])
      if d <= dij {
        bestK = k
        best = dij
        break
      }
      if d < best {
        best = d
        bestK = k
      }
      k -= 1
    }
    guard bestK >= 0, best <= threshold else { return .max }
    return filtrationKey(best, triangle(i, j, bestK))
  }

  /// The index of triangle `{i, j, k}`, `i > j`, `k ∉ {i, j}`.
  @inline(__always) func triangle(_ i: Int, _ j: Int, _ k: Int) -> UInt32 {
    if k > i { return choose3[k] &+ choose2[i] &+ UInt32(j) }
    if k > j { return choose3[i] &+ choose2[k] &+ UInt32(j) }
    return choose3[i] &+ choose2[j] &+ UInt32(k)
  }
}
