/// An edge `{i, j}` of the Rips complex, stored with `i < j`.
public struct Edge: Hashable, Sendable, CustomStringConvertible {
  public let i: Int
  public let j: Int

  /// The edge between points `a` and `b` (in either order; `a != b`).
  public init(_ a: Int, _ b: Int) {
    precondition(a != b, "Edge(\(a), \(b)): a loop is not an edge")
    i = min(a, b)
    j = max(a, b)
  }

  public var description: String { "(\(i), \(j))" }
}

/// One bar of a persistence diagram, with the edges that create and destroy it.
///
/// The edges say which distance-matrix entries a diagram value equals, which is what makes a
/// loss on the diagram differentiable: `birth == d[birthEdge]`, `death == d[deathEdge]`.
/// - H0: `birthEdge` is `nil` (points are born at 0); `deathEdge` is the minimum-spanning-tree
///   edge whose Kruskal merge ends the component.
/// - H1: `birthEdge` is the edge whose coboundary column gives the class; `deathEdge` is the
///   youngest edge of the death triangle: its longest edge, on ties the one with the smallest
///   combinatorial index (for vertices `a < b < c`: `(a, b)`, then `(a, c)`, then `(b, c)`).
/// - An essential bar has `death == .infinity` and `deathEdge == nil`.
public struct PersistencePair: Hashable, Sendable, CustomStringConvertible {
  public var birth: Float
  public var death: Float
  public var birthEdge: Edge?
  public var deathEdge: Edge?

  public init(birth: Float, death: Float, birthEdge: Edge? = nil, deathEdge: Edge? = nil) {
    self.birth = birth
    self.death = death
    self.birthEdge = birthEdge
    self.deathEdge = deathEdge
  }

  /// Whether the bar never dies (`death == .infinity`).
  public var isEssential: Bool { death == .infinity }

  /// `death − birth` (`.infinity` for an essential bar).
  public var persistence: Float { death - birth }

  public var description: String { "[\(birth), \(isEssential ? "∞" : "\(death)"))" }
}

/// The bars of one homology dimension.
///
/// Order is as ripser.py returns them: H0 in Kruskal order (death ascending) followed by the
/// essential bar(s); H1 in column order (birth descending, then birth-edge index ascending).
/// Zero-persistence bars (`death == birth`) are never included.
public struct PersistenceDiagram: Hashable, Sendable {
  /// The homology dimension (0 or 1).
  public var dimension: Int
  public var pairs: [PersistencePair]

  public init(dimension: Int, pairs: [PersistencePair]) {
    self.dimension = dimension
    self.pairs = pairs
  }

  /// The number of bars.
  public var count: Int { pairs.count }

  /// `(birth, death)` of every bar, in diagram order.
  public var intervals: [(birth: Float, death: Float)] { pairs.map { ($0.birth, $0.death) } }

  /// The bars with a finite death.
  public var finitePairs: [PersistencePair] { pairs.filter { !$0.isEssential } }

  /// The bars with `death == .infinity`.
  public var essentialPairs: [PersistencePair] { pairs.filter(\.isEssential) }

  /// The Betti curve: for each threshold `t`, the number of bars alive at `t`, i.e. with
  /// `birth ≤ t < death` (half-open, so a bar is not counted at its death; essential bars are
  /// counted at every `t ≥ birth`).
  ///
  /// - Complexity: O((m + k) log m) for m bars and k thresholds; thresholds may be unsorted.
  public func bettiCurve(at thresholds: [Float]) -> [Int] {
    let births = pairs.map(\.birth).sorted()
    let deaths = pairs.map(\.death).sorted()
    // number of values ≤ t (upper bound by binary search)
    func countAtMost(_ values: [Float], _ t: Float) -> Int {
      var low = 0
      var high = values.count
      while low < high {
        let mid = (low + high) / 2
        if values[mid] <= t { low = mid + 1 } else { high = mid }
      }
      return low
    }
    return thresholds.map { countAtMost(births, $0) - countAtMost(deaths, $0) }
  }
}

/// The H0 and H1 diagrams of a Vietoris–Rips filtration, and the threshold it was cut at.
public struct RipsPersistence: Hashable, Sendable {
  /// Connected components: one finite bar `(0, d)` per minimum-spanning-tree edge of positive
  /// length `d`, then one essential bar per component left at the threshold.
  public var h0: PersistenceDiagram
  /// Loops.
  public var h1: PersistenceDiagram
  /// The filtration stops here: only edges and triangles with diameter `≤ threshold` exist.
  public var threshold: Float
}
