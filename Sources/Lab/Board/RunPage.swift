import Foundation

/// `/run/<path>`: a run's curves, drawn by `board.js` from `/api/run/<path>` and redrawn as new
/// rows arrive, with its status and progress, links to its files and its static report.
struct RunPage {
  let glance: RunGlance
  let folder: URL
  let root: RunsRoot

  var html: String {
    let path = glance.path
    let hasReport = FileManager.default.fileExists(
      atPath: folder.appendingPathComponent("report.html").path)
    let files = ["config.json", "metrics.csv", "probes.csv", "log.txt", "summary.json"].filter {
      FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
    }
    let links = files.map { BoardPage.fileLink(path + "/" + $0, $0) }.joined(separator: " · ")
    let report =
      hasReport
      ? BoardPage.fileLink(path + "/report.html", "report.html")
        + " (the static report: gradient heatmaps, persistence diagrams)"
      : "report.html is written when the run ends (or by <code>betti report</code>)"
    let progress = glance.totalSteps.map { "step \(glance.step) of \($0)" } ?? "step \(glance.step)"
    return BoardPage.document(
      title: "\(glance.name) — Betti board",
      body: """
        <h1>\(SVG.escape(glance.name)) <span id="status">\(BoardPage.badge(glance.status))</span></h1>
        <p class="muted">\(SVG.escape(root.url.lastPathComponent + "/" + path)) · <span id="progress">\(SVG.escape(progress))</span> \
        · <span id="updated"></span></p>
        <p id="report">\(report)</p>
        <p class="muted">\(links)</p>
        <p id="error" class="note">\(SVG.escape(glance.error ?? ""))</p>
        <nav><ul id="contents"></ul></nav>
        <div id="charts" data-feed="/api/run/\(SVG.escape(encodedURLPath(path)))" \
        data-report="/files/\(SVG.escape(encodedURLPath(path + "/report.html")))">
        <p class="note">Loading the run's rows…</p>
        </div>
        """)
  }
}
