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
/// Means and minima are over the `n(n−1)/2` unordered pairs `i < j` (κ is symmetric).
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
  /// Complexity: O(n³) per matrix, O(n²) memory; the inner loops run over `SIMD16<Float>`
  /// vectors of rows padded with neutral entries, and for causal matrices a pair `i < j` reads
  /// only the first `j + 1` columns.
  public init(attention: UnsafePointer<Float>, count n: Int, causal: Bool) {
    precondition(n >= 0, "AttentionCurvature: negative size \(n)")
    guard n >= 2 else {
      self.init(discreteMean: 1, discreteMin: 1, positionalMean: 1, positionalMin: 1)
      return
    }
    let vectors = (n + 15) / 16
    let stride = vectors * 16
    // Rows padded to whole vectors: probabilities with zeros, cumulative sums with ones, so the
    // padding contributes nothing to either distance.
    let rows = UnsafeMutablePointer<Float>.allocate(capacity: n * stride)
    let cumulative = UnsafeMutablePointer<Float>.allocate(capacity: n * stride)
    defer {
      rows.deallocate()
      cumulative.deallocate()
    }
    for i in 0..<n {
      let source = attention + i * n
      let row = rows + i * stride
      let cdf = cumulative + i * stride
      let support = causal ? i + 1 : n  // columns that may hold mass
      var total = 0.0
      for k in 0..<support { total += Double(source[k]) }
      let inverse = total > 0 ? 1 / total : 0
      var running = 0.0
      for k in 0..<support {
        row[k] = source[k]
        running += Double(source[k])
        cdf[k] = Float(running * inverse)
      }
      for k in support..<stride {
        row[k] = 0
        cdf[k] = 1
      }
      cdf[support - 1] = 1
    }

    var discreteSum = 0.0
    var positionalSum = 0.0
    var maxTV: Float = 0
    var minPositional = Double.infinity
    for i in 0..<(n - 1) {
      let rowI = UnsafeRawPointer(rows + i * stride)
      let cdfI = UnsafeRawPointer(cumulative + i * stride)
      var discreteRow = 0.0
      var positionalRow = 0.0
      for j in (i + 1)..<n {
        // Causal rows i < j vanish beyond column j, and their cumulative sums equal 1 there.
        let used = causal ? (j + 16) / 16 : vectors
        let rowJ = UnsafeRawPointer(rows + j * stride)
        let cdfJ = UnsafeRawPointer(cumulative + j * stride)
        var l1 = SIMD16<Float>()
        var w1 = SIMD16<Float>()
        for v in 0..<used {
          let offset = v * 64
          let a = rowI.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
          let b = rowJ.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
          l1 += Self.magnitude(a - b)
          let f = cdfI.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
          let g = cdfJ.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
          w1 += Self.magnitude(f - g)
        }
        let tv = 0.5 * Self.total(l1)
        discreteRow += Double(tv)
        maxTV = max(maxTV, tv)
        let kappa = 1 - Double(Self.total(w1)) / Double(j - i)
        positionalRow += kappa
        minPositional = min(minPositional, kappa)
      }
      discreteSum += discreteRow
      positionalSum += positionalRow
    }
    let pairs = Double(n * (n - 1) / 2)
    self.init(
      discreteMean: 1 - discreteSum / pairs, discreteMin: 1 - Double(maxTV),
      positionalMean: positionalSum / pairs, positionalMin: minPositional)
  }

  /// `|x|` lane by lane, by clearing the sign bits (`pointwiseMax(x, -x)` is ~100× slower: it
  /// is not lowered to a vector instruction).
  @inline(__always)
  private static func magnitude(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self) & SIMD16(repeating: 0x7fff_ffff)
    return unsafeBitCast(bits, to: SIMD16<Float>.self)
  }

  /// The sum of the lanes as a tree of vector adds (`sum()` adds the 16 lanes one after the
  /// other, which dominates the cost of a short row pair).
  @inline(__always)
  private static func total(_ x: SIMD16<Float>) -> Float {
    let x8 = x.lowHalf + x.highHalf
    let x4 = x8.lowHalf + x8.highHalf
    let x2 = x4.lowHalf + x4.highHalf
    return x2.x + x2.y
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
