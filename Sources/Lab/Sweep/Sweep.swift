import Foundation

/// Where a trial stands, read from its run folder.
public enum TrialState: String, Sendable, CaseIterable {
  /// No run folder, or no summary yet.
  case pending
  /// The summary says running: training now, or killed without a chance to say otherwise.
  case running
  case interrupted
  case completed
  case diverged
  case failed

  /// Whether a rerun of the sweep leaves the trial alone (a diverged trial would diverge again).
  public var isFinished: Bool { self == .completed || self == .diverged }
}

/// A sweep ready to run: the spec, its trials and their validated configs, and its folder
/// `<runs_dir>/<name>/` holding `sweep.json`, one run folder per trial, `results.csv` and
/// `summary.json`.
public struct Sweep: Sendable {
  public let spec: SweepSpec
  public let trials: [Trial]
  /// Each trial's config, validated.
  public let configs: [Config]
  /// The sweep folder.
  public let folder: URL
  /// Resolves a relative `runs_dir` and task paths (nil: the current folder).
  public let baseDirectory: URL?

  /// Expands the spec into trials and validates every trial's config, before anything is
  /// written. Refuses a spec with no trials and names the first invalid trial with its field
  /// paths (e.g. an unknown field an axis names).
  public static func plan(_ spec: SweepSpec, source: String = "<sweep>", baseDirectory: URL? = nil)
    throws -> Sweep
  {
    let base = try Data(JSONEncoder().encode(spec.base))
    let baseConfig: Config
    do {
      baseConfig = try Config.decode(base, source: "\(source): base", overrides: spec.overrides)
    } catch let error as ConfigError {
      throw SweepError.malformedSpec(
        source: source, path: "base", message: error.localizedDescription)
    }
    let trials = spec.trials(defaultSeed: baseConfig.seed)
    guard !trials.isEmpty else { throw SweepError.noTrials(source: source, reason: "no trials") }
    let runsDir = baseConfig.runsDir.hasSuffix("/") ? baseConfig.runsDir : baseConfig.runsDir + "/"
    var configs: [Config] = []
    for trial in trials {
      let overrides =
        spec.overrides + trial.overrides + [
          "name=\(trial.name)", "runs_dir=\(runsDir)\(spec.name)",
        ]
      do {
        let config = try Config.decode(base, source: trial.name, overrides: overrides)
        configs.append(try config.validated(source: trial.name, baseDirectory: baseDirectory))
      } catch let error as ConfigError {
        throw SweepError.invalidTrial(
          index: trial.index, name: trial.name,
          issues: error.issues.isEmpty
            ? [ConfigIssue(path: "", message: error.localizedDescription)] : error.issues)
      }
    }
    let root = baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let runs =
      runsDir.hasPrefix("/") ? URL(fileURLWithPath: runsDir) : root.appendingPathComponent(runsDir)
    return Sweep(
      spec: spec, trials: trials, configs: configs,
      folder: runs.appendingPathComponent(spec.name).standardizedFileURL,
      baseDirectory: baseDirectory)
  }

  /// Opens the sweep in `folder` from its `sweep.json`.
  public static func open(folder: URL, baseDirectory: URL? = nil) throws -> Sweep {
    let url = folder.appendingPathComponent("sweep.json")
    guard let data = try? Data(contentsOf: url) else {
      throw SweepError.notASweep(folder: folder.path)
    }
    let planned = try plan(
      SweepSpec.parse(data, source: url.path), source: url.path, baseDirectory: baseDirectory)
    // The folder given wins over the one `runs_dir` names relative to the current folder.
    return Sweep(
      spec: planned.spec, trials: planned.trials, configs: planned.configs,
      folder: folder.standardizedFileURL, baseDirectory: baseDirectory)
  }

  public var specURL: URL { folder.appendingPathComponent("sweep.json") }
  public var resultsURL: URL { folder.appendingPathComponent("results.csv") }
  public var summaryURL: URL { folder.appendingPathComponent("summary.json") }

  /// The run folder of trial `index`.
  public func runFolder(_ index: Int) -> RunFolder {
    RunFolder(url: folder.appendingPathComponent(trials[index].name))
  }

