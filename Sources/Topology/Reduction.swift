/// Vietoris–Rips persistent homology in dimensions 0 and 1, exact, from a distance matrix.
///
/// The algorithm is Ripser's, specialized to H0/H1:
/// 1. edges up to the threshold, sorted into filtration order (diameter ascending, then larger
///    combinatorial index first) as packed 64-bit keys;
/// 2. H0 by Kruskal with union-find; every merge edge is a minimum-spanning-tree edge, and a
///    bar `(0, d)` is reported for it when `d > 0`;
/// 3. H1 by cohomology: the coboundary columns of the non-MST edges (the MST edges are pivots
///    in dimension 0, hence cleared) are reduced in reverse filtration order. Coboundaries are
///    enumerated on the fly, never stored; a column whose unreduced pivot is free is finished
///    at once (which covers Ripser's emergent pairs); otherwise a lazily cancelling heap
///    reduces it against earlier columns, found through a pivot hash map, and re-enumerating
///    the coboundaries of the stored reduction matrix V.
///
/// Output follows ripser.py exactly (bit-identical Float32 values, same multisets and order),
/// and the edges carried by the bars equal giotto-ph's generators; the tests check both on
/// committed fixtures.
public enum VietorisRips {
  /// The H0 and H1 persistence diagrams of the Rips filtration of `distances`.
  ///
  /// - Parameters:
  ///   - distances: the metric; `n = 0` gives empty diagrams, `n = 1` a single essential H0 bar.
  ///   - threshold: the largest diameter in the filtration; `nil` (default) means the enclosing
  ///     radius `r = min_i max_j d(i, j)`, as Ripser. A threshold `t ≥ r` gives the same
  ///     diagrams as `r` (beyond `r` the complex is a cone: nothing is born that lives) and is
  ///     replaced by `r`. With `t < r`, every component alive at `t` gets an essential bar
  ///     `(0, ∞)` and every H1 class alive at `t` becomes `(birth, ∞)`: "∞" then means "still
  ///     alive at the threshold", not "never dies". Must be ≥ 0 and not NaN.
  /// - Returns: the diagrams (zero-persistence bars dropped) and the threshold used.
  /// - Complexity: O(n²) time and space for the edges (radix sort) and H0 (union-find); for
  ///   H1, O(n) per column for the free-pivot test (usually less: the scan stops at the first
  ///   emergent cofacet) plus the reduction, O(n log n) per column added, which is rarely more
  ///   than a few per bar on attention matrices.
  public static func persistence(of distances: DistanceMatrix, threshold: Float? = nil)
    -> RipsPersistence
  {
    let n = distances.count
    let radius = distances.enclosingRadius
    var cutoff = radius
    if let threshold {
      precondition(
        !threshold.isNaN && threshold >= 0,
        "VietorisRips.persistence: threshold \(threshold) must be ≥ 0")
      cutoff = min(threshold, radius)
    }
    let index = SimplexIndex(pointCount: n)
    let edges = FiltrationEdges(distances, threshold: cutoff, index: index)
    let (h0, isTreeEdge) = componentDiagram(edges, pointCount: n)
    let h1 = loopDiagram(distances, edges, isTreeEdge, index: index, threshold: cutoff)
    return RipsPersistence(
      h0: PersistenceDiagram(dimension: 0, pairs: h0),
      h1: PersistenceDiagram(dimension: 1, pairs: h1),
      threshold: cutoff)
  }

  /// Kruskal: the finite H0 bars in merge order, then one essential bar per component; and
  /// which edges (by filtration position) joined two components.
  static func componentDiagram(_ edges: FiltrationEdges, pointCount n: Int)
    -> ([PersistencePair], [Bool])
  {
    var sets = UnionFind(count: n)
    var isTreeEdge = [Bool](repeating: false, count: edges.count)
    var pairs: [PersistencePair] = []
    var components = n
    for p in 0..<edges.count where components > 1 {
      let (i, j) = vertices(edges.vertices[p])
      let a = sets.find(i)
      let b = sets.find(j)
      if a == b { continue }
      sets.unionRoots(a, b)
      components -= 1
      isTreeEdge[p] = true
      let d = keyDiameter(edges.keys[p])
      if d > 0 { pairs.append(PersistencePair(birth: 0, death: d, deathEdge: Edge(i, j))) }
    }
    for _ in 0..<components { pairs.append(PersistencePair(birth: 0, death: .infinity)) }
    return (pairs, isTreeEdge)
  }

  @inline(__always) static func vertices(_ packed: UInt32) -> (Int, Int) {
    (Int(packed >> 16), Int(packed & 0xFFFF))
  }

