import Foundation

/// Spearman's rank correlation of two paired samples: Pearson's correlation of their ranks,
/// with tied values given the average of the ranks they span (the standard definition, as in
/// SciPy's `spearmanr`).
///
/// Pairs where either value is NaN or infinite are dropped first; `n` counts the pairs used.
/// `rho` is nil (undefined) when fewer than two pairs remain or when either side is constant,
/// since the ranks then have no variance; `undefined` says which.
public struct RankCorrelation: Equatable, Sendable {
  /// The correlation in [-1, 1]; nil when undefined.
  public let rho: Double?
  /// The number of pairs used (both values finite).
  public let n: Int
  /// How many different values the used x (resp. y) values take; fewer than `n` means ties.
  public let distinctX: Int
  public let distinctY: Int
  /// Why `rho` is undefined, or nil when it is defined.
  public let undefined: Undefined?

  /// Why a rank correlation has no value.
  public enum Undefined: Equatable, Sendable {
    /// Fewer than two pairs with both values finite.
    case tooFewPairs
    /// Every used x value is the same.
    case constantX
    /// Every used y value is the same.
    case constantY
    case bothConstant
  }

  /// The rank correlation of `x` and `y`, which must have the same length. O(n log n).
  public init(_ x: [Double], _ y: [Double]) {
    precondition(
      x.count == y.count, "RankCorrelation: samples of different lengths \(x.count) and \(y.count)")
    let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
    let (xs, ys) = (pairs.map(\.0), pairs.map(\.1))
    n = pairs.count
    distinctX = Set(xs).count
    distinctY = Set(ys).count
    rho = n < 2 ? nil : Self.pearson(Self.averageRanks(xs), Self.averageRanks(ys))
    if rho != nil {
      undefined = nil
    } else if n < 2 {
      undefined = .tooFewPairs
    } else {
      let (constantX, constantY) = (distinctX == 1, distinctY == 1)
      undefined = constantX && constantY ? .bothConstant : constantX ? .constantX : .constantY
    }
  }

  /// The 1-based rank of each value, ties sharing the mean of the ranks they span:
  /// `[10, 20, 20, 30]` → `[1, 2.5, 2.5, 4]`. The values must be finite.
  public static func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
      // Positions start…end (0-based) hold ranks start+1…end+1; their mean:
      let rank = Double(start + end) / 2 + 1
      for k in start...end { ranks[order[k]] = rank }
      start = end + 1
    }
    return ranks
  }

  /// Pearson's correlation; nil when either side has no variance.
  static func pearson(_ a: [Double], _ b: [Double]) -> Double? {
    let n = Double(a.count)
    let meanA = a.reduce(0, +) / n
    let meanB = b.reduce(0, +) / n
    var (sab, saa, sbb) = (0.0, 0.0, 0.0)
    for (u, v) in zip(a, b) {
      sab += (u - meanA) * (v - meanB)
      saa += (u - meanA) * (u - meanA)
      sbb += (v - meanB) * (v - meanB)
    }
    guard saa > 0, sbb > 0 else { return nil }
    // Rounding can carry a perfect correlation a hair past ±1.
    return max(-1, min(1, sab / (saa * sbb).squareRoot()))
  }
}
