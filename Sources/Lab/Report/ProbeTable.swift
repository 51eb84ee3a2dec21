import Foundation
import Probes

/// The rows of `probes.csv` indexed by metric, with the series a report draws from them.
///
/// Locations (layers, heads, tensors) are listed in the order they first appear in the file,
/// which is the model's parameter order for tensors; no `Dictionary` order leaks out.
public struct ProbeTable: Sendable {
  private var byMetric: [String: [ProbeRow]] = [:]

  /// Indexes `rows`.
  public init(_ rows: [ProbeRow]) {
    for row in rows { byMetric[row.metric, default: []].append(row) }
  }

  /// Whether any row has `metric`.
  public func has(_ metric: String) -> Bool { !(byMetric[metric] ?? []).isEmpty }

  /// All rows of `metric`, in file order.
  public func rows(_ metric: String) -> [ProbeRow] { byMetric[metric] ?? [] }

  /// The distinct layers of `metric`'s rows, ascending.
  public func layers(_ metric: String) -> [Int] {
    Array(Set(rows(metric).compactMap(\.layer))).sorted()
  }

  /// The distinct heads of `metric`'s rows, ascending.
  public func heads(_ metric: String) -> [Int] {
    Array(Set(rows(metric).compactMap(\.head))).sorted()
  }

  /// The distinct tensor names of `metric`'s rows, in order of first appearance.
  public func tensors(_ metric: String) -> [String] {
    var seen = Set<String>()
    return rows(metric).compactMap(\.tensor).filter { seen.insert($0).inserted }
  }

  /// The distinct steps of `metric`'s rows, ascending.
  public func steps(_ metric: String) -> [Int] {
    Array(Set(rows(metric).map(\.step))).sorted()
  }

  /// `(step, value)` of `metric` at one location (nil = any), ascending by step.
  public func series(
    _ metric: String, layer: Int? = nil, head: Int? = nil, tensor: String? = nil
  ) -> [(Double, Double)] {
    rows(metric).filter {
      (layer == nil || $0.layer == layer) && (head == nil || $0.head == head)
        && (tensor == nil || $0.tensor == tensor)
    }.sorted { $0.step < $1.step }.map { (Double($0.step), $0.value) }
  }
}
