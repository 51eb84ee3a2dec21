import Foundation

extension DistanceMatrix {
  /// Jensen–Shannon distances between the rows of a row-stochastic matrix:
  /// `JS(P, Q) = sqrt(½ KL(P‖M) + ½ KL(Q‖M))`, `M = (P + Q)/2`, with logarithms to `base`.
  ///
  /// - Parameters:
  ///   - rows: `rowCount × columnCount` probabilities, row-major. Rows are used as they are
  ///     (not renormalized); zero entries are exact (`0 · log 0 = 0`), so rows with disjoint
  ///     supports are at distance `sqrt(log_base 2)`: 1 in base 2, `sqrt(ln 2) ≈ 0.8326` in
  ///     base e (SciPy's `jensenshannon` default).
  ///   - base: the logarithm base; 2 (default) gives distances in [0, 1]. Must be > 1.
  /// - Throws: `DistanceMatrixError.badShape` if the sizes disagree,
  ///   `.notAProbability` for a negative, NaN or infinite entry.
  /// - Returns: the symmetric matrix, each pair computed once in Double and rounded once to
  ///   Float32; the diagonal is exactly 0 and identical rows are at exactly 0.
  /// - Complexity: O(n² · m) time with one (8-wide SIMD) logarithm per pair and column,
  ///   O(n · m) extra space.
  public static func jensenShannon(
    rows: [Float], rowCount n: Int, columnCount m: Int, base: Double = 2
  ) throws -> DistanceMatrix {
    precondition(base > 1, "DistanceMatrix.jensenShannon: base \(base) must be > 1")
    try checkProbabilities(rows, n, m)
    // Each (pair, column) needs one logarithm, of the midpoint:
    // p (log p − log mid) + q (log q − log mid), with log p, log q precomputed per entry.
    // Rows are padded with zeros to a multiple of 8 (zero columns contribute exactly 0).
    let stride = (m + 7) / 8 * 8
    var p = [Double](repeating: 0, count: n * stride)
    var logP = [Double](repeating: 0, count: n * stride)
    for i in 0..<n {
      for k in 0..<m { p[i * stride + k] = Double(rows[i * m + k]) }
      for k in Swift.stride(from: 0, to: stride, by: 8) {
        let x = SIMD8<Double>(p[(i * stride + k)..<(i * stride + k + 8)])
        let safe = x.replacing(with: 1, where: x .== 0)
        let l = vectorLog(safe)
        for t in 0..<8 { logP[i * stride + k + t] = l[t] }
      }
    }
    let scale = 0.5 / Foundation.log(base)
    return p.withUnsafeBytes { p in
      logP.withUnsafeBytes { logP in
        DistanceMatrix(count: n) { a, b in
          var sum = SIMD8<Double>()
          var offsetA = a * stride * 8
          var offsetB = b * stride * 8
          for _ in 0..<(stride / 8) {
            let x = p.loadUnaligned(fromByteOffset: offsetA, as: SIMD8<Double>.self)
            let y = p.loadUnaligned(fromByteOffset: offsetB, as: SIMD8<Double>.self)
            let logX = logP.loadUnaligned(fromByteOffset: offsetA, as: SIMD8<Double>.self)
            let logY = logP.loadUnaligned(fromByteOffset: offsetB, as: SIMD8<Double>.self)
            let s = x + y
            // where x == y the midpoint is x itself and both terms are exactly 0
            let mid = (s * 0.5).replacing(with: 1, where: s .== 0)
            let logMid = vectorLog(mid)
            sum += x * (logX - logMid) + y * (logY - logMid)
            offsetA += 64
            offsetB += 64
          }
          return (max(0, sum.sum() * scale)).squareRoot()
        }
      }
    }
  }

  /// Total-variation distances `½ ‖P − Q‖₁` between the rows of a row-stochastic matrix
  /// (the 1-Wasserstein distance under the discrete metric; values in [0, 1] for
  /// probability rows).
  ///
  /// - Throws: as `jensenShannon(rows:rowCount:columnCount:base:)`.
  /// - Complexity: O(n² · m).
  public static func totalVariation(rows: [Float], rowCount n: Int, columnCount m: Int) throws
    -> DistanceMatrix
  {
    try checkProbabilities(rows, n, m)
    return rows.withUnsafeBufferPointer { p in
      DistanceMatrix(count: n) { a, b in
        var sum = 0.0
        for k in 0..<m { sum += abs(Double(p[a * m + k]) - Double(p[b * m + k])) }
        return 0.5 * sum
      }
    }
  }

  /// Euclidean distances between points, given as `count × dimension` coordinates, row-major.
  ///
  /// - Throws: `DistanceMatrixError.badShape`, or `.nonFiniteCoordinate` for NaN/infinity.
  ///   A distance beyond `Float.greatestFiniteMagnitude` (coordinates near the Float32 limit)
  ///   is a precondition failure.
  /// - Complexity: O(n² · d), accumulated in Double.
  public static func euclidean(points: [Float], count n: Int, dimension d: Int) throws
    -> DistanceMatrix
  {
    try checkCoordinates(points, n, d)
    return points.withUnsafeBufferPointer { x in
      DistanceMatrix(count: n) { a, b in
        var sum = 0.0
        for k in 0..<d {
          let t = Double(x[a * d + k]) - Double(x[b * d + k])
          sum += t * t
        }
        return sum.squareRoot()
      }
    }
  }

  /// Cosine distances `1 − ⟨x, y⟩ / (‖x‖ ‖y‖)` between points, clamped to [0, 2].
  ///
  /// A zero vector has cosine similarity 0 with every other point, hence distance 1 (its
  /// diagonal entry is 0 as always). Cosine distance is not a metric (no triangle inequality);
  /// the Rips filtration is still defined.
  /// - Throws: as `euclidean(points:count:dimension:)`.
  /// - Complexity: O(n² · d).
  public static func cosine(points: [Float], count n: Int, dimension d: Int) throws
    -> DistanceMatrix
  {
    try checkCoordinates(points, n, d)
    return points.withUnsafeBufferPointer { x in
      var norms = [Double](repeating: 0, count: n)
      for a in 0..<n {
        var s = 0.0
        for k in 0..<d { s += Double(x[a * d + k]) * Double(x[a * d + k]) }
        norms[a] = s.squareRoot()
      }
      return DistanceMatrix(count: n) { a, b in
        guard norms[a] > 0, norms[b] > 0 else { return 1 }
        var dot = 0.0
        for k in 0..<d { dot += Double(x[a * d + k]) * Double(x[b * d + k]) }
        return min(2, max(0, 1 - dot / (norms[a] * norms[b])))
      }
    }
  }

  private static func checkProbabilities(_ rows: [Float], _ n: Int, _ m: Int) throws {
    guard n >= 0, m >= 0, rows.count == n * m else {
      throw DistanceMatrixError.badShape(rows: n, columns: m, entryCount: rows.count)
    }
    for (index, x) in rows.enumerated() where !(x.isFinite && x >= 0) {
      throw DistanceMatrixError.notAProbability(row: index / m, column: index % m, value: x)
    }
  }

  private static func checkCoordinates(_ points: [Float], _ n: Int, _ d: Int) throws {
    guard n >= 0, d >= 0, points.count == n * d else {
      throw DistanceMatrixError.badShape(rows: n, columns: d, entryCount: points.count)
    }
    for (index, x) in points.enumerated() where !x.isFinite {
      throw DistanceMatrixError.nonFiniteCoordinate(row: index / d, column: index % d, value: x)
    }
  }
}
