import Foundation

/// Sections drawn from `metrics.csv`: loss, accuracy, learning rate, regularizer terms.
extension RunReport {
  /// Every column present in some row, sorted by name.
  var metricColumns: [String] {
    Array(Set(metrics.flatMap(\.values.keys))).sorted()
  }

  /// `(step, value)` of a metrics column, skipping rows without it.
  func metricSeries(_ column: String) -> [(Double, Double)] {
    metrics.compactMap { row in row[column].map { (Double(row.step), $0) } }
  }

  /// A full-width chart over steps with one entry per `(column, label)` that has data:
  /// dense columns as lines, sparse ones (evaluations) as lines with markers.
  func stepChart(
    _ lines: [(column: String, label: String)], title: String, yLabel: String,
    width: Double = 1080, height: Double = 320
  ) -> Chart? {
    var chart = Chart(title: title, xLabel: "step", yLabel: yLabel)
    chart.width = width
    chart.height = height
    chart.legendPlacement = .right
    var drawn = 0
    for (k, line) in lines.enumerated() {
      let points = metricSeries(line.column)
      guard !points.isEmpty else { continue }
      let color = ReportLayout.color(k)
      chart.add(.line(points: points, color: color, width: 1.5, dash: nil), legend: line.label)
      if points.count <= 60 {
        chart.add(.scatter(points: points, color: color, radius: 2.5, titles: nil))
      }
      drawn += 1
    }
    return drawn > 0 ? chart : nil
  }

  var lossSection: ReportSection {
    guard
      let chart = stepChart(
        [
          ("train_loss", "train (batch)"), ("train_eval_loss", "train (eval)"),
          ("val_loss", "validation"),
        ], title: "Cross-entropy loss", yLabel: "loss (nats per token)")
    else {
      return .missing("loss", "Loss", note: "No loss values: metrics.csv is missing or empty.")
    }
    return ReportSection(
      id: "loss", title: "Loss",
      body: ReportLayout.explain(
        "Training loss of each logged batch, and at evaluation steps the mean over the fixed "
          + "training batches and over the validation batches.") + ReportLayout.row([chart.svg]))
  }

  var accuracySection: ReportSection {
    guard
      var chart = stepChart(
        [
          ("train_accuracy", "train (batch)"), ("train_eval_accuracy", "train (eval)"),
          ("val_accuracy", "validation"),
        ], title: "Accuracy", yLabel: "accuracy (fraction)", height: 280)
    else {
      return .missing(
        "accuracy", "Accuracy", note: "No accuracy values: metrics.csv is missing or empty.")
    }
    chart.yDomain = (0, 1)
    return ReportSection(id: "accuracy", title: "Accuracy", body: ReportLayout.row([chart.svg]))
  }

  var learningRateSection: ReportSection {
    guard var chart = stepChart([("lr", "lr")], title: "Learning rate", yLabel: "lr", height: 240)
    else {
      return .missing(
        "lr", "Learning rate schedule", note: "No learning rates: metrics.csv has no lr column.")
    }
    chart.legendPlacement = .inside
    let peak = metricSeries("lr").map(\.1).filter(\.isFinite).max() ?? 1
    chart.yDomain = (0, peak * 1.05)
    return ReportSection(
      id: "lr", title: "Learning rate schedule",
      body: ReportLayout.explain(
        "The rate used for the update of each logged step (\(SVG.escape(config.schedule.kind.rawValue)) schedule)."
      )
        + ReportLayout.row([chart.svg]))
  }

