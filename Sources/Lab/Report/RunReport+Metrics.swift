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
    let bars = columns.filter { $0.hasPrefix("ph_") && $0.hasSuffix("_bars") }
    guard !reg.isEmpty || !bars.isEmpty else {
      return .missing(
        "regularizers", "Topological regularizers",
        note: "No regularizer terms: every weight in the config's regularizers section is 0.")
    }
    let raw = reg.filter {
      $0 != "reg_loss" && !$0.hasSuffix("_weighted") && !$0.hasSuffix("_grad_norm")
    }
    let weighted = reg.filter { $0 == "reg_loss" || $0.hasSuffix("_weighted") }
    let gradients = reg.filter { $0.hasSuffix("_grad_norm") }
    func pairs(_ names: [String]) -> [(column: String, label: String)] {
      names.map { ($0, String($0.dropFirst(4))) }
    }
    let charts = [
      stepChart(pairs(raw), title: "Raw terms", yLabel: "term value", width: 530, height: 280),
      stepChart(
        pairs(weighted), title: "Weighted terms (λ · term) and their sum",
        yLabel: "loss contribution",
        width: 530, height: 280),
      stepChart(
        pairs(gradients), title: "Gradient norm of each term", yLabel: "‖λ ∂term/∂A‖",
        width: 530, height: 280),
      stepChart(
        bars.map { ($0, String($0.dropFirst(3).dropLast(5))) },
        title: "Bars above the persistence threshold", yLabel: "bars", width: 530, height: 280),
    ].compactMap { $0?.svg }
    return ReportSection(
      id: "regularizers", title: "Topological regularizers",
      body: ReportLayout.explain(
        "The persistent-homology terms added to the loss (see docs/topology.md), from the "
          + "<code>reg_*</code> and <code>ph_*</code> columns of metrics.csv.")
        + ReportLayout.row(charts))
  }
}
