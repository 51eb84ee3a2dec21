import Foundation

/// `/sweep/<path>`: the trial table of a sweep as `betti sweep status` sees it, filling in as
/// trials finish (the table refreshes itself from `/part/sweep/<path>`).
///
/// The sweep is opened from its `sweep.json`, which validates each trial's config; relative
/// task paths are tried against the current folder and the runs folder's parent. When that
/// fails (a dataset moved, say), the page says why and lists the trial folders it finds.
struct SweepPage {
  let folder: URL
  let root: RunsRoot

  var path: String { root.relativePath(of: folder) }

  var html: String {
    BoardPage.document(
      title: "\(folder.lastPathComponent) — Betti sweep",
      body: """
        <h1>\(SVG.escape(folder.lastPathComponent))</h1>
        <p class="muted">\(SVG.escape(root.url.lastPathComponent + "/" + path)) · \(results) · refreshed every few seconds</p>
        <div data-refresh="/part/sweep/\(SVG.escape(encodedURLPath(path)))">
        \(table)
        </div>
        """)
  }

  /// A link to `results.csv` (written when the sweep ends, or by `betti sweep collect`).
  private var results: String {
    FileManager.default.fileExists(atPath: folder.appendingPathComponent("results.csv").path)
      ? BoardPage.fileLink(path + "/results.csv", "results.csv")
      : "results.csv is written when the sweep ends (or by <code>betti sweep collect</code>)"
  }

  /// The counts and the trial table (the part that refreshes).
  var table: String {
    var failure = ""
    for base in [nil, root.url.deletingLastPathComponent()] {
      do {
        let sweep = try Sweep.open(folder: folder, baseDirectory: base)
        return table(try SweepResults.collect(sweep))
      } catch {
        if failure.isEmpty { failure = error.localizedDescription }
      }
    }
    var html = "<p class=\"note\">The sweep's spec could not be read: \(SVG.escape(failure))</p>\n"
    let runs = BoardCatalog.subfolders(of: folder, root: root).filter(BoardCatalog.isRun)
      .map { RunGlance(url: $0, root: root) }
    html += "<table class=\"list\"><tr><th>trial folder</th><th>status</th><th>step</th></tr>\n"
    for run in runs {
      html += "<tr><td>\(BoardPage.runLink(run.path, run.name))</td>"
      html += "<td>\(BoardPage.badge(run.status))</td><td class=\"num\">\(run.step)</td></tr>\n"
    }
    return html + "</table>\n"
  }

  private func table(_ results: SweepResults) -> String {
    let counts = results.counts
    let shown = TrialState.allCases.filter { counts[$0, default: 0] > 0 }
    var html =
      "<p>\(results.rows.count) trials: "
      + shown.map { "\(counts[$0]!) \(BoardPage.badge($0.rawValue))" }.joined(separator: " ")
    if let best = results.best, let loss = best.finalMetrics["val_loss"] {
      html += " · best: \(SVG.escape(best.trial.name)) (val loss \(ReportLayout.number(loss)))"
    }
    html += "</p>\n"
    let fields = results.sweep.spec.sweptFields
    html += "<table class=\"list\"><tr><th>#</th><th>trial</th>"
    html += fields.map { "<th>\(SVG.escape($0))</th>" }.joined()
    html += "<th>seed</th><th>status</th><th>step</th><th>train loss</th><th>val loss</th>"
    html += "<th>best val loss</th><th>val accuracy</th><th>wall time</th><th>error</th></tr>\n"
    for row in results.rows {
      let url = results.sweep.runFolder(row.trial.index).url
      let path = root.relativePath(of: url)
      let isBest = row.trial.index == results.best?.trial.index
      let m = row.finalMetrics
      html += isBest ? "<tr class=\"best\">" : "<tr>"
      html += "<td class=\"num\">\(row.trial.index)</td>"
      html +=
        "<td>"
        + (BoardCatalog.isRun(url)
          ? BoardPage.runLink(path, row.trial.name) : SVG.escape(row.trial.name)) + "</td>"
      html += row.trial.values.map { "<td>\(SVG.escape($0.value.cellText))</td>" }.joined()
      html +=
        "<td class=\"num\">\(row.trial.seed)</td><td>\(BoardPage.badge(row.state.rawValue))</td>"
      // A running trial's summary has the step of its last checkpoint; its metrics are newer.
      let live =
        row.state == .running
        ? RunGlance.lastRow(url.appendingPathComponent("metrics.jsonl"))?.step : nil
      let step = [row.step, live].compactMap { $0 }.max()
      html += "<td class=\"num\">\(step.map(String.init) ?? "—")</td>"
      html += BoardPage.number(m["train_loss"]) + BoardPage.number(m["val_loss"])
      html += BoardPage.number(row.bestValLoss) + BoardPage.number(m["val_accuracy"])
      html +=
        "<td class=\"num\">\(row.wallTimeSeconds.map(RunReport.duration) ?? "—")</td>"
      let error = row.state == .completed ? "" : row.error ?? ""
      html += "<td class=\"error\">\(SVG.escape(String(error.prefix(300))))</td></tr>\n"
    }
    return html + "</table>\n"
  }
}
