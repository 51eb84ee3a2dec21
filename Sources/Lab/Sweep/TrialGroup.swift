import Foundation

/// The trials of a sweep that differ only in their seed: one point of the grid and the random
/// samples, repeated over the seeds.
public struct TrialGroup: Sendable {
  /// The swept values the trials share (empty when the sweep varies only the seed).
  public var values: [SweptValue]
  /// The trials, in sweep order.
  public var rows: [TrialResult]

  /// `field=value, …` with the fields' full dotted names; `all trials` for a sweep of seeds.
  public var label: String {
    values.isEmpty
      ? "all trials" : values.map { "\($0.field)=\($0.value.nameText)" }.joined(separator: ", ")
  }

  /// The final validation losses of the completed trials, in trial order (finite values only).
  public var finalValLosses: [Double] {
    rows.compactMap { $0.state == .completed ? $0.finalMetrics["val_loss"] : nil }
      .filter(\.isFinite)
  }
}

extension SweepResults {
  /// The trials grouped by their swept values, in the order of each group's first trial.
  public var groups: [TrialGroup] {
    var order: [String] = []
    var byKey: [String: TrialGroup] = [:]
    for row in rows {
      let key = row.trial.values.map { "\($0.field)=\($0.value.jsonText)" }.joined(separator: "\n")
      if byKey[key] == nil {
        order.append(key)
        byKey[key] = TrialGroup(values: row.trial.values, rows: [])
      }
      byKey[key]!.rows.append(row)
    }
    return order.map { byKey[$0]! }
  }
}
