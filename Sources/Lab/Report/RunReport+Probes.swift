import Foundation
import Probes

/// Sections drawn from `probes.csv`: gradient flow, attention, sphere geometry, sharpness.
extension RunReport {
  /// At most `limit` of `steps`, evenly spread, first and last included (a heatmap of a long
  /// run would otherwise have more cells than pixels).
  static func thinned(_ steps: [Int], limit: Int = 160) -> [Int] {
    guard steps.count > limit else { return steps }
    return (0..<limit).map { steps[$0 * (steps.count - 1) / (limit - 1)] }
  }

  /// A log-colored heatmap of `metric` over steps, one row per location `key` picks.
  func probeHeatmap(
    _ metric: String, rows keys: [String], key: (ProbeRow) -> String?, labels: [String],
    title: String, colorLabel: String
  ) -> String {
    let steps = Self.thinned(probes.steps(metric))
    let column = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($1, $0) })
    let rowIndex = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
    var values = Array(
      repeating: Array(repeating: Double.nan, count: steps.count), count: keys.count)
    for row in probes.rows(metric) {
      guard let k = key(row), let r = rowIndex[k], let c = column[row.step] else { continue }
      values[r][c] = row.value
    }
    var map = Heatmap(rowLabels: labels, columns: steps.map(Double.init), values: values)
    map.title = title
    map.xLabel = "step"
    map.colorLabel = colorLabel
    map.logScale = true
    map.width = 1080
    map.rowHeight = keys.count > 40 ? 11 : keys.count > 10 ? 14 : 20
    return map.svg
  }

  var gradientSection: ReportSection {
    var parts: [String] = []
    let tensors = probes.tensors("grad_norm")
    let shortNames = tensors.map {
      $0.hasPrefix("transformer.") ? String($0.dropFirst("transformer.".count)) : $0
    }
    if !tensors.isEmpty {
      parts.append(
        ReportLayout.explain(
          "‖g‖₂ of each parameter tensor's gradient before clipping; color is log₁₀ of the norm "
            + "(gray: not measured)."))
      parts.append(
        ReportLayout.row([
          probeHeatmap(
            "grad_norm", rows: tensors, key: \.tensor, labels: shortNames,
            title: "Gradient norm per parameter tensor", colorLabel: "log10 ‖g‖")
        ]))
    }
    let layers = probes.layers("residual_grad_norm")
    if !layers.isEmpty {
      let depth = config.model.depth
      parts.append(
        ReportLayout.explain(
          "‖∂L/∂h_l‖₂ reaching the residual stream at the input of each block; the last row is "
            + "the input of the final norm."))
      parts.append(
        ReportLayout.row([
          probeHeatmap(
            "residual_grad_norm", rows: layers.map(String.init), key: { $0.layer.map(String.init) },
            labels: layers.map { $0 == depth ? "final norm" : "block \($0)" },
            title: "Gradient reaching the residual stream", colorLabel: "log10 ‖∂L/∂h‖")
        ]))
    }
    let updated = probes.tensors("update_ratio")
    if !updated.isEmpty {
      parts.append(
        ReportLayout.explain("‖Δθ‖/‖θ‖ of the optimizer's update of each tensor."))
      parts.append(
        ReportLayout.row([
          probeHeatmap(
            "update_ratio", rows: updated, key: \.tensor,
            labels: updated.map {
              $0.hasPrefix("transformer.") ? String($0.dropFirst("transformer.".count)) : $0
            },
            title: "Update ratio per parameter tensor", colorLabel: "log10 ‖Δθ‖/‖θ‖")
        ]))
    }
    if var chart = stepChart(
      [("grad_norm", "‖g‖ before clipping")], title: "Global gradient norm",
      yLabel: "‖g‖₂", height: 260)
    {
      if config.optimizer.gradClip > 0 {
        let steps = metricSeries("grad_norm").map(\.0)
        chart.add(
          .line(
            points: [
              (steps.first ?? 0, config.optimizer.gradClip),
              (steps.last ?? 1, config.optimizer.gradClip),
            ],
            color: "#d62728", width: 1, dash: "5 4"),
          legend: "clip threshold")
      }
      parts.append(ReportLayout.row([chart.svg]))
    }
    guard !parts.isEmpty else {
      return .missing(
        "gradients", "Gradient flow",
        note: "No gradient measurements: the gradient probes were off (probes.gradients).")
    }
    return ReportSection(
      id: "gradients", title: "Gradient flow", body: parts.joined(separator: "\n"))
  }

  /// One small chart per layer, a line per head.
  private func perHeadCharts(_ metric: String, yLabel: String) -> [String] {
    let heads = probes.heads(metric)
    let layers = probes.layers(metric)
    let perRow = min(max(layers.count, 1), 4)
    let width = (1080 - Double(perRow - 1) * 10) / Double(perRow)
    return layers.map { layer in
      var chart = Chart(title: "layer \(layer)", xLabel: "step", yLabel: yLabel)
      chart.width = width
      chart.height = 230
      chart.legendPlacement = .right
      for (k, head) in heads.enumerated() {
        let points = probes.series(metric, layer: layer, head: head)
        guard !points.isEmpty else { continue }
        chart.add(
          .line(points: points, color: ReportLayout.color(k), width: 1.5, dash: nil),
          legend: "head \(head)")
      }
      return chart.svg
    }
  }

  var attentionSection: ReportSection {
    let metrics: [(String, String, String)] = [
      ("attn_entropy_bits", "Attention entropy", "entropy (bits)"),
      ("curv_discrete_mean", "Mean curvature κ, discrete ground metric", "mean κ"),
      ("curv_discrete_min", "Minimum curvature κ = 1 − δ(A), discrete ground metric", "min κ"),
      ("curv_positional_mean", "Mean curvature κ, positional ground metric", "mean κ"),
      ("attn_max_logit", "Largest pre-softmax logit", "logit"),
    ]
    var parts: [String] = []
    for (metric, title, yLabel) in metrics where probes.has(metric) {
      parts.append("<h3>\(SVG.escape(title)) <span class=\"muted\">(\(metric))</span></h3>")
      parts.append(ReportLayout.row(perHeadCharts(metric, yLabel: yLabel)))
    }
    guard !parts.isEmpty else {
      return .missing(
        "attention", "Attention: entropy and curvature",
        note: "No attention measurements: the attention probes were off (probes.attention).")
    }
    return ReportSection(
      id: "attention", title: "Attention: entropy and curvature",
      body: ReportLayout.explain(
        "Per layer and head, on the fixed probe batch. κ → 1: every token attends alike "
          + "(over-smoothing); κ near 0: rows far apart (see docs/probes.md).")
        + parts.joined(separator: "\n"))
  }

  var sphereSection: ReportSection {
    var charts: [String] = []
    func perLayer(_ metric: String, title: String, yLabel: String) {
      let layers = probes.layers(metric)
      guard !layers.isEmpty else { return }
      var chart = Chart(title: title, xLabel: "step", yLabel: yLabel)
      chart.width = 535
      chart.height = 270
      chart.legendPlacement = .right
      for (k, layer) in layers.enumerated() {
        chart.add(
          .line(
            points: probes.series(metric, layer: layer), color: ReportLayout.color(k), width: 1.5,
            dash: nil), legend: "layer \(layer)")
      }
      charts.append(chart.svg)
    }
    perLayer("sphere_mean_cosine", title: "Token clustering over training", yLabel: "mean cosine")
    // The same quantity over depth, at a few steps from first to last.
    let cosineSteps = probes.steps("sphere_mean_cosine")
    if cosineSteps.count > 0 {
      let picked = Array(Set(Self.thinned(cosineSteps, limit: 5))).sorted()
      var chart = Chart(
        title: "Token clustering over depth", xLabel: "layer", yLabel: "mean cosine")
      chart.width = 535
      chart.height = 270
      chart.legendPlacement = .right
      let layers = probes.layers("sphere_mean_cosine")
      if layers.count <= 12 { chart.xTicks = layers.map { (Double($0), String($0)) } }
      for (k, step) in picked.enumerated() {
        let points = probes.rows("sphere_mean_cosine").filter { $0.step == step }
          .compactMap { row in row.layer.map { (Double($0), row.value) } }.sorted { $0.0 < $1.0 }
        chart.add(
          .line(points: points, color: ReportLayout.color(k), width: 1.5, dash: nil),
          legend: "step \(step)")
        chart.add(.scatter(points: points, color: ReportLayout.color(k), radius: 2.5, titles: nil))
      }
      charts.append(chart.svg)
    }
    perLayer(
      "sphere_tangent_fraction", title: "Tangent share of each block's update",
      yLabel: "‖Δ⊥‖ / ‖Δ‖")
    perLayer("sphere_angle", title: "Angle moved on the sphere per block", yLabel: "angle (rad)")
    if probes.has("sphere_action") {
      var chart = Chart(title: "Discrete action Σ‖Δ_l‖²", xLabel: "step", yLabel: "action")
      chart.width = 535
      chart.height = 270
      chart.add(
        .line(
          points: probes.series("sphere_action"), color: ReportLayout.color(0), width: 1.5,
          dash: nil))
      charts.append(chart.svg)
    }
    guard !charts.isEmpty else {
      return .missing(
        "sphere", "Hypersphere geometry",
        note: "No sphere measurements: the sphere probes were off (probes.sphere).")
    }
    return ReportSection(
      id: "sphere", title: "Hypersphere geometry",
      body: ReportLayout.explain(
        "Token states h_l at the input of each block: their mean pairwise cosine (clustering), "
          + "and each block's update Δ = h_{l+1} − h_l relative to the sphere through h_l.")
        + ReportLayout.row(charts))
  }

  var sharpnessSection: ReportSection {
    let points = probes.series("sharpness_top_eigenvalue")
    guard !points.isEmpty else {
      return .missing(
        "sharpness", "Sharpness",
        note: "No sharpness measurements: the sharpness probe was off (probes.sharpness).")
    }
    var chart = Chart(
      title: "Top Hessian eigenvalue against 2/lr", xLabel: "step", yLabel: "eigenvalue")
    chart.width = 1080
    chart.height = 300
    chart.legendPlacement = .right
    chart.add(
      .line(points: points, color: ReportLayout.color(0), width: 1.5, dash: nil), legend: "λ_max")
    chart.add(.scatter(points: points, color: ReportLayout.color(0), radius: 2.5, titles: nil))
    // 2/lr where the rate is positive; far above λ_max it would flatten the curve, so the
    // y range stops at 3× the largest eigenvalue.
    let edge = metricSeries("lr").filter { $0.1 > 0 }.map { ($0.0, 2 / $0.1) }
    let top = points.map(\.1).filter(\.isFinite).max() ?? 1
    if !edge.isEmpty {
      let ceiling = max(top, edge.map(\.1).min() ?? top) * 1.1
      chart.yDomain = (0, min(ceiling, max(top, 1e-12) * 3))
      let clipped = edge.map { ($0.0, $0.1 <= chart.yDomain!.1 ? $0.1 : Double.nan) }
      chart.add(
        .line(points: clipped, color: "#d62728", width: 1.5, dash: "6 4"), legend: "2 / lr")
    }
    return ReportSection(
      id: "sharpness", title: "Sharpness",
      body: ReportLayout.explain(
        "Power iteration on Hessian-vector products of the probe-batch loss. Gradient descent is "
          + "stable while λ_max &lt; 2/lr (the edge of stability); 2/lr is drawn where it is in range."
      )
        + ReportLayout.row([chart.svg]))
  }
}
