/// Disjoint sets over `0..<n` with union by rank and path halving (H0 of a filtration is
/// Kruskal's algorithm on its sorted edges).
///
/// - Complexity: `find` and `union` in amortized O(α(n)); O(n) space.
struct UnionFind {
  private var parent: [Int32]
  private var rank: [UInt8]

  /// `n` singletons.
  init(count n: Int) {
    precondition(n >= 0 && n <= Int(Int32.max), "UnionFind: count \(n) out of range")
    parent = (0..<Int32(n)).map { $0 }
    rank = [UInt8](repeating: 0, count: n)
  }

  /// The representative of `x`'s set.
  mutating func find(_ x: Int) -> Int {
    var x = Int32(x)
    parent.withUnsafeMutableBufferPointer { parent in
      while parent[Int(x)] != x {
        let grandparent = parent[Int(parent[Int(x)])]
        parent[Int(x)] = grandparent
        x = grandparent
      }
    }
    return Int(x)
  }

  /// Joins the sets whose representatives are `a` and `b` (which must differ); returns the new
  /// representative.
  @discardableResult
  mutating func unionRoots(_ a: Int, _ b: Int) -> Int {
    precondition(a != b, "UnionFind.unionRoots: \(a) is already joined with \(b)")
    if rank[a] < rank[b] {
      parent[a] = Int32(b)
      return b
    }
    parent[b] = Int32(a)
    if rank[a] == rank[b] { rank[a] += 1 }
    return a
  }
}
