/// The combinatorial number system for edges and triangles, and the packed filtration keys.
///
/// A simplex with vertices `v_k > … > v_0` has index `Σ C(v_i, i + 1)`: the edge `i > j` is
/// `C(i, 2) + j`, the triangle `a > b > c` is `C(a, 3) + C(b, 2) + c`. Indices are dense and
/// colexicographic. Triangles on `n` points need `C(n, 3) < 2³²`, hence `n ≤ 2_950`.
///
/// A filtration key packs a simplex as `diameter.bitPattern << 32 | ~index`. Diameters are
/// non-negative Float32 with `-0` canonicalized to `+0`, whose bit patterns are monotone, so
/// ascending keys give Ripser's filtration order: diameter ascending, then larger index first.
struct SimplexIndex {
  /// The largest supported number of points.
  static let maximumPointCount = 2_950

  let pointCount: Int
  /// `C(v, 2)` for `v` in `0...n`.
  let choose2: [UInt32]
  /// `C(v, 3)` for `v` in `0...n`.
  let choose3: [UInt32]

  init(pointCount n: Int) {
    precondition(
      n >= 0 && n <= Self.maximumPointCount,
      "SimplexIndex: n = \(n) points exceeds \(Self.maximumPointCount) (triangle indices are UInt32)"
    )
    pointCount = n
    choose2 = (0...n).map { (v: Int) -> UInt32 in UInt32(v * (v - 1) / 2) }
    choose3 = (0...n).map { (v: Int) -> UInt32 in
      let product: Int = v * (v - 1) * (v - 2)
      return UInt32(product / 6)
    }
  }

  /// The index of the edge `{i, j}`, `i != j`.
  @inline(__always) func edge(_ i: Int, _ j: Int) -> UInt32 {
    i > j ? choose2[i] + UInt32(j) : choose2[j] + UInt32(i)
  }

  /// The vertices `(i, j)`, `i > j`, of edge `index`. O(1) (a square root plus a correction).
  func edgeVertices(_ index: UInt32) -> (Int, Int) {
    let x = Int(index)
    var i = Int(((1 + (1 + 8 * Double(x)).squareRoot()) / 2).rounded(.down))
    while i > 1 && Int(choose2[min(i, pointCount)]) > x { i -= 1 }
    while i + 1 <= pointCount && Int(choose2[i + 1]) <= x { i += 1 }
    return (i, x - Int(choose2[i]))
  }

  /// The vertices `(a, b, c)`, `a > b > c`, of triangle `index`. O(log n).
  func triangleVertices(_ index: UInt32) -> (Int, Int, Int) {
    let a = Self.largestVertex(in: choose3, atMost: index, below: pointCount)
    let rest = index - choose3[a]
    let b = Self.largestVertex(in: choose2, atMost: rest, below: a)
    return (a, b, Int(rest - choose2[b]))
  }

  /// The largest `v < bound` with `table[v] ≤ value` (binary search; `table` is increasing).
  private static func largestVertex(in table: [UInt32], atMost value: UInt32, below bound: Int)
    -> Int
  {
    var low = 0
    var high = bound - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if table[mid] <= value { low = mid } else { high = mid - 1 }
    }
    return low
  }
}

/// Packs `(diameter, index)` into a key whose ascending order is the filtration order.
@inline(__always) func filtrationKey(_ diameter: Float, _ index: UInt32) -> UInt64 {
  UInt64(diameter.bitPattern) << 32 | UInt64(~index)
}

/// The diameter of a packed key.
@inline(__always) func keyDiameter(_ key: UInt64) -> Float {
  Float(bitPattern: UInt32(truncatingIfNeeded: key >> 32))
}

/// The simplex index of a packed key.
@inline(__always) func keyIndex(_ key: UInt64) -> UInt32 {
  ~UInt32(truncatingIfNeeded: key)
}
