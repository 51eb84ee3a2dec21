import Foundation

extension SweepReport {
  /// One row of the correlation table: a quantity measured per trial and its rank correlation
  /// with the final validation loss.
  struct CorrelationRow {
    /// `probe <series>` or `field <dotted.path>`.
    var kind: String
    var name: String
    var correlation: RankCorrelation
  }

  /// Spearman's ρ between the final validation loss of the completed trials and each probe
  /// summary (the final value of each series of the run's `probe_summary`) and each numeric
  /// swept field; strongest first, undefined ones last.
  var correlationRows: [CorrelationRow] {
    let trials = finishedLosses
    let losses = trials.map(\.loss)
    var rows: [CorrelationRow] = []
    for series in results.probeSeries {
      let values = trials.map { $0.row.probeFinals[series] ?? .nan }
      rows.append(
        CorrelationRow(kind: "probe", name: series, correlation: RankCorrelation(values, losses)))
    }
    for (k, field) in sweep.spec.sweptFields.enumerated() {
      let values = trials.map { $0.row.trial.values[k].value.numberValue }
      guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { continue }
      rows.append(
        CorrelationRow(
          kind: "field", name: field, correlation: RankCorrelation(values.map { $0! }, losses)))
    }
    return rows.enumerated().sorted { a, b in
      let (ra, rb) = (a.element.correlation.rho, b.element.correlation.rho)
      switch (ra, rb) {
      case (let x?, let y?): return abs(x) != abs(y) ? abs(x) > abs(y) : a.offset < b.offset
      case (.some, nil): return true
      case (nil, .some): return false
      case (nil, nil): return a.offset < b.offset
      }
    }.map(\.element)
  }

  var correlationsSection: ReportSection {
    let (id, title) = ("correlations", "Spearman correlations with the final validation loss")
    let n = finishedLosses.count
    guard n >= 2 else {
      return .missing(
        id, title,
        note: "Needs at least two completed trials with a final validation loss (\(n) so far).")
    }
    let rows = correlationRows
    guard !rows.isEmpty else {
      return .missing(
        id, title,
        note:
          "Nothing to correlate: the trials logged no probe summaries and no swept field is numeric."
      )
    }
    let header = ["quantity", "ρ", "", "n", "note"]
    var lines = ["<tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr>"]
    for row in rows {
      let c = row.correlation
      let rho = c.rho.map { String(format: "%+.3f", $0) } ?? "undefined"
      lines.append(
        "<tr><td>\(row.kind) <code>\(SVG.escape(row.name))</code></td>"
          + "<td class=\"num\">\(rho)</td><td>\(Self.rhoBar(c.rho))</td>"
          + "<td class=\"num\">\(c.n)</td><td>\(SVG.escape(Self.note(c, kind: row.kind)))</td></tr>"
      )
    }
    let threshold = 1.96 / Double(max(n - 1, 1)).squareRoot()
    let text =
      "ρ is Pearson's correlation of the ranks (tied values share the mean of their ranks), "
      + "over the \(n) completed trials with a final validation loss; each seed counts as its "
      + "own trial. Probe quantities are the final value of each series of the run's probe "
      + "summary (the <code>probe:</code> columns of results.csv); fields whose values are not "
      + "numbers are compared in the plots above only. ρ &gt; 0: larger values go "
      + "with higher (worse) loss. As a rough guide, with no real relation |ρ| exceeds "
      + "1.96/√(n − 1) = \(String(format: "%.2f", threshold)) for n = \(n) in only about 5% of "
      + "sweeps; many rows are tested at once, so expect some to pass by chance."
    return ReportSection(
      id: id, title: title,
      body: ReportLayout.explain(text) + "<div class=\"table-scroll\"><table class=\"data\">\n"
        + lines.joined(separator: "\n") + "\n</table></div>")
  }

  /// Why ρ is undefined, or which columns have ties.
  static func note(_ c: RankCorrelation, kind: String) -> String {
    switch c.undefined {
    case .tooFewPairs: return "undefined: fewer than two trials have a value"
    case .constantX: return "undefined: the \(kind) value is the same in every trial"
    case .constantY: return "undefined: the loss is the same in every trial"
    case .bothConstant: return "undefined: both are the same in every trial"
    case nil: break
    }
    var notes: [String] = []
    if c.distinctX < c.n { notes.append("ties: \(c.distinctX) distinct \(kind) values") }
    if c.distinctY < c.n { notes.append("ties: \(c.distinctY) distinct losses") }
    if c.n < 4 { notes.append("only \(c.n) trials") }
    return notes.joined(separator: "; ")
  }

  /// A bar from the middle, right (blue) for ρ > 0, left (red) for ρ < 0.
  static func rhoBar(_ rho: Double?) -> String {
    guard let rho else { return "" }
    let width = String(format: "%.1f", abs(rho) * 60)
    let side = rho >= 0 ? "pos" : "neg"
    return "<span class=\"rho\"><span class=\"\(side)\" style=\"width: \(width)px\"></span>"
      + "<span class=\"axis\"></span></span>"
  }
}
