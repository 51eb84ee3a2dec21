import Foundation

/// A map from positive data values to pixels that is linear in `log10(value)`, with ticks at
/// powers of ten (and at 2× and 5× them when the domain spans less than two decades).
public struct LogScale: PlotScale {
  /// Positive bounds, low first.
  public let domain: (Double, Double)
  public let range: (Double, Double)

  /// `domain` must be positive; an empty domain is widened to half a decade on each side.
  public init(domain: (Double, Double), range: (Double, Double)) {
    precondition(
      domain.0 > 0 && domain.1 > 0, "LogScale: domain \(domain) must be positive")
    let (a, b) = (min(domain.0, domain.1), max(domain.0, domain.1))
    self.domain = a == b ? (a / 10.squareRoot(), b * 10.squareRoot()) : (a, b)
    self.range = range
  }

  /// The pixel of `x`; values ≤ 0 have none (NaN), callers skip them.
  public func callAsFunction(_ x: Double) -> Double {
    guard x > 0 else { return .nan }
    let (low, high) = (Foundation.log10(domain.0), Foundation.log10(domain.1))
    return range.0 + (Foundation.log10(x) - low) / (high - low) * (range.1 - range.0)
  }

  public func ticks(_ count: Int = 5) -> [Double] {
    let (low, high) = domain
    let inside = { (t: Double) in t >= low * (1 - 1e-9) && t <= high * (1 + 1e-9) }
    let first = Int(Foundation.log10(low).rounded(.down))
    let last = Int(Foundation.log10(high).rounded(.up))
    let decades = (first...last).map { Double("1e\($0)")! }
    var ticks = decades.filter(inside)
    if ticks.count < 2 {
      ticks = decades.flatMap { [$0, 2 * $0, 5 * $0] }.filter(inside)
    }
    if ticks.count < 2 {
      // Less than a factor 2.5 wide: round values on a linear grid read better.
      return LinearScale(domain: domain, range: range).ticks(count).filter { $0 > 0 }
    }
    // Thin to about `count` ticks.
    let stride = max(1, Int((Double(ticks.count) / Double(max(count, 1))).rounded(.up)))
    return ticks.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
  }

  /// Whether values from `low` to `high` (positive) span enough decades to read better on a log
  /// axis: a ratio of at least 10 between the largest and smallest.
  public static func suits(low: Double, high: Double) -> Bool {
    low > 0 && high / low >= 10
  }
}

/// A map from data values to pixels with tick values: linear or logarithmic.
public protocol PlotScale: Sendable {
  func callAsFunction(_ x: Double) -> Double
  func ticks(_ count: Int) -> [Double]
}

extension LinearScale: PlotScale {}