  /// The youngest edge of triangle `t`: the longest, ties to the smallest index.
  static func youngestEdge(ofTriangle t: UInt32, _ distances: DistanceMatrix, _ index: SimplexIndex)
    -> Edge
  {
    let (a, b, c) = index.triangleVertices(t)
    let candidates = [(a, b), (a, c), (b, c)]
    let best = candidates.max { x, y in
      filtrationKey(distances[x.0, x.1], index.edge(x.0, x.1))
        < filtrationKey(distances[y.0, y.1], index.edge(y.0, y.1))
    }!
    return Edge(best.0, best.1)
  }

  /// The cohomology reduction of the non-tree edges' coboundary columns; the H1 bars in column
  /// order (birth descending, then edge index ascending).
  static func loopDiagram(
    _ distances: DistanceMatrix, _ edges: FiltrationEdges, _ isTreeEdge: [Bool],
    index: SimplexIndex, threshold: Float
  ) -> [PersistencePair] {
    let n = distances.count
    guard n >= 3 else { return [] }
    var pairs: [PersistencePair] = []
    let columnCount = isTreeEdge.lazy.filter { !$0 }.count
    var pivots = PivotMap(capacity: columnCount)
    // Reduced columns that own a pivot: their edge, and their V column (other edges) as a
    // range of `reductionEntries`.
    var columnEdge: [Int32] = []
    var reductionStart: [Int32] = [0]
    var reductionEntries: [Int32] = []
    var working: [Int32] = []
    let column = WorkingColumn(capacity: 8 * n)

    distances.entries.withUnsafeBufferPointer { d in
      index.choose2.withUnsafeBufferPointer { choose2 in
        index.choose3.withUnsafeBufferPointer { choose3 in
          edges.vertices.withUnsafeBufferPointer { edgeVertices in
            let coboundary = EdgeCoboundary(
              distances: d.baseAddress!, pointCount: n, choose2: choose2.baseAddress!,
              choose3: choose3.baseAddress!, threshold: threshold)

            @inline(__always) func push(edge q: Int) {
              let (i, j) = vertices(edgeVertices[q])
              column.reserve(n)
              let (c, _) = coboundary.write(i, j, into: column.storage + column.count)
              column.pushAppended(c)
            }

            func finish(_ p: Int, pivot: UInt64?, birth: Float, edge: Edge) {
              guard let pivot else {
                pairs.append(PersistencePair(birth: birth, death: .infinity, birthEdge: edge))
                return
              }
              pivots.insert(keyIndex(pivot), Int32(columnEdge.count))
              columnEdge.append(Int32(p))
              // V over Z/2: keep the entries that occur an odd number of times.
              working.sort()
              var k = 0
              while k < working.count {
                if k + 1 < working.count && working[k] == working[k + 1] {
                  k += 2
                } else {
                  reductionEntries.append(working[k])
                  k += 1
                }
              }
              reductionStart.append(Int32(reductionEntries.count))
              let death = keyDiameter(pivot)
              if death > birth {
                pairs.append(
                  PersistencePair(
                    birth: birth, death: death, birthEdge: edge,
                    deathEdge: youngestEdge(ofTriangle: keyIndex(pivot), distances, index)))
              }
            }

            var p = edges.count - 1
            while p >= 0 {
              defer { p -= 1 }
              if isTreeEdge[p] { continue }
              let (i, j) = vertices(edgeVertices[p])
              let birth = keyDiameter(edges.keys[p])
              working.removeAll(keepingCapacity: true)
              let minimum = coboundary.minimalCofacet(i, j)
              if minimum == .max {
                finish(p, pivot: nil, birth: birth, edge: Edge(i, j))
                continue
              }
              var owner = pivots.value(keyIndex(minimum))
              if owner < 0 {
                // The unreduced column's pivot is free: already reduced (emergent when the
                // pivot has the edge's own diameter).
                finish(p, pivot: minimum, birth: birth, edge: Edge(i, j))
                continue
              }
              column.removeAll()
              column.reserve(n)
              let (count, _) = coboundary.write(i, j, into: column.storage)
              column.heapify(count: count)
              var pivot: UInt64?
              while true {
                let q = Int(columnEdge[Int(owner)])
                working.append(Int32(q))
                push(edge: q)
                for r in Int(reductionStart[Int(owner)])..<Int(reductionStart[Int(owner) + 1]) {
                  let e = reductionEntries[r]
                  working.append(e)
                  push(edge: Int(e))
                }
                pivot = column.pivot()
                guard let found = pivot else { break }
                owner = pivots.value(keyIndex(found))
                if owner < 0 { break }
              }
              finish(p, pivot: pivot, birth: birth, edge: Edge(i, j))
            }
          }
        }
      }
    }
    return pairs
  }
}
