import Foundation

/// One trial's line of `results.csv`.
public struct TrialResult: Sendable {
  public var trial: Trial
  public var state: TrialState
  /// Final metrics from the run's summary (`train_loss`, `val_loss`, …).
  public var finalMetrics: [String: Double]
  /// The lowest `val_loss` in the run's `metrics.csv`; nil when none was measured.
  public var bestValLoss: Double?
  public var wallTimeSeconds: Double?
  public var step: Int?
  /// The run summary's `probe_summary` final values, by series name.
  public var probeFinals: [String: Double]
  public var error: String?
}

/// The results of a sweep gathered from its run folders: `results.csv` and `summary.json`.
public struct SweepResults: Sendable {
  public let sweep: Sweep
  public let rows: [TrialResult]

  /// The columns of `results.csv` before the probe columns.
  public static let metricColumns = [
    "train_loss", "train_accuracy", "val_loss", "val_accuracy", "best_val_loss", "wall_time_s",
    "step",
  ]

  /// Reads every trial's run folder; a trial without one (or without a summary) is `pending`.
  /// A run folder written by a newer Betti is an error.
  public static func collect(_ sweep: Sweep) throws -> SweepResults {
    let rows = try sweep.trials.map { trial -> TrialResult in
      let folder = sweep.runFolder(trial.index)
      let summary = try folder.readSummaryIfReadable()
      var best: Double?
      let csv = folder.url.appendingPathComponent("metrics.csv")
      if let metrics = try? MetricsWriter.readCSV(csv) {
        best = metrics.compactMap { $0["val_loss"] }.filter { !$0.isNaN }.min()
      }
      var probes: [String: Double] = [:]
      for (series, stats) in summary?.probeSummary ?? [:] {
        if let final = stats["final"] { probes[series] = final }
      }
      return TrialResult(
        trial: trial,
        state: summary.map { TrialState(rawValue: $0.status.rawValue)! } ?? .pending,
        finalMetrics: summary?.finalMetrics ?? [:], bestValLoss: best,
        wallTimeSeconds: summary?.wallTimeSeconds, step: summary?.step, probeFinals: probes,
        error: summary?.error)
    }
    return SweepResults(sweep: sweep, rows: rows)
  }

  /// How many trials are in each state (every state present, zeros included).
  public var counts: [TrialState: Int] {
    var counts = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
    for row in rows { counts[row.state, default: 0] += 1 }
    return counts
  }

  /// The completed trial with the lowest final validation loss (ties: the lower index).
  public var best: TrialResult? {
    rows.filter { $0.state == .completed && $0.finalMetrics["val_loss"]?.isFinite == true }
      .min { $0.finalMetrics["val_loss"]! < $1.finalMetrics["val_loss"]! }
  }

  /// The probe columns: every series any trial has, sorted, as `probe:<series>`.
  public var probeSeries: [String] {
    Array(Set(rows.flatMap { $0.probeFinals.keys })).sorted()
  }

  /// `results.csv`: `index, trial, <swept fields…>, seed, status, <metricColumns…>,
  /// probe:<series>…, error`; an empty cell where a value is missing.
  public var csv: String {
    let fields = sweep.spec.sweptFields
    let series = probeSeries
    var lines: [[String]] = [
      ["index", "trial"] + fields + ["seed", "status"] + Self.metricColumns
        + series.map { "probe:\($0)" } + ["error"]
    ]
    for row in rows {
      var cells = [String(row.trial.index), row.trial.name]
      cells += row.trial.values.map { $0.value.cellText }
      cells += [String(row.trial.seed), row.state.rawValue]
      let metrics = row.finalMetrics
      cells += ["train_loss", "train_accuracy", "val_loss", "val_accuracy"].map {
        Self.number(metrics[$0])
      }
      cells += [
        Self.number(row.bestValLoss), Self.number(row.wallTimeSeconds),
        row.step.map(String.init) ?? "",
      ]
      cells += series.map { Self.number(row.probeFinals[$0]) }
      cells.append(row.error ?? "")
      lines.append(cells)
    }
    return lines.map { $0.map(Self.quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  /// `summary.json`: counts by status, the best trial by validation loss, and the spec.
  public var summaryJSON: JSONValue {
    var counts: [String: JSONValue] = [:]
    for (state, count) in self.counts { counts[state.rawValue] = .integer(count) }
    var object: [String: JSONValue] = [
      "sweep": .string(sweep.spec.name), "trials": .integer(rows.count),
      "counts": .object(counts), "spec": sweep.spec.json, "best": .null,
    ]
    if let best {
      var values: [String: JSONValue] = [:]
      for v in best.trial.values { values[v.field] = v.value }
      object["best"] = .object([
        "index": .integer(best.trial.index), "trial": .string(best.trial.name),
        "seed": .integer(best.trial.seed), "values": .object(values),
        "val_loss": .number(best.finalMetrics["val_loss"]!),
        "val_accuracy": best.finalMetrics["val_accuracy"].map(JSONValue.number) ?? .null,
      ])
    }
    return .object(object)
  }

  /// Writes `results.csv` and `summary.json` into the sweep folder, atomically.
  @discardableResult
  public func written() throws -> SweepResults {
    try writeAtomically(Data(csv.utf8), to: sweep.resultsURL)
    try writeAtomically(Sweep.encoded(summaryJSON), to: sweep.summaryURL)
    return self
  }

  /// Shortest round-trip form; `nan`, `inf`, `-inf` as in the metric files; "" for nil.
  static func number(_ value: Double?) -> String {
    guard let value else { return "" }
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if let int = Int(exactly: value) { return String(int) }
    return String(value)
  }

  /// A CSV cell, quoted when it holds a comma, a quote or a line break.
  static func quoted(_ cell: String) -> String {
    guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return cell
    }
    return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
