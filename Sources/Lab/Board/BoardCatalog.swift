import Foundation

/// One run folder at a glance: what the index lists and the run page starts from.
struct RunGlance {
  /// The folder relative to the runs root.
  var path: String
  var name: String
  /// `running` (no summary yet, or one saying so), `completed`, `diverged`, `interrupted`,
  /// `failed`, or `unreadable` when `summary.json` cannot be read.
  var status: String
  /// The last step written to `metrics.jsonl` or `summary.json`, whichever is later.
  var step: Int
  var totalSteps: Int?
  /// The newest modification time of the files training appends to.
  var lastWrite: Date?
  /// The last metrics row's values (the summary's final metrics when it has them).
  var latest: [String: Double]
  var error: String?

  /// Reads the run folder at `url` (a folder with a `config.json`).
  init(url: URL, root: RunsRoot) {
    let folder = RunFolder(url: url)
    path = root.relativePath(of: url)
    let config = try? folder.readConfig()
    name = config.map { $0.name.isEmpty ? url.lastPathComponent : $0.name } ?? url.lastPathComponent
    totalSteps = config?.training.steps
    var summary: RunSummary?
    do {
      summary = try folder.readSummary()
      status = summary?.status.rawValue ?? "running"
    } catch {
      status = "unreadable"
    }
    let last = Self.lastRow(url.appendingPathComponent("metrics.jsonl"))
    step = max(summary?.step ?? 0, last?.step ?? 0)
    latest = summary?.finalMetrics.isEmpty == false ? summary!.finalMetrics : last?.values ?? [:]
    error = summary?.error
    lastWrite = ["metrics.jsonl", "probes.jsonl", "summary.json", "log.txt"].compactMap {
      try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent($0).path)[
        .modificationDate] as? Date
    }.max()
  }

  /// The last complete row of a metrics file, read from its end.
  static func lastRow(_ url: URL) -> MetricsRow? {
    guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
    defer { try? handle.close() }
    guard let size = try? handle.seekToEnd(), size > 0 else { return nil }
    let start = size > 65536 ? size - 65536 : 0
    guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else {
      return nil
    }
    let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    // Without a final newline the last line is torn: use the one before it.
    let complete = data.last == UInt8(ascii: "\n") ? lines : lines.dropLast()
    return complete.last.flatMap {
      MetricsWriter.parseJSONLRow(String(decoding: $0, as: UTF8.self))
    }
  }

  var json: String {
    JSONText.object([
      ("path", JSONText.string(path)), ("name", JSONText.string(name)),
      ("status", JSONText.string(status)), ("step", JSONText.number(step)),
      ("total_steps", JSONText.number(totalSteps)),
      ("seconds_since_write", JSONText.number(lastWrite.map { -$0.timeIntervalSinceNow })),
      ("latest", JSONText.numbers(latest)),
      ("error", error.map(JSONText.string) ?? "null"),
    ])
  }
}

/// One sweep folder at a glance: its trial count and how many are in each state.
struct SweepGlance {
  var path: String
  var name: String
  /// Trials the spec expands to; nil when `sweep.json` cannot be read.
  var trials: Int?
  /// Trials by state (`betti sweep status` semantics: a trial without a summary is pending).
  var counts: [String: Int]

  init(url: URL, root: RunsRoot) {
    path = root.relativePath(of: url)
    name = url.lastPathComponent
    let spec = (try? Data(contentsOf: url.appendingPathComponent("sweep.json"))).flatMap {
      try? SweepSpec.parse($0, source: "sweep.json")
    }
    trials = spec?.trials().count
    var counts: [String: Int] = [:]
    var found = 0
    for child in BoardCatalog.subfolders(of: url, root: root) {
      let run = RunFolder(url: child)
      guard FileManager.default.fileExists(atPath: run.summaryURL.path) else { continue }
      let state = (try? run.readSummary())?.status.rawValue ?? "unreadable"
      counts[state, default: 0] += 1
      found += 1
    }
    if let trials, trials > found { counts["pending"] = trials - found }
    self.counts = counts
  }

  var json: String {
    JSONText.object([
      ("path", JSONText.string(path)), ("name", JSONText.string(name)),
      ("trials", JSONText.number(trials)),
      ("counts", JSONText.object(counts.keys.sorted().map { ($0, String(counts[$0]!)) })),
    ])
  }
}

/// The runs and sweeps under the runs root: a folder with `sweep.json` is a sweep (its trials
/// are listed on its own page), a folder with `config.json` is a run, and other folders are
/// searched a few levels down.
struct BoardCatalog {
  var runs: [RunGlance] = []
  var sweeps: [SweepGlance] = []

  init(root: RunsRoot, depth: Int = 3) {
    var queue = [(root.url, 0)]
    while !queue.isEmpty {
      let (folder, level) = queue.removeFirst()
      for child in Self.subfolders(of: folder, root: root) {
        if FileManager.default.fileExists(atPath: child.appendingPathComponent("sweep.json").path) {
          sweeps.append(SweepGlance(url: child, root: root))
        } else if Self.isRun(child) {
          runs.append(RunGlance(url: child, root: root))
        } else if level + 1 < depth {
          queue.append((child, level + 1))
        }
      }
    }
  }

  static func isRun(_ url: URL) -> Bool {
    RunsRoot.isRegularFile(url.appendingPathComponent("config.json").path)
  }

  static func isSweep(_ url: URL) -> Bool {
    RunsRoot.isRegularFile(url.appendingPathComponent("sweep.json").path)
  }

  /// The visible subfolders of `url` that resolve inside the root, sorted by name.
  static func subfolders(of url: URL, root: RunsRoot) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    return names.sorted().filter { !$0.hasPrefix(".") }.compactMap { name in
      guard let resolved = RunsRoot.realPath(url.appendingPathComponent(name).path),
        root.contains(resolved), RunsRoot.isDirectory(resolved)
      else { return nil }
      return URL(fileURLWithPath: resolved)
    }
  }

  var json: String {
    JSONText.object([
      ("runs", JSONText.array(runs.map(\.json))),
      ("sweeps", JSONText.array(sweeps.map(\.json))),
    ])
  }
}
