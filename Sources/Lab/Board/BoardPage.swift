import Foundation

/// The frame every board page shares, in the report's look (`RunReport.css`), and small
/// pieces of markup the pages have in common.
enum BoardPage {
  /// A whole page. `board.js` draws the live parts (charts, refreshed tables).
  static func document(title: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8"/>
    <title>\(SVG.escape(title))</title>
    <style>\(RunReport.css)\n\(css)</style>
    </head>
    <body>
    <p class="crumbs"><a href="/">Betti board</a></p>
    \(body)
    <script src="/board.js"></script>
    </body>
    </html>

    """
  }

  static let css = """
    a { color: #1f5fa8; }
    p.crumbs { font-size: 13px; margin: 0 0 4px; }
    table.list { border-collapse: collapse; font-size: 14px; margin: 6px 0 12px; }
    table.list th { text-align: left; color: #555; font-weight: 600; border-bottom: 1px solid #ccc;
      padding: 4px 14px 4px 0; white-space: nowrap; }
    table.list td { padding: 3px 14px 3px 0; border-bottom: 1px solid #eee; vertical-align: top; }
    table.list td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    table.list tr.best td { background: #eef7ee; }
    td.error { color: #8a1f1f; font-size: 12px; max-width: 420px; }
    .stale { color: #8a5a00; }
    """

  /// A status as the report's colored badge (`running`, `completed`, `diverged`, …).
  static func badge(_ status: String) -> String {
    "<span class=\"status status-\(SVG.escape(status))\">\(SVG.escape(status))</span>"
  }

  static func runLink(_ path: String, _ text: String) -> String {
    "<a href=\"/run/\(SVG.escape(encodedURLPath(path)))\">\(SVG.escape(text))</a>"
  }

  static func sweepLink(_ path: String, _ text: String) -> String {
    "<a href=\"/sweep/\(SVG.escape(encodedURLPath(path)))\">\(SVG.escape(text))</a>"
  }

  static func fileLink(_ path: String, _ text: String) -> String {
    "<a href=\"/files/\(SVG.escape(encodedURLPath(path)))\">\(SVG.escape(text))</a>"
  }

  /// A number cell: 4 significant digits, or a dash.
  static func number(_ x: Double?) -> String {
    "<td class=\"num\">\(x.map(ReportLayout.number) ?? "—")</td>"
  }

  /// How long ago, in words: `12 s`, `4 min`, `2 h`.
  static func age(_ seconds: Double?) -> String {
    guard let seconds, seconds.isFinite else { return "—" }
    let s = max(0, Int(seconds.rounded()))
    return s < 120 ? "\(s) s" : s < 7200 ? "\(s / 60) min" : "\(s / 3600) h"
  }
}
