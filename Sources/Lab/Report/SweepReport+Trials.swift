import Foundation

extension SweepReport {
  /// One row per trial: swept values, seed, status, final and best metrics, its error.
  var trialsSection: ReportSection {
    let fields = sweep.spec.sweptFields
    let header =
      ["trial"] + fields + [
        "seed", "status", "train loss", "val loss", "best val loss", "val accuracy", "step",
        "wall time", "error",
      ]
    var lines = ["<tr>" + header.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>"]
    for row in results.rows {
      let metrics = row.finalMetrics
      var cells = ["<td>\(trialLink(row.trial, short: true))</td>"]
      cells += row.trial.values.map { "<td>\(SVG.escape($0.value.nameText))</td>" }
      cells.append("<td class=\"num\">\(row.trial.seed)</td>")
      cells.append(
        "<td><span class=\"status status-\(row.state.rawValue)\">\(row.state.rawValue)</span></td>")
      cells += [
        metrics["train_loss"], metrics["val_loss"], row.bestValLoss, metrics["val_accuracy"],
      ].map { "<td class=\"num\">\(Self.cell($0))</td>" }
      cells.append("<td class=\"num\">\(row.step.map(String.init) ?? "—")</td>")
      cells.append(
        "<td class=\"num\">\(row.wallTimeSeconds.map(RunReport.duration) ?? "—")</td>")
      cells.append(errorCell(row.state == .completed ? nil : row.error))
      lines.append("<tr>" + cells.joined() + "</tr>")
    }
    return ReportSection(
      id: "trials", title: "Trials",
      body: ReportLayout.explain(
        "Final metrics are the last value of each column of the trial's metrics.csv; the best "
          + "validation loss is the lowest measured during training. A trial's number links to "
          + "its own report when it has one (every trial that trained writes one); its folder "
          + "name is the link's tooltip.")
        + "<div class=\"table-scroll\"><table class=\"data\">\n" + lines.joined(separator: "\n")
        + "\n</table></div>")
  }

  /// The first line of an error, cut to 80 characters; the whole text as a tooltip.
  private func errorCell(_ error: String?) -> String {
    guard let error, !error.isEmpty else { return "<td></td>" }
    let first = error.split(separator: "\n").first.map(String.init) ?? error
    let shown = first.count > 80 ? String(first.prefix(79)) + "…" : first
    return "<td class=\"err\" title=\"\(SVG.escape(error))\">\(SVG.escape(shown))</td>"
  }
}
