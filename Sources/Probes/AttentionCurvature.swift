/// Coarse Ollivier–Ricci curvature of one attention matrix read as a Markov kernel.
///
/// Row `A_i` of a row-stochastic `n × n` matrix is the distribution token `i` attends with.
/// For a pair of tokens `i ≠ j` under a ground metric `d` on token positions,
///
///     κ(i, j) = 1 − W1(A_i, A_j) / d(i, j),
///
/// where `W1` is the Wasserstein-1 (earth mover's) distance under `d`. Two metrics:
///
/// - discrete, `d(i, j) = 1`: `W1 = TV(A_i, A_j) = ½ Σ_k |A_ik − A_jk|`, so `κ ∈ [0, 1]` and
///   `min κ = 1 − δ(A)` with `δ(A) = max_{i,j} TV(A_i, A_j)` Dobrushin's contraction
///   coefficient. κ near 1 everywhere means every token attends alike (over-smoothing).
/// - positional, `d(i, j) = |i − j|`: on a line `W1 = Σ_{k=0}^{n−2} |F_i(k) − F_j(k)|` with
///   `F_i(k) = Σ_{m≤k} A_im` the cumulative distribution; κ may be negative.
///
/// Means and minima are over the `n(n−1)/2` unordered pairs `i < j` (κ is symmetric). Distances
/// and κ of each pair are formed in Float32 (relative error ~1e-7), row sums of κ in Float32
/// and the total over rows in Double.
public struct AttentionCurvature: Sendable, Equatable {
  /// Mean of κ over pairs `i < j`, discrete metric.
  public var discreteMean: Double
  /// Minimum of κ over pairs, discrete metric: `1 − δ(A)`.
  public var discreteMin: Double
  /// Mean of κ over pairs `i < j`, positional metric `|i − j|`.
  public var positionalMean: Double
  /// Minimum of κ over pairs, positional metric.
  public var positionalMin: Double

  public init(
    discreteMean: Double, discreteMin: Double, positionalMean: Double, positionalMin: Double
  ) {
    self.discreteMean = discreteMean
    self.discreteMin = discreteMin
    self.positionalMean = positionalMean
    self.positionalMin = positionalMin
  }

