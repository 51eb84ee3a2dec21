import Foundation

/// A finite metric space given by its pairwise distances: an `n × n` Float32 matrix that is
/// symmetric, non-negative, finite, with a zero diagonal.
///
/// Entries are stored in full, row-major, so that row `i` is contiguous (the coboundary
/// enumeration of persistent homology reads two rows at a time). Float32 matches Ripser's
/// `value_t`: diagrams computed from this matrix are bit-identical to ripser.py's, which casts
/// its input to float32.
///
/// `n = 0` is allowed (the empty space); so is `n = 1` (the single entry must be 0).
public struct DistanceMatrix: Sendable, Equatable {
  /// The number of points, `n`.
  public let count: Int
  /// The `n × n` entries, row-major.
  public let entries: [Float]

  /// Validates and wraps a row-major `count × count` matrix.
  ///
  /// - Throws: `DistanceMatrixError` naming the first offending entry if the array does not
  ///   hold `count²` entries, an entry is NaN or infinite, negative, the diagonal is not zero,
  ///   or `d[i][j] != d[j][i]` (exact comparison: symmetrize before if the source is noisy).
  /// - Complexity: O(n²).
  public init(entries: [Float], count: Int) throws {
    guard count >= 0, entries.count == count * count else {
      throw DistanceMatrixError.notSquare(entryCount: entries.count, expectedCount: count)
    }
    try entries.withUnsafeBufferPointer { d in
      for i in 0..<count {
        for j in 0..<count {
          let x = d[i * count + j]
          if !x.isFinite { throw DistanceMatrixError.nonFinite(row: i, column: j, value: x) }
          if x < 0 { throw DistanceMatrixError.negative(row: i, column: j, value: x) }
          if i == j, x != 0 { throw DistanceMatrixError.nonzeroDiagonal(index: i, value: x) }
          if j < i, x != d[j * count + i] {
            throw DistanceMatrixError.asymmetric(
              row: j, column: i, value: d[j * count + i], transposed: x)
          }
        }
      }
    }
    self.count = count
    self.entries = entries.map { $0 == 0 ? 0 : $0 }  // canonical +0, so key packing is monotone
  }

  /// Validates and wraps a matrix given as rows.
  ///
  /// - Throws: `DistanceMatrixError.ragged` if a row's length differs from the number of rows,
  ///   and otherwise as `init(entries:count:)`.
  public init(rows: [[Float]]) throws {
    for (i, row) in rows.enumerated() where row.count != rows.count {
      throw DistanceMatrixError.ragged(row: i, length: row.count, expected: rows.count)
    }
    try self.init(entries: rows.flatMap { $0 }, count: rows.count)
  }

  /// Builds a matrix from the strict upper triangle, produced by `distance(i, j)` for `i < j`
  /// (each pair evaluated once, in Double, rounded once to Float32, mirrored).
  ///
  /// Callers guarantee the values are finite and non-negative; `precondition` checks it.
  init(count: Int, upperTriangle distance: (Int, Int) -> Double) {
    var d = [Float](repeating: 0, count: count * count)
    d.withUnsafeMutableBufferPointer { d in
      for i in 0..<count {
        for j in (i + 1)..<max(i + 1, count) {
          let x = Float(distance(i, j))
          precondition(x.isFinite && x >= 0, "DistanceMatrix: d(\(i), \(j)) = \(x)")
          let y: Float = x == 0 ? 0 : x
          d[i * count + j] = y
          d[j * count + i] = y
        }
      }
    }
    self.count = count
    self.entries = d
  }

  /// The distance between points `i` and `j`.
  @inlinable public subscript(i: Int, j: Int) -> Float {
    precondition(
      i >= 0 && i < count && j >= 0 && j < count,
      "DistanceMatrix[\(i), \(j)]: index out of range for n = \(count)")
    return entries[i * count + j]
  }

  /// The enclosing radius `r = min_i max_j d(i, j)`, in Float32; 0 for `n ≤ 1`.
  ///
  /// At `r` the Rips complex is a cone over the minimizing point, hence contractible: H0 has a
  /// single class and no H1 class is alive. Ripser uses it as the default threshold.
  /// - Complexity: O(n²).
  public var enclosingRadius: Float {
    guard count > 1 else { return 0 }
    var radius = Float.infinity
    entries.withUnsafeBufferPointer { d in
      for i in 0..<count {
        var rowMax: Float = 0
        for j in 0..<count { rowMax = max(rowMax, d[i * count + j]) }
        radius = min(radius, rowMax)
      }
    }
    return radius
  }

  /// The largest entry; 0 for `n ≤ 1`.
  public var maximum: Float { entries.max() ?? 0 }
}

/// What is wrong with a matrix offered as a distance matrix, or with the rows a distance is
/// computed from.
public enum DistanceMatrixError: LocalizedError, Equatable {
  case notSquare(entryCount: Int, expectedCount: Int)
  case ragged(row: Int, length: Int, expected: Int)
  case nonFinite(row: Int, column: Int, value: Float)
  case negative(row: Int, column: Int, value: Float)
  case nonzeroDiagonal(index: Int, value: Float)
  case asymmetric(row: Int, column: Int, value: Float, transposed: Float)
  case badShape(rows: Int, columns: Int, entryCount: Int)
  case notAProbability(row: Int, column: Int, value: Float)
  case nonFiniteCoordinate(row: Int, column: Int, value: Float)

  public var errorDescription: String? {
    switch self {
    case .notSquare(let entries, let n):
      return "distance matrix: \(entries) entries is not n × n for n = \(n) (expected \(n * n))"
    case .ragged(let row, let length, let expected):
      return "distance matrix: row \(row) has \(length) entries, expected \(expected) "
        + "(one per row: the matrix must be square)"
    case .nonFinite(let i, let j, let x):
      return "distance matrix: d[\(i)][\(j)] = \(x) is not finite; distances must be finite "
        + "(use a threshold instead of infinite entries)"
    case .negative(let i, let j, let x):
      return "distance matrix: d[\(i)][\(j)] = \(x) is negative; distances must be ≥ 0"
    case .nonzeroDiagonal(let i, let x):
      return "distance matrix: diagonal d[\(i)][\(i)] = \(x) must be 0"
    case .asymmetric(let i, let j, let x, let y):
      return "distance matrix: d[\(i)][\(j)] = \(x) differs from d[\(j)][\(i)] = \(y); "
        + "the matrix must be exactly symmetric (symmetrize it first)"
    case .badShape(let rows, let columns, let entries):
      return "rows: \(entries) entries cannot be \(rows) rows × \(columns) columns"
    case .notAProbability(let i, let j, let x):
      return "rows: p[\(i)][\(j)] = \(x) is not a probability; entries must be finite and ≥ 0"
    case .nonFiniteCoordinate(let i, let j, let x):
      return "points: x[\(i)][\(j)] = \(x) is not finite"
    }
  }
}
