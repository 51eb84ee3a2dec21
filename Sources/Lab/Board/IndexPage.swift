import Foundation

/// `/`: the runs and sweeps under the runs folder with their status; the tables refresh
/// themselves from `/part/index` every few seconds.
struct IndexPage {
  let catalog: BoardCatalog
  let root: RunsRoot

  var html: String {
    BoardPage.document(
      title: "Betti board",
      body: """
        <h1>Betti board</h1>
        <p class="muted">\(SVG.escape(root.url.path)) · refreshed every few seconds</p>
        <div data-refresh="/part/index">
        \(tables)
        </div>
        """)
  }

  /// The two tables (the part that refreshes).
  var tables: String {
    var html = "<h2>Runs</h2>\n"
    if catalog.runs.isEmpty {
      html +=
        "<p class=\"note\">No runs here yet: <code>betti train CONFIG</code> writes one (its folder appears here as soon as it starts).</p>\n"
    } else {
      html += """
        <table class="list"><tr><th>run</th><th>status</th><th>step</th><th>train loss</th>\
        <th>val loss</th><th>val accuracy</th><th>last write</th></tr>

        """
      for run in catalog.runs {
        let progress = run.totalSteps.map { "\(run.step) / \($0)" } ?? String(run.step)
        html += "<tr><td>\(BoardPage.runLink(run.path, run.path))</td>"
        html += "<td>\(BoardPage.badge(run.status))</td><td class=\"num\">\(progress)</td>"
        html += BoardPage.number(run.latest["train_loss"])
        html += BoardPage.number(run.latest["val_loss"])
        html += BoardPage.number(run.latest["val_accuracy"])
        html +=
          "<td class=\"num\">\(BoardPage.age(run.lastWrite.map { -$0.timeIntervalSinceNow })) ago</td></tr>\n"
      }
      html += "</table>\n"
    }
    html += "<h2>Sweeps</h2>\n"
    if catalog.sweeps.isEmpty {
      html += "<p class=\"note\">No sweeps here (<code>betti sweep SPEC</code> makes one).</p>\n"
      return html
    }
    let states = ["completed", "running", "pending", "interrupted", "diverged", "failed"]
    html +=
      "<table class=\"list\"><tr><th>sweep</th><th>trials</th>"
      + states.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
    for sweep in catalog.sweeps {
      html += "<tr><td>\(BoardPage.sweepLink(sweep.path, sweep.path))</td>"
      html += "<td class=\"num\">\(sweep.trials.map(String.init) ?? "?")</td>"
      html += states.map { "<td class=\"num\">\(sweep.counts[$0] ?? 0)</td>" }.joined()
      html += "</tr>\n"
    }
    return html + "</table>\n"
  }
}
