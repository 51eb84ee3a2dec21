import Foundation
import Probes
import Testing

@testable import Lab

/// The run feed as a page uses it: pages of whole steps under a byte budget, rows appended
/// while it polls (torn lines held back), and files replaced by a resume.
struct RunFeedTests {
  let base = FileManager.default.temporaryDirectory.appendingPathComponent(
    "betti-feed-\(UUID().uuidString)")

  /// A run folder with metrics at every even step up to `steps` and probes at every 10th.
  func makeRun(steps: Int) throws -> (RunsRoot, URL, MetricsWriter, ProbeWriter) {
    let folder = base.appendingPathComponent("run")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try RunFolder(url: folder).writeConfig(tinyConfig(runs: base, name: "run", steps: 1000))
    let metrics = try MetricsWriter(directory: folder)
    let probes = try ProbeWriter(directory: folder)
    try write(steps: Array(stride(from: 0, through: steps, by: 2)), metrics, probes)
    return (try RunsRoot(base), folder, metrics, probes)
  }

  func write(steps: [Int], _ metrics: MetricsWriter, _ probes: ProbeWriter) throws {
    for step in steps {
      try metrics.append(MetricsRow(step: step, values: ["train_loss": 1 / Double(step + 1)]))
      if step % 10 == 0 {
        try probes.append(
          (0..<3).map {
            ProbeRow(
              step: step, family: .attention, layer: 0, head: $0, metric: "attn_entropy_bits",
              value: Double(step) + Double($0) / 10)
          })
      }
    }
  }

  /// What a page holds after polling from `since` until `more` is false, following the
  /// feed's rule (drop the rows from the cursor on, append the answer's).
  struct Page {
    var metrics: [[String: Any]] = []
    var probes: [[String: Any]] = []
    var next = (metrics: 0, probes: 0)
    var generation = ""
    var answers = 0

    mutating func poll(_ root: RunsRoot, _ folder: URL, cache: JSONLinesCache, budget: Int) throws {
      repeat {
        let text = RunFeed(folder: folder, root: root, since: next, byteBudget: budget).json(
          cache: cache)
        let json = try #require(
          try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        generation = try #require(json["generation"] as? String)
        metrics =
          metrics.filter { ($0["step"] as! Int) < next.metrics }
          + (json["metrics"] as! [[String: Any]])
        probes =
          probes.filter { ($0["step"] as! Int) < next.probes }
          + (json["probes"] as! [[String: Any]])
        let cursor = try #require(json["next"] as? [String: Int])
        next = (cursor["metrics"]!, cursor["probes"]!)
        answers += 1
        if json["more"] as? Bool != true { break }
      } while answers < 1000
    }

    var metricSteps: [Int] { metrics.map { $0["step"] as! Int } }
    var probeKeys: [String] { probes.map { "\($0["step"]!)/\($0["head"]!)" } }
  }

  func expectedProbeKeys(through step: Int) -> [String] {
    stride(from: 0, through: step, by: 10).flatMap { s in (0..<3).map { "\(s)/\($0)" } }
  }

  @Test func aLongRunArrivesInPagesOfWholeStepsWithoutGapsOrRepeats() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let (root, folder, _, _) = try makeRun(steps: 400)
    var page = Page()
    try page.poll(root, folder, cache: JSONLinesCache(), budget: 1500)
    #expect(page.answers > 5)
    #expect(page.metricSteps == Array(stride(from: 0, through: 400, by: 2)))
    #expect(page.probeKeys == expectedProbeKeys(through: 400))
    // JSONSerialization may round the last digit of what the writer wrote exactly.
    let last = try #require(page.metrics.last?["train_loss"] as? Double)
    #expect(abs(last - 1 / 401.0) < 1e-17)
  }

  @Test func rowsAppendedWhilePollingArriveOnceAndTornLinesWait() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let (root, folder, metrics, probes) = try makeRun(steps: 20)
    let cache = JSONLinesCache()
    var page = Page()
    try page.poll(root, folder, cache: cache, budget: 1 << 20)
    #expect(page.metricSteps == Array(stride(from: 0, through: 20, by: 2)))

    try write(steps: [22, 24, 26, 28, 30], metrics, probes)
    let torn = try FileHandle(forWritingTo: folder.appendingPathComponent("metrics.jsonl"))
    try torn.seekToEnd()
    try torn.write(contentsOf: Data("{\"step\":32,\"train_l".utf8))
    try page.poll(root, folder, cache: cache, budget: 1 << 20)
    #expect(page.metricSteps == Array(stride(from: 0, through: 30, by: 2)))
    #expect(page.probeKeys == expectedProbeKeys(through: 30))

    try torn.write(contentsOf: Data("oss\":0.5}\n".utf8))
    try torn.close()
    try page.poll(root, folder, cache: cache, budget: 1 << 20)
    #expect(page.metricSteps == Array(stride(from: 0, through: 32, by: 2)))
    #expect(page.metrics.last?["train_loss"] as? Double == 0.5)
  }

  @Test func aResumedRunsReplacedFilesChangeTheGeneration() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let (root, folder, _, _) = try makeRun(steps: 20)
    let cache = JSONLinesCache()
    var page = Page()
    try page.poll(root, folder, cache: cache, budget: 1 << 20)
    let before = page.generation
    // Resuming from the checkpoint at step 10 rewrites both files without the later rows.
    let metrics = try MetricsWriter(directory: folder, resumeStep: 10)
    let probes = try ProbeWriter(directory: folder, resumeStep: 10)
    try write(steps: [12], metrics, probes)
    var fresh = Page()
    try fresh.poll(root, folder, cache: cache, budget: 1 << 20)
    #expect(fresh.generation != before)
    #expect(fresh.metricSteps == [0, 2, 4, 6, 8, 10, 12])
    #expect(fresh.probeKeys == expectedProbeKeys(through: 10))
  }

  @Test func aStepLargerThanTheBudgetStillMakesProgress() throws {
    let a = (0..<3).map { StepLine(step: 5, text: String(repeating: "x", count: 100 + $0)) }
    let b = [StepLine(step: 6, text: "y")]
    let first = RunFeed.window((a + b, 0), ([], 0), budget: 10)
    #expect(first.a.rows.count == 3 && first.more && first.a.next == 6)
    let second = RunFeed.window((b, 6), ([], 3), budget: 10)
    #expect(second.a.rows.count == 1 && !second.more && second.a.next == 6 && second.b.next == 3)
  }
}