  /// Creates the sweep folder and writes `sweep.json`, or checks that an existing one holds
  /// this spec; a folder made by another spec is refused.
  public func prepareFolder() throws {
    if try checkFolder() { return }
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try writeAtomically(Self.encoded(spec.json), to: specURL)
    } catch {
      throw RunFolderError.io(path: specURL.path, detail: error.localizedDescription)
    }
  }

  /// Checks, without writing anything, that the sweep folder is absent (false) or holds this
  /// spec (true); a folder made by another spec is refused.
  @discardableResult
  public func checkFolder() throws -> Bool {
    guard let data = try? Data(contentsOf: specURL) else { return false }
    let existing = try? SweepSpec.parse(data, source: specURL.path)
    guard let existing, try Self.canonical(existing.json) == Self.canonical(spec.json) else {
      throw SweepError.differentSpec(folder: folder.path, detail: differences(from: data))
    }
    return true
  }

  /// Refuses a sweep whose run folders include one written by a newer Betti, which this one
  /// would misread (and a rerun would overwrite).
  public func checkRunFolders() throws {
    for trial in trials { _ = try runFolder(trial.index).readSummaryIfReadable() }
  }

  /// Which top-level parts of the stored spec differ from this one, for the refusal message.
  private func differences(from data: Data) -> String {
    guard case .object(let old)? = try? JSONValue.parse(data),
      case .object(let new) = (try? Self.canonical(spec.json)) ?? .null
    else { return "its sweep.json cannot be read as a spec" }
    let keys = Set(old.keys).union(new.keys).sorted().filter { key in
      (try? old[key].map { try Self.canonical($0) }) ?? nil != new[key]
    }
    return keys.isEmpty ? "sweep.json differs" : "differs in " + keys.joined(separator: ", ")
  }

  /// The state of trial `index` from its run folder.
  public func state(of index: Int) -> TrialState {
    guard let summary = try? runFolder(index).readSummary() else { return .pending }
    return TrialState(rawValue: summary.status.rawValue) ?? .pending
  }

  /// Trains trial `index` in its run folder: a finished trial (completed or diverged) is left
  /// as it is, a folder with a config is resumed from its latest checkpoint, anything else
  /// starts afresh. An error after the folder exists is recorded in its `summary.json` as
  /// `failed` before it is rethrown.
  @discardableResult
  public func runTrial(
    index: Int, shouldStop: () -> Bool = { false },
    observer: (TrainingEvent) -> Void = { _ in }
  ) throws -> RunSummary {
    guard trials.indices.contains(index) else {
      throw SweepError.indexOutOfRange(index: index, count: trials.count)
    }
    try prepareFolder()
    let run = runFolder(index)
    if let summary = try run.readSummaryIfReadable(),
      TrialState(rawValue: summary.status.rawValue)!.isFinished
    {
      return summary
    }
    do {
      let trainer =
        FileManager.default.fileExists(atPath: run.configURL.path)
        ? try Trainer.resume(folder: run.url, baseDirectory: baseDirectory)
        : try Trainer.start(config: configs[index], overwrite: true, baseDirectory: baseDirectory)
      return try trainer.run(shouldStop: shouldStop, observer: observer)
    } catch {
      try? recordFailure(index: index, error: error.localizedDescription)
      throw error
    }
  }

  /// Marks trial `index` failed with `error` in its `summary.json` (creating the folder when
  /// needed), keeping the step and metrics of an existing summary.
  public func recordFailure(index: Int, error: String) throws {
    let run = runFolder(index)
    var summary =
      (try? run.readSummary()) ?? nil
      ?? RunSummary(status: .failed, step: 0, wallTimeSeconds: 0)
    summary.status = .failed
    summary.error = error
    try FileManager.default.createDirectory(at: run.url, withIntermediateDirectories: true)
    try run.writeSummary(summary)
  }

  static func canonical(_ value: JSONValue) throws -> JSONValue {
    try JSONValue.parse(encoded(value))
  }

  static func encoded(_ value: JSONValue) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    data.append(0x0A)
    return data
  }
}