  var regularizerSection: ReportSection {
    let columns = metricColumns
    let reg = columns.filter { $0.hasPrefix("reg_") }
    let ph = columns.filter { $0.hasPrefix("ph_") }
    guard !reg.isEmpty || !ph.isEmpty else {
      return .missing(
        "regularizers", "Topological regularizers",
        note: "No regularizer terms: every weight in the config's regularizers section is 0.")
    }
    let raw = reg.filter {
      $0 != "reg_loss" && !$0.hasSuffix("_weighted") && !$0.hasSuffix("_grad_norm")
    }
    // Each chart names the terms alone; what the chart shows is in its title.
    func terms(_ names: [String], dropping suffix: String = "") -> [(column: String, label: String)]
    {
      names.map { ($0, String($0.dropFirst(4).dropLast(suffix.count))) }
    }
    func small(_ chart: Chart?) -> String? {
      guard var chart else { return nil }
      chart.legendPlacement = .below
      return chart.svg
    }
    let charts = [
      small(
        stepChart(terms(raw), title: "Raw terms", yLabel: "term value", width: 530, height: 260)),
      small(
        stepChart(
          terms(reg.filter { $0.hasSuffix("_weighted") }, dropping: "_weighted")
            + (reg.contains("reg_loss") ? [("reg_loss", "sum (reg_loss)")] : []),
          title: "Weighted terms (λ · term) and their sum", yLabel: "loss contribution",
          width: 530, height: 260)),
      small(
        stepChart(
          terms(reg.filter { $0.hasSuffix("_grad_norm") }, dropping: "_grad_norm"),
          title: "Gradient norm of each term", yLabel: "‖λ ∂term/∂A‖", width: 530, height: 260)),
    ].compactMap { $0 }
    var body =
      ReportLayout.explain(
        "The persistent-homology terms added to the loss (see docs/topology.md), from the "
          + "<code>reg_*</code> and <code>ph_*</code> columns of metrics.csv.")
      + ReportLayout.row(charts)
    let heads = persistenceHeads(ph)
    if !heads.isEmpty {
      body += ReportLayout.explain(
        "Per selected head (rows) and logged step: the number of bars above the persistence "
          + "threshold, and the bottleneck distance of the head's diagram to its diagram at the "
          + "previous logged step (how much the topology moved).")
      let maps = [
        ("h0", "bars", "H0 bars"), ("h1", "bars", "H1 bars"),
        ("h0", "bottleneck", "H0 bottleneck to previous step"),
        ("h1", "bottleneck", "H1 bottleneck to previous step"),
      ].compactMap { dimension, kind, title in
        persistenceHeatmap(heads: heads, dimension: dimension, kind: kind, title: title)
      }
      body += ReportLayout.row(maps)
    }
    return ReportSection(id: "regularizers", title: "Topological regularizers", body: body)
  }

  /// The `(layer, head)` pairs of `ph_l<L>_h<H>_…` columns, in layer then head order.
  private func persistenceHeads(_ columns: [String]) -> [(layer: Int, head: Int)] {
    let pairs = columns.compactMap { column -> [Int]? in
      let parts = column.split(separator: "_")
      guard parts.count >= 5, parts[1].first == "l", parts[2].first == "h",
        let layer = Int(parts[1].dropFirst()), let head = Int(parts[2].dropFirst())
      else { return nil }
      return [layer, head]
    }
    return Array(Set(pairs)).sorted { $0.lexicographicallyPrecedes($1) }.map { ($0[0], $0[1]) }
  }

  /// A heatmap of `ph_l<L>_h<H>_<dimension>_<kind>` over steps, a row per head; nil when no
  /// head has the column.
  private func persistenceHeatmap(
    heads: [(layer: Int, head: Int)], dimension: String, kind: String, title: String
  ) -> String? {
    let rows = heads.map {
      ("ph_l\($0.layer)_h\($0.head)_\(dimension)_\(kind)", "L\($0.layer)H\($0.head)")
    }
    .filter { metricColumns.contains($0.0) }
    let steps = Self.thinned(
      Array(Set(rows.flatMap { metricSeries($0.0).map { Int($0.0) } })).sorted(), limit: 80)
    guard !rows.isEmpty, !steps.isEmpty else { return nil }
    let byStep = Dictionary(metrics.map { ($0.step, $0.values) }) { $0.merging($1) { $1 } }
    let values = rows.map { column, _ in steps.map { byStep[$0]?[column] ?? .nan } }
    var map = Heatmap(rowLabels: rows.map(\.1), columns: steps.map(Double.init), values: values)
    map.title = title
    map.xLabel = "step"
    map.colorLabel = kind == "bars" ? "bars" : "bottleneck distance"
    map.width = 530
    map.rowHeight = rows.count > 24 ? 10 : 14
    return map.svg
  }
}