  /// Measures the `n × n` row-major matrix at `attention`.
  ///
  /// With `causal`, row `i` must be supported on `j ≤ i` (entries above the diagonal are read as
  /// exact zeros, whatever they hold). Rows are normalized by their sums when forming the
  /// cumulative distributions, so `F_i(n−1) = 1` exactly. With `n < 2` there are no pairs and
  /// every value is 1 (the value for identical rows).
  ///
  /// Complexity: O(n³) per matrix, O(n²) memory. Row `i` is compared with 16 rows `j` at a
  /// time: the rows are stored transposed, so that one `SIMD16<Float>` holds column `k` of 16
  /// consecutive rows and the distances of 16 pairs accumulate lane by lane, with no
  /// horizontal sums in the inner loop. For causal matrices the block of rows `j0..<j0+16`
  /// reads only the first `j0 + 16` columns.
  public init(attention: UnsafePointer<Float>, count n: Int, causal: Bool) {
    precondition(n >= 0, "AttentionCurvature: negative size \(n)")
    guard n >= 2 else {
      self.init(discreteMean: 1, discreteMin: 1, positionalMean: 1, positionalMin: 1)
      return
    }
    let stride = (n + 15) / 16 * 16
    // Transposed in panels of 16 rows, so the inner loop streams through memory:
    // `columns[(j/16)·16n + 16k + j%16] = A_jk`, and `cumulative` likewise holds `F_j(k)`.
    // Padding rows (j ≥ n) are computed but never summarized; entries a causal row cannot reach
    // are exact zeros (probabilities) and ones (cumulative sums), so reading them adds nothing.
    let columns = UnsafeMutablePointer<Float>.allocate(capacity: n * stride)
    let cumulative = UnsafeMutablePointer<Float>.allocate(capacity: n * stride)
    let rowI = UnsafeMutablePointer<Float>.allocate(capacity: 2 * n)
    let cdfI = rowI + n
    defer {
      columns.deallocate()
      cumulative.deallocate()
      rowI.deallocate()
    }
    columns.initialize(repeating: 0, count: n * stride)
    cumulative.initialize(repeating: 1, count: n * stride)
    for j in 0..<n {
      let source = attention + j * n
      let support = causal ? j + 1 : n  // columns that may hold mass
      let panel = (j / 16) * n * 16 + j % 16
      var total = 0.0
      for k in 0..<support { total += Double(source[k]) }
      let inverse = total > 0 ? 1 / total : 0
      var running = 0.0
      for k in 0..<(support - 1) {
        columns[panel + k * 16] = source[k]
        running += Double(source[k])
        cumulative[panel + k * 16] = Float(running * inverse)
      }
      columns[panel + (support - 1) * 16] = source[support - 1]
    }
    // Per row i: the L1 distances to every row j (probabilities and cumulative sums), written
    // 16 at a time; horizontal reductions and masks on SIMD vectors are not lowered to vector
    // instructions, so the pairs are summarized by a scalar pass instead.
    let l1Row = UnsafeMutablePointer<Float>.allocate(capacity: 2 * stride)
    let w1Row = l1Row + stride
    defer { l1Row.deallocate() }
    let reciprocal = (0..<n).map { $0 > 0 ? 1 / Float($0) : 0 }
    var discreteSum = 0.0
    var positionalSum = 0.0
    var maxTV: Float = 0
    var minPositional = Float.infinity
    for i in 0..<(n - 1) {
      // Row i again, read contiguously from the source (the same values as column i above).
      let source = attention + i * n
      let support = causal ? i + 1 : n
      var total = 0.0
      for k in 0..<support { total += Double(source[k]) }
      let inverse = total > 0 ? 1 / total : 0
      var running = 0.0
      for k in 0..<support {
        rowI[k] = source[k]
        running += Double(source[k])
        cdfI[k] = Float(running * inverse)
      }
      for k in support..<n {
        rowI[k] = 0
        cdfI[k] = 1
      }
      cdfI[support - 1] = 1
      var j0 = (i + 1) / 16 * 16
      while j0 < n {
        let length = causal ? min(j0 + 16, n) : n
        let (l1, w1) = Self.distances(
          rowI, cdfI, columns + j0 * n, cumulative + j0 * n, columns: length)
        UnsafeMutableRawPointer(l1Row + j0).storeBytes(of: l1, as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(w1Row + j0).storeBytes(of: w1, as: SIMD16<Float>.self)
        j0 += 16
      }
      var discreteRow: Float = 0
      var positionalRow: Float = 0
      reciprocal.withUnsafeBufferPointer { reciprocal in
        for j in (i + 1)..<n {
          let tv = 0.5 * l1Row[j]
          discreteRow += tv
          maxTV = max(maxTV, tv)
          let kappa = 1 - w1Row[j] * reciprocal[j &- i]
          positionalRow += kappa
          minPositional = min(minPositional, kappa)
        }
      }
      discreteSum += Double(discreteRow)
      positionalSum += Double(positionalRow)
    }
    let pairs = Double(n * (n - 1) / 2)
    self.init(
      discreteMean: 1 - discreteSum / pairs, discreteMin: 1 - Double(maxTV),
      positionalMean: positionalSum / pairs, positionalMin: Double(minPositional))
  }

  /// Lane `m` holds `Σ_k |a_k − B_k,m|` and `Σ_k |f_k − G_k,m|` over `k < columns`, for rows
  /// `a`, `f` and the transposed panels `B`, `G` (16 lanes per column `k`, contiguous).
  @inline(__always)
  private static func distances(
    _ a: UnsafePointer<Float>, _ f: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ g: UnsafePointer<Float>, columns: Int
  ) -> (SIMD16<Float>, SIMD16<Float>) {
    // Two columns per step into four independent sums.
    var l1 = (SIMD16<Float>(), SIMD16<Float>())
    var w1 = (SIMD16<Float>(), SIMD16<Float>())
    var k = 0
    while k + 1 < columns {
      let (b0, b1) = (UnsafeRawPointer(b + k &* 16), UnsafeRawPointer(b + (k &+ 1) &* 16))
      let (g0, g1) = (UnsafeRawPointer(g + k &* 16), UnsafeRawPointer(g + (k &+ 1) &* 16))
      l1.0 += VectorMath.magnitude(
        SIMD16(repeating: a[k]) - b0.loadUnaligned(as: SIMD16<Float>.self))
      w1.0 += VectorMath.magnitude(
        SIMD16(repeating: f[k]) - g0.loadUnaligned(as: SIMD16<Float>.self))
      l1.1 += VectorMath.magnitude(
        SIMD16(repeating: a[k + 1]) - b1.loadUnaligned(as: SIMD16<Float>.self))
      w1.1 += VectorMath.magnitude(
        SIMD16(repeating: f[k + 1]) - g1.loadUnaligned(as: SIMD16<Float>.self))
      k += 2
    }
    if k < columns {
      let b0 = UnsafeRawPointer(b + k &* 16)
      let g0 = UnsafeRawPointer(g + k &* 16)
      l1.0 += VectorMath.magnitude(
        SIMD16(repeating: a[k]) - b0.loadUnaligned(as: SIMD16<Float>.self))
      w1.0 += VectorMath.magnitude(
        SIMD16(repeating: f[k]) - g0.loadUnaligned(as: SIMD16<Float>.self))
    }
    return (l1.0 + l1.1, w1.0 + w1.1)
  }

  /// Measures an `n × n` matrix given as `n²` row-major values.
  public init(attention: [Float], count n: Int, causal: Bool) {
    precondition(
      attention.count == n * n, "AttentionCurvature: \(attention.count) values for \(n) × \(n)")
    guard n >= 2 else {
      self.init(discreteMean: 1, discreteMin: 1, positionalMean: 1, positionalMin: 1)
      return
    }
    self = attention.withUnsafeBufferPointer {
      AttentionCurvature(attention: $0.baseAddress!, count: n, causal: causal)
    }
  }
}
