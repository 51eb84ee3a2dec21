import Foundation

extension SweepReport {
  /// The most groups whose curves are overlaid (the palette's size); beyond that, the groups
  /// with the lowest mean final validation loss.
  static let maxCurveGroups = 10

  /// One group's curve of a metric column over steps: the mean over the group's completed
  /// trials at each step, and the lowest and highest of them.
  struct GroupCurve {
    var steps: [(x: Double, mean: Double, low: Double, high: Double)]
  }

  /// The curve of `column` over the group's completed trials with readable metrics; steps
  /// where no trial has a finite value are left out.
  func curve(_ column: String, of group: TrialGroup) -> GroupCurve {
    var byStep: [Int: [Double]] = [:]
    for row in group.rows {
      for metric in curves[row.trial.index] ?? [] {
        if let value = metric[column], value.isFinite {
          byStep[metric.step, default: []].append(value)
        }
      }
    }
    let steps = RunReport.thinned(byStep.keys.sorted(), limit: 400)
    return GroupCurve(
      steps: steps.map { step in
        let values = byStep[step]!
        return (
          Double(step), values.reduce(0, +) / Double(values.count), values.min()!, values.max()!
        )
      })
  }

  /// The training and validation loss of each group of seeds, overlaid, each with the range
  /// over its seeds; a table of the groups' final validation losses.
  var curvesSection: ReportSection {
    let (id, title) = ("curves", "Loss curves by group")
    let groups = results.groups.filter { group in
      group.rows.contains { curves[$0.trial.index] != nil }
    }
    guard !groups.isEmpty else {
      var note = "No completed trial with a readable metrics.csv yet."
      if !unreadableCurves.isEmpty { note += " " + unreadableText }
      return .missing(id, title, note: note)
    }
    let ranked = Self.bestFirst(groups)
    let shown = Array(ranked.prefix(Self.maxCurveGroups))
    let seedsPerGroup = shown.map { $0.rows.filter { curves[$0.trial.index] != nil }.count }
    let anyBand = seedsPerGroup.contains { $0 > 1 }
    let labels = shown.map(shortLabel)

    func chart(_ column: String, title: String) -> String? {
      var chart = Chart(title: title, xLabel: "step", yLabel: "loss (nats per token)")
      chart.width = 1080
      chart.height = 340
      chart.legendPlacement = .right
      var drawn = false
      for (k, group) in shown.enumerated() {
        let curve = curve(column, of: group)
        guard !curve.steps.isEmpty else { continue }
        drawn = true
        let color = ReportLayout.color(k)
        if seedsPerGroup[k] > 1 {
          chart.add(
            .band(points: curve.steps.map { ($0.x, $0.low, $0.high) }, color: color, opacity: 0.18))
        }
        let line = curve.steps.map { ($0.x, $0.mean) }
        chart.add(.line(points: line, color: color, width: 1.5, dash: nil), legend: labels[k])
        if line.count <= 40 {
          chart.add(.scatter(points: line, color: color, radius: 2, titles: nil))
        }
      }
      if anyBand {
        chart.add(
          .band(points: [], color: "#bbbbbb", opacity: 1), legend: "band: min–max over seeds")
      }
      return drawn ? chart.svg : nil
    }
    let charts = [
      chart("train_loss", title: "Training loss (each logged batch), mean over seeds"),
      chart("val_loss", title: "Validation loss, mean over seeds"),
    ].compactMap { $0 }

    var text =
      "Trials that differ only in their seed form a group. Each line is the mean over the "
      + "group's completed trials at each logged step; "
      + (anyBand
        ? "the shaded band spans the lowest to the highest trial (min–max over seeds)."
        : "every group has a single completed trial, so there is no band.")
    if ranked.count > shown.count {
      text +=
        " Showing the \(shown.count) groups of \(ranked.count) with the lowest mean final "
        + "validation loss."
    }
    var body = ReportLayout.explain(SVG.escape(text)) + ReportLayout.row(charts)
    if !unreadableCurves.isEmpty { body += "<p class=\"note\">\(SVG.escape(unreadableText))</p>" }
    body += groupTable(Self.bestFirst(results.groups))
    return ReportSection(id: id, title: title, body: body)
  }

  /// The groups in order of their mean final validation loss, lowest first; groups without
  /// one last, in sweep order.
  static func bestFirst(_ groups: [TrialGroup]) -> [TrialGroup] {
    groups.enumerated().sorted { a, b in
      let (ma, mb) = (mean(a.element.finalValLosses), mean(b.element.finalValLosses))
      return (ma ?? .infinity, a.offset) < (mb ?? .infinity, b.offset)
    }.map(\.element)
  }

  /// The group's values with short field names, cut to 60 characters, and its seed count.
  private func shortLabel(_ group: TrialGroup) -> String {
    let short = shortFieldNames
    var text =
      group.values.isEmpty
      ? "all trials"
      : group.values.map { "\(short[$0.field] ?? $0.field)=\($0.value.nameText)" }.joined(
        separator: ", ")
    if text.count > 60 { text = String(text.prefix(59)) + "…" }
    return text
  }

  private var unreadableText: String {
    "Curves left out (metrics.csv unreadable): "
      + unreadableCurves.map { "\($0.trial): \($0.reason)" }.joined(separator: "; ")
  }

  /// Each group's final validation loss over its completed trials: mean, standard deviation,
  /// lowest and highest.
  private func groupTable(_ groups: [TrialGroup]) -> String {
    let header = ["group", "completed", "mean", "sd", "min", "max"]
    var lines = ["<tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr>"]
    for group in groups {
      let losses = group.finalValLosses
      let mean = Self.mean(losses)
      let sd = Self.standardDeviation(losses)
      let cells =
        [
          "<td>\(SVG.escape(group.label))</td>",
          "<td class=\"num\">\(losses.count) of \(group.rows.count)</td>",
        ]
        + [mean, sd, losses.min(), losses.max()].map { "<td class=\"num\">\(Self.cell($0))</td>" }
      lines.append("<tr>" + cells.joined() + "</tr>")
    }
    return "<h3>Final validation loss per group</h3>\n"
      + ReportLayout.explain(
        "Over each group's completed trials; sd is the sample standard deviation (n − 1), shown "
          + "when a group has two or more.")
      + "<div class=\"table-scroll\"><table class=\"data\">\n" + lines.joined(separator: "\n")
      + "\n</table></div>"
  }

  static func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
  }

  static func standardDeviation(_ values: [Double]) -> Double? {
    guard values.count > 1, let mean = mean(values) else { return nil }
    let squares = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
    return (squares / Double(values.count - 1)).squareRoot()
  }
}
