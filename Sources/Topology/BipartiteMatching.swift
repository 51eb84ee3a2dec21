/// Maximum-cardinality matching in a bipartite graph (Hopcroft–Karp).
///
/// Left vertices `0..<leftCount`, right vertices `0..<rightCount`, adjacency as lists of right
/// vertices per left vertex.
/// - Complexity: O(E √V) time, O(V + E) space.
func maximumMatchingSize(leftCount: Int, rightCount: Int, adjacency: [[Int]]) -> Int {
  precondition(
    adjacency.count == leftCount,
    "maximumMatchingSize: adjacency has \(adjacency.count) rows for \(leftCount) left vertices")
  let unmatched = -1
  var matchOfLeft = [Int](repeating: unmatched, count: leftCount)
  var matchOfRight = [Int](repeating: unmatched, count: rightCount)
  var layer = [Int](repeating: 0, count: leftCount)
  var size = 0
  let infinite = Int.max

  // BFS from the free left vertices; returns whether a free right vertex is reachable.
  func buildLayers() -> Bool {
    var queue: [Int] = []
    queue.reserveCapacity(leftCount)
    for u in 0..<leftCount {
      if matchOfLeft[u] == unmatched {
        layer[u] = 0
        queue.append(u)
      } else {
        layer[u] = infinite
      }
    }
    var found = false
    var head = 0
    while head < queue.count {
      let u = queue[head]
      head += 1
      for v in adjacency[u] {
        let w = matchOfRight[v]
        if w == unmatched {
          found = true
        } else if layer[w] == infinite {
          layer[w] = layer[u] + 1
          queue.append(w)
        }
      }
    }
    return found
  }

  // DFS along the layers; recursion depth is at most the length of an augmenting path.
  var nextEdge = [Int](repeating: 0, count: leftCount)
  func augment(_ u: Int) -> Bool {
    while nextEdge[u] < adjacency[u].count {
      let v = adjacency[u][nextEdge[u]]
      nextEdge[u] += 1
      let w = matchOfRight[v]
      if w == unmatched || (layer[w] == layer[u] + 1 && augment(w)) {
        matchOfLeft[u] = v
        matchOfRight[v] = u
        return true
      }
    }
    layer[u] = infinite
    return false
  }

  while buildLayers() {
    for u in 0..<leftCount { nextEdge[u] = 0 }
    for u in 0..<leftCount where matchOfLeft[u] == unmatched {
      if augment(u) { size += 1 }
    }
  }
  return size
}

/// Minimum-cost perfect assignment on a square cost matrix (shortest augmenting paths with
/// potentials: the Hungarian method in Jonker–Volgenant form).
///
/// `cost` is `size × size`, row-major; `.infinity` marks a forbidden pair. A finite perfect
/// assignment must exist. Returns the column assigned to each row.
/// - Complexity: O(size³) time, O(size) extra space.
func minimumCostAssignment(cost: [Double], size: Int) -> [Int] {
  precondition(cost.count == size * size, "minimumCostAssignment: \(cost.count) costs for \(size)²")
  guard size > 0 else { return [] }
  // 1-based rows/columns; column 0 is the virtual start of each augmenting path.
  var u = [Double](repeating: 0, count: size + 1)
  var v = [Double](repeating: 0, count: size + 1)
  var rowOfColumn = [Int](repeating: 0, count: size + 1)
  var way = [Int](repeating: 0, count: size + 1)
  var minimum = [Double](repeating: .infinity, count: size + 1)
  var used = [Bool](repeating: false, count: size + 1)
  cost.withUnsafeBufferPointer { c in
    for row in 1...size {
      rowOfColumn[0] = row
      var column0 = 0
      for j in 0...size {
        minimum[j] = .infinity
        used[j] = false
      }
      repeat {
        used[column0] = true
        let row0 = rowOfColumn[column0]
        var delta = Double.infinity
        var column1 = 0
        let base = (row0 - 1) * size - 1
        for j in 1...size where !used[j] {
          let reduced = c[base + j] - u[row0] - v[j]
          if reduced < minimum[j] {
            minimum[j] = reduced
            way[j] = column0
          }
          if minimum[j] < delta {
            delta = minimum[j]
            column1 = j
          }
        }
        precondition(delta.isFinite, "minimumCostAssignment: no finite perfect assignment")
        for j in 0...size {
          if used[j] {
            u[rowOfColumn[j]] += delta
            v[j] -= delta
          } else {
            minimum[j] -= delta
          }
        }
        column0 = column1
      } while rowOfColumn[column0] != 0
      repeat {
        let column1 = way[column0]
        rowOfColumn[column0] = rowOfColumn[column1]
        column0 = column1
      } while column0 != 0
    }
  }
  var assignment = [Int](repeating: 0, count: size)
  for j in 1...size { assignment[rowOfColumn[j] - 1] = j - 1 }
  return assignment
}
