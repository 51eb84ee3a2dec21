import Foundation
import Probes

/// Why a run report could not be made.
public enum RunReportError: LocalizedError, Equatable {
  /// The folder does not exist or holds no `config.json`.
  case notARun(path: String)

  public var errorDescription: String? {
    switch self {
    case .notARun(let path):
      return
        "\(path) is not a run folder: it has no config.json (run folders are made by `betti train`)"
    }
  }
}

/// A run folder read once for its report: config, summary, metrics, probes and, when
/// `betti topology` has been run, the persistence diagrams of `topology/topology.json`.
///
/// `html` is one self-contained XHTML-compatible page (inline SVG and CSS, no scripts, no
/// external resources). A section whose data the run does not have is replaced by a one-line
/// note saying what would produce it.
public struct RunReport {
  public let folder: RunFolder
  public let config: Config
  public let summary: RunSummary?
  /// The rows of `metrics.csv` (empty when it is missing).
  public let metrics: [MetricsRow]
  /// The rows of `probes.csv` (empty when it is missing).
  public let probes: ProbeTable
  /// `topology/topology.json`, when present.
  public let topology: TopologyFile?

  /// Reads the run folder at `url`; throws `RunReportError.notARun` when it is not one.
  public init(folder url: URL) throws {
    folder = RunFolder(url: url)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
      isDirectory.boolValue,
      FileManager.default.fileExists(atPath: folder.configURL.path)
    else { throw RunReportError.notARun(path: url.path) }
    config = try folder.readConfig()
    summary = try folder.readSummary()
    let metricsURL = url.appendingPathComponent("metrics.csv")
    metrics =
      FileManager.default.fileExists(atPath: metricsURL.path)
      ? try MetricsWriter.readCSV(metricsURL) : []
    let probesURL = url.appendingPathComponent("probes.csv")
    probes = ProbeTable(
      FileManager.default.fileExists(atPath: probesURL.path) ? try ProbeWriter.read(probesURL) : [])
    let topologyURL = url.appendingPathComponent("topology/topology.json")
    topology =
      FileManager.default.fileExists(atPath: topologyURL.path)
      ? try TopologyFile(url: topologyURL) : nil
  }

  /// The run's name: the config's, or the folder's when the config has none.
  public var name: String {
    config.name.isEmpty ? folder.url.lastPathComponent : config.name
  }

  /// The sections in page order.
  var sections: [ReportSection] {
    [
      overviewSection, lossSection, accuracySection, learningRateSection, gradientSection,
      attentionSection, sphereSection, regularizerSection, sharpnessSection, topologySection,
    ]
  }

  /// The whole page.
  public var html: String {
    let status = summary?.status.rawValue ?? "no summary"
    return ReportLayout.page(
      title: "\(name) — Betti run report", css: Self.css,
      header: """
        <h1>\(SVG.escape(name)) <span class="status status-\(SVG.escape(status))">\(SVG.escape(status))</span></h1>
        <p class="muted">\(SVG.escape(folder.url.path))</p>
        """, sections: sections)
  }

  static let css = """
    body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
      max-width: 1120px; margin: 24px auto; padding: 0 16px; line-height: 1.4; }
    h1 { font-size: 26px; margin-bottom: 2px; }
    h2 { font-size: 20px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 32px; }
    h3 { font-size: 15px; margin: 16px 0 6px; }
    .muted { color: #777; font-size: 13px; }
    .note { color: #666; font-style: italic; }
    .status { font-size: 14px; padding: 2px 8px; border-radius: 10px; vertical-align: middle;
      background: #eee; }
    .status-completed { background: #d4edda; } .status-running { background: #d6e9f8; }
    .status-diverged, .status-failed { background: #f8d7da; } .status-interrupted { background: #fff3cd; }
    nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 14px; }
    table.facts { border-collapse: collapse; font-size: 14px; }
    table.facts th { text-align: left; padding: 3px 16px 3px 0; color: #555; font-weight: 600;
      vertical-align: top; white-space: nowrap; }
    table.facts td { padding: 3px 0; }
    .charts { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
    .charts svg, section > svg { max-width: 100%; height: auto; display: block; }
    p.explain { font-size: 13px; color: #444; margin: 4px 0 8px; max-width: 900px; }
    code { font-size: 12px; background: #f4f4f4; padding: 0 3px; }
    """
}

/// Writes `report.html` into the run folder at `folder` and returns its URL.
///
/// Throws `RunReportError.notARun` when `folder` is not a run folder, and the reading errors of
/// its files (a corrupt `metrics.csv` names the file and line).
public func writeRunReport(folder: URL) throws -> URL {
  let report = try RunReport(folder: folder)
  let url = folder.appendingPathComponent("report.html")
  try Data(report.html.utf8).write(to: url, options: .atomic)
  return url
}

/// One section of the page: charts and text, or a note saying why there is nothing to show.
struct ReportSection {
  var id: String
  var title: String
  /// XHTML content (shown when `note` is nil).
  var body = ""
  var note: String?

  var html: String {
    "<section id=\"\(id)\">\n<h2>\(SVG.escape(title))</h2>\n"
      + (note.map { "<p class=\"note\">\(SVG.escape($0))</p>" } ?? body) + "\n</section>"
  }

  /// A section with nothing to show but `note`.
  static func missing(_ id: String, _ title: String, note: String) -> ReportSection {
    ReportSection(id: id, title: title, note: note)
  }
}

/// Layout helpers shared by the sections.
enum ReportLayout {
  /// Ten distinguishable colors (matplotlib's tab10).
  static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
  ]

  static func color(_ k: Int) -> String { palette[k % palette.count] }

  /// Charts side by side, wrapping.
  static func row(_ svgs: [String]) -> String {
    "<div class=\"charts\">\n" + svgs.map(inline).joined(separator: "\n") + "\n</div>"
  }

  /// An SVG document as an inline element, without the ASCII white space around it. Trimmed
  /// on the UTF-8 bytes: Foundation's `trimmingCharacters` copies each chart through UTF-16,
  /// a fifth of the time of a report with heat maps.
  static func inline(_ svg: String) -> String {
    let bytes = svg.utf8
    let isSpace = { (b: UInt8) in b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
    guard let first = bytes.firstIndex(where: { !isSpace($0) }),
      let last = bytes.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(svg[first..<bytes.index(after: last)])
  }

  /// A whole XHTML page: `header` (XHTML) above a list of links to the sections, then the
  /// sections; a section with only a note is marked "(no data)" in the list.
  static func page(title: String, css: String, header: String, sections: [ReportSection])
    -> String
  {
    let contents = sections.map {
      "<li><a href=\"#\($0.id)\">\(SVG.escape($0.title))</a>"
        + ($0.note == nil ? "" : " <span class=\"muted\">(no data)</span>") + "</li>"
    }.joined()
    return """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
      <head>
      <meta charset="utf-8"/>
      <title>\(SVG.escape(title))</title>
      <style>\(css)</style>
      </head>
      <body>
      \(header)
      <nav><ul>\(contents)</ul></nav>
      \(sections.map(\.html).joined(separator: "\n"))
      </body>
      </html>

      """
  }

  static func explain(_ text: String) -> String {
    "<p class=\"explain\">\(text)</p>"
  }

  /// A number for tables: integral values without a fraction, others with 4 significant digits.
  static func number(_ x: Double) -> String {
    if x.isFinite && x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    return String(format: "%.4g", x)
  }
}
