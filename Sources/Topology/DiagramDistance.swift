import Foundation

/// Distances between persistence diagrams, exact, with the L∞ ground metric.
///
/// Each diagram is completed by the diagonal (with infinite multiplicity): a point may be
/// matched to another diagram's point at cost `max(|b − b'|, |d − d'|)` or to the diagonal at
/// cost `(d − b)/2`.
///
/// Essential points (`death == .infinity`) can only be matched to essential points, at cost
/// `|b − b'|` (sorted births are matched in order, which is optimal on a line). If the two
/// diagrams have different numbers of essential points no finite matching exists and the
/// distance is `.infinity`; drop them first (e.g. H0's single `(0, ∞)`) to compare only the
/// finite parts. Births must be finite and deaths ≥ births; values are compared in Double.
public enum DiagramDistance {
  /// The bottleneck distance: the smallest largest cost over all matchings.
  ///
  /// Exact: binary search over the sorted candidate costs (every point–point and
  /// point–diagonal cost) with a Hopcroft–Karp perfect-matching test at each step.
  /// - Complexity: O((m + k)^2.5 log(m k)) for diagrams with m and k finite points.
  public static func bottleneck(_ a: PersistenceDiagram, _ b: PersistenceDiagram) -> Double {
    precondition(
      a.dimension == b.dimension,
      "DiagramDistance.bottleneck: dimensions \(a.dimension) and \(b.dimension) differ")
    return bottleneck(a.intervals, b.intervals)
  }

  /// The bottleneck distance between two diagrams given as `(birth, death)` intervals.
  public static func bottleneck(
    _ a: [(birth: Float, death: Float)], _ b: [(birth: Float, death: Float)]
  ) -> Double {
    let (finiteA, essentialA) = split(a)
    let (finiteB, essentialB) = split(b)
    guard essentialA.count == essentialB.count else { return .infinity }
    var essentialCost = 0.0
    for (x, y) in zip(essentialA, essentialB) { essentialCost = max(essentialCost, abs(x - y)) }

    let m = finiteA.count
    let k = finiteB.count
    var candidates: [Double] = [0]
    for p in finiteA { candidates.append(toDiagonal(p)) }
    for q in finiteB { candidates.append(toDiagonal(q)) }
    for p in finiteA { for q in finiteB { candidates.append(between(p, q)) } }
    candidates.sort()
    var distinct: [Double] = []
    for c in candidates where distinct.last != c { distinct.append(c) }

    // Left: A's points, then B's diagonal copies; right: B's points, then A's diagonal copies.
    func perfect(within epsilon: Double) -> Bool {
      var adjacency = [[Int]](repeating: [], count: m + k)
      for i in 0..<m {
        for j in 0..<k where between(finiteA[i], finiteB[j]) <= epsilon { adjacency[i].append(j) }
        if toDiagonal(finiteA[i]) <= epsilon { adjacency[i].append(k + i) }
      }
      for j in 0..<k {
        if toDiagonal(finiteB[j]) <= epsilon { adjacency[m + j].append(j) }
        for i in 0..<m { adjacency[m + j].append(k + i) }
      }
      return maximumMatchingSize(leftCount: m + k, rightCount: k + m, adjacency: adjacency) == m + k
    }
    // The largest candidate is always feasible: every point can go to the diagonal.
    var low = 0
    var high = distinct.count - 1
    while low < high {
      let mid = (low + high) / 2
      if perfect(within: distinct[mid]) { high = mid } else { low = mid + 1 }
    }
    return max(essentialCost, distinct[low])
  }

  /// The p-Wasserstein distance `(min over matchings Σ cost^p)^(1/p)`, `p ≥ 1`.
  ///
  /// Exact: the minimum-cost assignment on the `(m + k)²` form (point–point costs, each point to
  /// its own diagonal copy, diagonal–diagonal 0, all else forbidden), solved with the Hungarian
  /// method in Jonker–Volgenant form.
  /// - Complexity: O((m + k)³) time, O((m + k)²) space.
  public static func wasserstein(
    _ a: PersistenceDiagram, _ b: PersistenceDiagram, order p: Double = 1
  ) -> Double {
    precondition(
      a.dimension == b.dimension,
      "DiagramDistance.wasserstein: dimensions \(a.dimension) and \(b.dimension) differ")
    return wasserstein(a.intervals, b.intervals, order: p)
  }

  /// The p-Wasserstein distance between two diagrams given as `(birth, death)` intervals.
  public static func wasserstein(
    _ a: [(birth: Float, death: Float)], _ b: [(birth: Float, death: Float)], order p: Double = 1
  ) -> Double {
    precondition(p >= 1 && p.isFinite, "DiagramDistance.wasserstein: order \(p) must be in [1, ∞)")
    let (finiteA, essentialA) = split(a)
    let (finiteB, essentialB) = split(b)
    guard essentialA.count == essentialB.count else { return .infinity }
    func power(_ x: Double) -> Double { p == 1 ? x : Foundation.pow(x, p) }
    var total = 0.0
    for (x, y) in zip(essentialA, essentialB) { total += power(abs(x - y)) }

    let m = finiteA.count
    let k = finiteB.count
    let size = m + k
    if size > 0 {
      var cost = [Double](repeating: .infinity, count: size * size)
      for i in 0..<m {
        for j in 0..<k { cost[i * size + j] = power(between(finiteA[i], finiteB[j])) }
        cost[i * size + k + i] = power(toDiagonal(finiteA[i]))
      }
      for j in 0..<k {
        cost[(m + j) * size + j] = power(toDiagonal(finiteB[j]))
        for i in 0..<m { cost[(m + j) * size + k + i] = 0 }
      }
      let assignment = minimumCostAssignment(cost: cost, size: size)
      for (row, column) in assignment.enumerated() { total += cost[row * size + column] }
    }
    return p == 1 ? total : Foundation.pow(total, 1 / p)
  }

  /// Finite points as Double pairs, and the sorted births of the essential ones.
  private static func split(_ intervals: [(birth: Float, death: Float)])
    -> ([(Double, Double)], [Double])
  {
    var finite: [(Double, Double)] = []
    var essential: [Double] = []
    for (birth, death) in intervals {
      precondition(
        birth.isFinite && !death.isNaN && death >= birth,
        "DiagramDistance: bad interval (\(birth), \(death)): need a finite birth and death ≥ birth")
      if death == .infinity {
        essential.append(Double(birth))
      } else {
        finite.append((Double(birth), Double(death)))
      }
    }
    return (finite, essential.sorted())
  }

  @inline(__always) private static func between(_ p: (Double, Double), _ q: (Double, Double))
    -> Double
  {
    max(abs(p.0 - q.0), abs(p.1 - q.1))
  }

  @inline(__always) private static func toDiagonal(_ p: (Double, Double)) -> Double {
    (p.1 - p.0) / 2
  }
}
