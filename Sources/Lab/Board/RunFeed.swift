import Foundation

/// The JSON a run page polls: the run's status and the rows of `metrics.jsonl` and
/// `probes.jsonl` from a step on (`metrics_since`, `probes_since`; `since` sets both).
///
/// Rows are sent as the writers wrote them. Each file has its own cursor, and it is inclusive
/// because the last step of a file may still be arriving: the page drops the rows it holds
/// from the cursor on and appends the answer's, then asks again from `next`. An answer holds
/// whole steps and stops after about `byteBudget` bytes of rows with `more: true`, so a long
/// run's first load comes in several answers. `generation` changes when a file was replaced
/// (a resumed run truncates its files): the page then starts again from 0.
struct RunFeed {
  static let defaultByteBudget = 2 << 20

  let glance: RunGlance
  let folder: URL
  let since: (metrics: Int, probes: Int)
  let byteBudget: Int

  init(
    folder: URL, root: RunsRoot, since: (metrics: Int, probes: Int),
    byteBudget: Int = RunFeed.defaultByteBudget
  ) {
    self.folder = folder
    glance = RunGlance(url: folder, root: root)
    self.since = (max(0, since.metrics), max(0, since.probes))
    self.byteBudget = byteBudget
  }

  func json(cache: JSONLinesCache) -> String {
    let metrics = cache.lines(folder.appendingPathComponent("metrics.jsonl"), since: since.metrics)
    let probes = cache.lines(folder.appendingPathComponent("probes.jsonl"), since: since.probes)
    let window = Self.window(
      (metrics.lines, since.metrics), (probes.lines, since.probes), budget: byteBudget)
    let report = FileManager.default.fileExists(
      atPath: folder.appendingPathComponent("report.html").path)
    return JSONText.object([
      ("run", glance.json), ("report", report ? "true" : "false"),
      ("generation", JSONText.string(metrics.identity + "/" + probes.identity)),
      ("more", window.more ? "true" : "false"),
      (
        "next",
        JSONText.object([
          ("metrics", String(window.a.next)), ("probes", String(window.b.next)),
        ])
      ),
      ("metrics", JSONText.array(window.a.rows.map(\.text))),
      ("probes", JSONText.array(window.b.rows.map(\.text))),
    ])
  }

  /// The rows to send of two step-ordered files (each already cut at its cursor), whole steps
  /// in step order, stopping once `budget` bytes are exceeded (at least one step is always
  /// sent); and each file's next cursor: the first step not sent, or when all was sent the
  /// file's last step (asked again, as it may be incomplete).
  static func window(
    _ a: (rows: [StepLine], since: Int), _ b: (rows: [StepLine], since: Int), budget: Int
  ) -> (a: (rows: [StepLine], next: Int), b: (rows: [StepLine], next: Int), more: Bool) {
    var (i, j, bytes) = (0, 0, 0)
    while i < a.rows.count || j < b.rows.count {
      let step = min(
        i < a.rows.count ? a.rows[i].step : .max, j < b.rows.count ? b.rows[j].step : .max)
      if bytes > budget {
        return (
          (Array(a.rows[..<i]), i < a.rows.count ? step : a.rows.last?.step ?? a.since),
          (Array(b.rows[..<j]), j < b.rows.count ? step : b.rows.last?.step ?? b.since), true
        )
      }
      while i < a.rows.count && a.rows[i].step == step {
        bytes += a.rows[i].text.utf8.count + 1
        i += 1
      }
      while j < b.rows.count && b.rows[j].step == step {
        bytes += b.rows[j].text.utf8.count + 1
        j += 1
      }
    }
    return (
      (a.rows, a.rows.last?.step ?? a.since), (b.rows, b.rows.last?.step ?? b.since), false
    )
  }
}
