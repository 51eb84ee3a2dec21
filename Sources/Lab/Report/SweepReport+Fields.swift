import Foundation

extension SweepReport {
  /// The completed trials that have a finite final validation loss, with it.
  var finishedLosses: [(row: TrialResult, loss: Double)] {
    results.rows.compactMap { row in
      guard row.state == .completed, let loss = row.finalMetrics["val_loss"], loss.isFinite
      else { return nil }
      return (row, loss)
    }
  }

  /// A sentence naming the trials left out of the plots, by state; empty when none are.
  var leftOutNote: String {
    let kept = Set(finishedLosses.map(\.row.trial.index))
    var byState: [TrialState: Int] = [:]
    for row in results.rows where !kept.contains(row.trial.index) {
      byState[row.state, default: 0] += 1
    }
    guard !byState.isEmpty else { return "" }
    let parts = TrialState.allCases.compactMap { state in
      byState[state].map { "\($0) \(state.rawValue)" }
    }
    let total = byState.values.reduce(0, +)
    return "Not drawn: \(total) trial\(total == 1 ? "" : "s") without a final validation loss of "
      + "a completed run (\(parts.joined(separator: ", ")))."
  }

  /// The final validation loss against each swept field, one chart per field.
  var fieldsSection: ReportSection {
    let (id, title) = ("fields", "Final validation loss against each swept field")
    let fields = sweep.spec.sweptFields
    guard !fields.isEmpty else {
      return .missing(id, title, note: "The sweep varies only the seed: no field to plot against.")
    }
    guard !finishedLosses.isEmpty else {
      return .missing(
        id, title, note: "No completed trial with a final validation loss yet. \(leftOutNote)")
    }
    let charts = fields.indices.map { fieldChart($0).svg }
    var text =
      "Small dots: one trial each (one seed); large dots: the mean over the trials at that value "
      + "(joined by lines on a numeric axis). When other fields vary too, each combination of "
      + "their values has its own color"
      + (fields.count > 1 ? " (up to \(Self.maxSeries); beyond that all trials share one)" : "")
      + ". Numeric axes spanning a factor of 10 or more are logarithmic."
    if !leftOutNote.isEmpty { text += " " + leftOutNote }
    return ReportSection(
      id: id, title: title, body: ReportLayout.explain(SVG.escape(text)) + ReportLayout.row(charts))
  }

  /// The most colored series a chart gets; with more, one color for all.
  static let maxSeries = 8

  /// The chart of field `k` (its index in the trials' values).
  func fieldChart(_ k: Int) -> Chart {
    let field = sweep.spec.sweptFields[k]
    let short = shortFieldNames
    let points = finishedLosses.map {
      entry -> (value: JSONValue, loss: Double, series: String, name: String) in
      let values = entry.row.trial.values
      let others = values.indices.filter { $0 != k }.map {
        "\(short[values[$0].field] ?? values[$0].field)=\(values[$0].value.nameText)"
      }
      return (values[k].value, entry.loss, others.joined(separator: ", "), entry.row.trial.name)
    }
    var chart = Chart(title: field, xLabel: field, yLabel: "final validation loss")
    chart.width = 530
    chart.height = 300

    // Where each value sits on the x axis.
    let numeric = points.allSatisfy { $0.value.numberValue != nil }
    var categories: [String] = []
    if numeric {
      let xs = points.map { $0.value.numberValue! }
      if LogScale.suits(low: xs.min()!, high: xs.max()!) {
        chart.xScale = .log
        chart.xLabel = "\(field) (log scale)"
      }
      // A few values (a grid axis) are labelled where they are; many get round ticks.
      let distinct = Set(xs).sorted()
      if distinct.count <= 6 {
        chart.xTicks = distinct.map { ($0, LinearScale.label($0)) }
      }
    } else {
      for point in points where !categories.contains(point.value.nameText) {
        categories.append(point.value.nameText)
      }
      chart.xDomain = (-0.5, Double(categories.count) - 0.5)
      let room = max(3, Int(430 / Double(categories.count) / 6.2))
      chart.xTicks = categories.enumerated().map { index, name in
        (Double(index), name.count > room ? String(name.prefix(room - 1)) + "…" : name)
      }
    }

    var series: [String] = []
    for point in points where !series.contains(point.series) { series.append(point.series) }
    let colored = series.count > 1 && series.count <= Self.maxSeries
    if colored { chart.legendPlacement = .below }
    let groups = colored ? series : [""]
    for (s, name) in groups.enumerated() {
      let members = points.filter { !colored || $0.series == name }
      let color = colored ? ReportLayout.color(s) : ReportLayout.color(0)
      // Categorical values are nudged apart by series so that their dots do not hide each other.
      let dodge =
        colored ? (Double(s) - Double(groups.count - 1) / 2) * 0.5 / Double(groups.count) : 0
      func x(_ value: JSONValue) -> Double {
        numeric ? value.numberValue! : Double(categories.firstIndex(of: value.nameText)!) + dodge
      }
      chart.add(
        .scatter(
          points: members.map { (x($0.value), $0.loss) }, color: color, radius: 2.5,
          titles: members.map { "\($0.name): \(ReportLayout.number($0.loss))" }),
        legend: colored ? name : nil)
      var means: [(Double, Double, Int)] = []
      for value in Set(members.map { x($0.value) }).sorted() {
        let losses = members.filter { x($0.value) == value }.map(\.loss)
        means.append((value, losses.reduce(0, +) / Double(losses.count), losses.count))
      }
      chart.add(
        .scatter(
          points: means.map { ($0.0, $0.1) }, color: color, radius: 5,
          titles: means.map { "mean of \($0.2): \(ReportLayout.number($0.1))" }))
      if numeric && means.count > 1 {
        chart.add(.line(points: means.map { ($0.0, $0.1) }, color: color, width: 1.5, dash: nil))
      }
    }
    return chart
  }
}
