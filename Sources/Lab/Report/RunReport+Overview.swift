import Foundation

extension RunReport {
  /// Status, progress and the configuration that matters for reading the curves.
  var overviewSection: ReportSection {
    var facts: [(String, String)] = []
    if let summary {
      facts.append(("Status", summary.status.rawValue))
      facts.append(("Progress", "step \(summary.step) of \(config.training.steps)"))
      facts.append(("Wall time", Self.duration(summary.wallTimeSeconds)))
      if let error = summary.error { facts.append(("Error", error)) }
    } else {
      facts.append(("Status", "no summary.json (the run has not written one yet)"))
    }
    let m = config.model
    facts.append(
      (
        "Model",
        "\(m.depth) layers × width \(m.width), \(m.heads) heads of dim \(m.resolvedHeadDim), "
          + "context \(m.context), vocabulary \(m.vocabSize), MLP ×\(m.mlpRatio) "
          + "\(m.activation.rawValue), \(m.norm.rawValue)-norm\(m.qkNorm ? " + qk-norm" : ""), "
          + "\(m.positional.rawValue) positions, \(m.attention.rawValue) attention, "
          + "dropout \(ReportLayout.number(m.dropout))\(m.tiedHead ? ", tied head" : "")"
      ))
    let o = config.optimizer
    var optimizer = "\(o.kind.rawValue), lr \(ReportLayout.number(o.lr))"
    switch o.kind {
    case .sgd:
      optimizer += ", momentum \(ReportLayout.number(o.momentum))\(o.nesterov ? " (Nesterov)" : "")"
    case .adam, .adamw:
      optimizer +=
        ", β = (\(ReportLayout.number(o.beta1)), \(ReportLayout.number(o.beta2))), "
        + "ε = \(ReportLayout.number(o.eps))"
    }
    optimizer +=
      ", weight decay \(ReportLayout.number(o.weightDecay)), "
      + (o.gradClip > 0 ? "gradient clip \(ReportLayout.number(o.gradClip))" : "no clipping")
    facts.append(("Optimizer", optimizer))
    let s = config.schedule
    var schedule = s.kind.rawValue
    if s.warmupSteps > 0 { schedule += ", warmup \(s.warmupSteps) steps" }
    switch s.kind {
    case .cosine, .linear, .wsd: schedule += ", min lr \(ReportLayout.number(s.minLr))"
    case .step, .exponential:
      schedule += ", γ = \(ReportLayout.number(s.gamma)) every \(s.stepSize) steps"
    case .oneCycle:
      schedule += ", peak at \(ReportLayout.number(s.pctStart)) of training"
    case .constant, .inverseSqrt: break
    }
    facts.append(("Schedule", schedule))
    facts.append(("Task", taskDescription))
    let t = config.training
    facts.append(
      (
        "Training",
        "\(t.steps) steps, batch \(t.batchSize)\(t.fullBatch ? " (full batch)" : ""), "
          + "evaluation every \(t.evalEvery) steps on \(t.evalBatches) batches, "
          + "logged every \(t.logEvery), seed \(config.seed)"
      ))
    if let final = summary?.finalMetrics, !final.isEmpty {
      let shown = ["train_loss", "val_loss", "val_accuracy", "train_eval_loss", "tokens_per_s"]
        .compactMap { key in final[key].map { "\(key) \(ReportLayout.number($0))" } }
      if !shown.isEmpty { facts.append(("Final", shown.joined(separator: ", "))) }
    }
    let rows = facts.map {
      "<tr><th>\(SVG.escape($0.0))</th><td>\(SVG.escape($0.1))</td></tr>"
    }.joined(separator: "\n")
    return ReportSection(
      id: "overview", title: "Overview", body: "<table class=\"facts\">\n\(rows)\n</table>")
  }

  private var taskDescription: String {
    let t = config.task
    switch t.kind {
    case .char:
      return
        "char (next character of \(t.path), validation fraction \(ReportLayout.number(t.valFraction)))"
    case .modular:
      return
        "modular: a \(t.operation.rawValue) b mod \(t.modulus), training fraction \(ReportLayout.number(t.trainFraction))"
    case .dyck: return "Dyck-\(t.pairs), depth ≤ \(t.maxDepth)"
    case .copy, .reverse:
      return "\(t.kind.rawValue): \(t.length) symbols out of \(t.symbols)"
    case .induction:
      return "induction: \(t.symbols) symbols, segments of \(t.minSegment)–\(t.maxSegment)"
    }
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "—" }
    if seconds < 60 { return String(format: "%.1f s", seconds) }
    let s = Int(seconds.rounded())
    return s < 3600
      ? String(format: "%d min %02d s", s / 60, s % 60)
      : String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
  }
}
