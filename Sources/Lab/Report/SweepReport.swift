import Foundation

/// A sweep folder read once for its report: the collected results of every trial and the
/// metric curves of the completed ones.
///
/// `html` is one self-contained XHTML-compatible page (inline SVG and CSS, no scripts, no
/// external resources): the trial table with links to each trial's own `report.html`, the final
/// validation loss against each swept field, the loss curves of each group of seeds with their
/// spread, and the Spearman correlations of each probe summary and numeric swept field with the
/// final validation loss. `docs/sweeps.md` describes the page.
public struct SweepReport {
  public let results: SweepResults
  /// The rows of each completed trial's `metrics.csv`, by trial index.
  let curves: [Int: [MetricsRow]]
  /// Completed trials whose `metrics.csv` could not be read, with the reason.
  let unreadableCurves: [(trial: String, reason: String)]
  /// The trials whose run folder holds a `report.html`.
  let trialReports: Set<Int>

  /// Reads the sweep in `folder` (its `sweep.json` and run folders).
  public init(folder: URL, baseDirectory: URL? = nil) throws {
    self.init(
      results: try SweepResults.collect(Sweep.open(folder: folder, baseDirectory: baseDirectory)))
  }

  /// Reports on collected `results`, reading the completed trials' metric files. A trial whose
  /// `metrics.csv` is missing or corrupt is named on the page instead of failing the report.
  public init(results: SweepResults) {
    self.results = results
    var curves: [Int: [MetricsRow]] = [:]
    var unreadable: [(String, String)] = []
    var reports = Set<Int>()
    for row in results.rows {
      let folder = results.sweep.runFolder(row.trial.index).url
      if FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path) {
        reports.insert(row.trial.index)
      }
      guard row.state == .completed else { continue }
      let url = folder.appendingPathComponent("metrics.csv")
      do {
        curves[row.trial.index] = try MetricsWriter.readCSV(url)
      } catch {
        unreadable.append((row.trial.name, error.localizedDescription))
      }
    }
    self.curves = curves
    unreadableCurves = unreadable
    trialReports = reports
  }

  var sweep: Sweep { results.sweep }

  /// The sections in page order.
  var sections: [ReportSection] {
    [trialsSection, fieldsSection, curvesSection, correlationsSection]
  }

  /// The whole page.
  public var html: String {
    let name = sweep.spec.name
    return ReportLayout.page(
      title: "\(name) — Betti sweep report", css: RunReport.css + "\n" + Self.css,
      header: """
        <h1>\(SVG.escape(name)) <span class="muted">sweep of \(results.rows.count) trials</span></h1>
        <p class="muted">\(SVG.escape(sweep.folder.path)) · <a href="results.csv">results.csv</a> · <a href="summary.json">summary.json</a></p>
        \(headline)
        """, sections: sections)
  }

  /// Counts by status, what was swept, and the best trial.
  private var headline: String {
    let counts = results.counts
    let states = TrialState.allCases.filter { counts[$0, default: 0] > 0 }.map {
      "<span class=\"status status-\($0.rawValue)\">\(counts[$0]!) \($0.rawValue)</span>"
    }.joined(separator: " ")
    var facts = [("Trials", states)]
    let fields = sweep.spec.sweptFields
    let seeds = sweep.spec.seeds ?? Array(Set(results.rows.map(\.trial.seed))).sorted()
    facts.append(
      (
        "Swept",
        (fields.isEmpty
          ? "nothing but the seed"
          : fields.map { "<code>\(SVG.escape($0))</code>" }
            .joined(separator: ", "))
          + "; seeds " + seeds.map(String.init).joined(separator: ", ")
      ))
    if let best = results.best, let loss = best.finalMetrics["val_loss"] {
      facts.append(
        ("Best", "\(trialLink(best.trial)) — final validation loss \(ReportLayout.number(loss))"))
    }
    let rows = facts.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined(separator: "\n")
    return "<table class=\"facts\">\n\(rows)\n</table>"
  }

  /// The trial's name (`short`: only its number, `t003`, with the name as tooltip), linked to
  /// its own report when it has one.
  func trialLink(_ trial: Trial, short: Bool = false) -> String {
    let name = SVG.escape(trial.name)
    let text = short ? String(name.prefix { $0 != "-" }) : name
    let tooltip = short ? " title=\"\(name)\"" : ""
    guard trialReports.contains(trial.index) else {
      return short ? "<span\(tooltip)>\(text)</span>" : text
    }
    return "<a href=\"\(name)/report.html\"\(tooltip)>\(text)</a>"
  }

  /// Each swept field's shortest unambiguous name: the last part of its dotted path, or the
  /// whole path when two fields share the last part.
  var shortFieldNames: [String: String] {
    let fields = sweep.spec.sweptFields
    let last = fields.map { String($0.split(separator: ".").last ?? Substring($0)) }
    return Dictionary(
      uniqueKeysWithValues: zip(fields, last).map { field, short in
        (field, last.filter { $0 == short }.count == 1 ? short : field)
      })
  }

  /// A table cell for a number: `—` when missing, `not finite` for NaN and infinities (the page
  /// never shows `nan`).
  static func cell(_ value: Double?) -> String {
    guard let value else { return "—" }
    return value.isFinite ? ReportLayout.number(value) : "not finite"
  }

  static let css = """
    table.data { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px; }
    table.data th { text-align: left; border-bottom: 1px solid #aaa; padding: 3px 10px 3px 0;
      font-weight: 600; color: #444; white-space: nowrap; }
    table.data td { padding: 2px 10px 2px 0; border-bottom: 1px solid #eee; vertical-align: top; }
    table.data td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    table.data td.err { color: #a33; min-width: 200px; max-width: 400px; }
    .table-scroll { overflow-x: auto; }
    .rho { display: inline-block; width: 120px; height: 10px; background: #f2f2f2;
      position: relative; vertical-align: middle; }
    .rho span { position: absolute; top: 0; height: 10px; }
    .rho .pos { left: 60px; background: #1f77b4; } .rho .neg { right: 60px; background: #d62728; }
    .rho .axis { left: 59.5px; width: 1px; background: #555; }
    """
}

/// Writes `report.html` into the sweep folder at `folder` and returns its URL.
///
/// Throws `SweepError.notASweep` when `folder` holds no `sweep.json`.
public func writeSweepReport(folder: URL) throws -> URL {
  try SweepReport(folder: folder).written()
}

extension SweepReport {
  /// Writes the page to the sweep folder's `report.html`, atomically; returns its URL.
  @discardableResult
  public func written() throws -> URL {
    let url = sweep.reportURL
    try writeAtomically(Data(html.utf8), to: url)
    return url
  }
}

extension Sweep {
  /// The sweep's report page.
  public var reportURL: URL { folder.appendingPathComponent("report.html") }

  /// Gathers the trials' run folders and writes `results.csv`, `summary.json` and
  /// `report.html`: what a sweep leaves when it ends, whichever backend ran it.
  @discardableResult
  public func writeResultsAndReport() throws -> SweepResults {
    let results = try SweepResults.collect(self).written()
    try SweepReport(results: results).written()
    return results
  }
}
