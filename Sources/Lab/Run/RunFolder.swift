import Foundation

/// Why a run folder could not be prepared or written.
public enum RunFolderError: LocalizedError, Equatable {
  /// A new run was requested but the folder exists.
  case exists(path: String)
  /// A resume was requested but there is no folder.
  case notFound(path: String)
  /// The run name cannot be a folder name.
  case invalidName(name: String)
  /// A metrics file does not have the expected shape.
  case corruptMetrics(path: String, line: Int, detail: String)
  /// A file operation failed.
  case io(path: String, detail: String)
  /// The folder was written by a newer Betti (`summary.json` has a larger `format_version`).
  case newerFormat(path: String, version: Int)

  public var errorDescription: String? {
    switch self {
    case .exists(let path):
      return
        "run folder \(path) already exists; choose another name (--set name=…), resume it, or overwrite it"
    case .notFound(let path):
      return "cannot resume: run folder \(path) does not exist; start a new run instead"
    case .invalidName(let name):
      return
        "run name \"\(name)\" must use only letters, digits, '.', '_' and '-', and not start with '.'"
    case .corruptMetrics(let path, let line, let detail):
      return "\(path), line \(line): \(detail)"
    case .io(let path, let detail):
      return "\(path): \(detail)"
    case .newerFormat(let path, let version):
      return "\(path): " + RunSummaryError.newerFormat(version: version).localizedDescription
    }
  }
}

/// A run's folder `<runs_dir>/<name>/` and the files in it:
///
/// | file | written |
/// |---|---|
/// | `config.json` | the resolved config, once, when the run starts |
/// | `log.txt` | human-readable lines, appended |
/// | `metrics.jsonl`, `metrics.csv` | one row per logged step (`MetricsWriter`) |
/// | `events.out.tfevents.<time>.<host>` | the same scalars for TensorBoard (`TensorBoardWriter`) |
/// | `summary.json` | status and final metrics, rewritten atomically |
/// | `checkpoints/` | safetensors checkpoints |
public struct RunFolder: Sendable {
  /// What to do about an existing folder of the same name.
  public enum Mode: Sendable {
    /// Start a new run; an existing folder is an error.
    case create
    /// Continue the run in the existing folder; a missing folder is an error.
    case resume
    /// Start a new run, removing an existing folder first.
    case overwrite
  }

  /// The folder.
  public let url: URL

  /// A handle on the folder at `url` (nothing is created or checked).
  public init(url: URL) {
    self.url = url
  }

  /// Validates `config` and then prepares `<runs_dir>/<name>/` by `mode`. Nothing on disk
  /// changes unless the config is valid: in particular `overwrite` removes the old folder
  /// only after validation passed. Writes `config.json` for `create` and `overwrite`.
  /// `baseDirectory` resolves a relative `runs_dir` and task paths (default: current folder).
  public static func prepare(for config: Config, mode: Mode, baseDirectory: URL? = nil) throws
    -> RunFolder
  {
    _ = try config.validated(baseDirectory: baseDirectory)
    guard Config.isValidRunName(config.name) else {
      throw RunFolderError.invalidName(name: config.name)
    }
    let base = baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let runs =
      config.runsDir.hasPrefix("/")
      ? URL(fileURLWithPath: config.runsDir) : base.appendingPathComponent(config.runsDir)
    let folder = RunFolder(url: runs.appendingPathComponent(config.name))
    let fileManager = FileManager.default
    let exists = fileManager.fileExists(atPath: folder.url.path)
    do {
      switch mode {
      case .create:
        guard !exists else { throw RunFolderError.exists(path: folder.url.path) }
      case .resume:
        guard exists else { throw RunFolderError.notFound(path: folder.url.path) }
        return folder
      case .overwrite:
        if exists { try fileManager.removeItem(at: folder.url) }
      }
      try fileManager.createDirectory(at: folder.checkpointsURL, withIntermediateDirectories: true)
    } catch let error as RunFolderError {
      throw error
    } catch {
      throw RunFolderError.io(path: folder.url.path, detail: error.localizedDescription)
    }
    try folder.writeConfig(config)
    return folder
  }

  public var configURL: URL { url.appendingPathComponent("config.json") }
  public var logURL: URL { url.appendingPathComponent("log.txt") }
  public var summaryURL: URL { url.appendingPathComponent("summary.json") }
  public var checkpointsURL: URL { url.appendingPathComponent("checkpoints") }

  /// Writes the resolved config as `config.json` (pretty, sorted keys), atomically.
  public func writeConfig(_ config: Config) throws {
    try writeAtomically(config.encodedJSON(), to: configURL)
  }

  /// Reads `config.json` back (strictly, without validating paths).
  public func readConfig() throws -> Config {
    let data: Data
    do {
      data = try Data(contentsOf: configURL)
    } catch {
      throw ConfigError.unreadable(path: configURL.path, detail: error.localizedDescription)
    }
    return try Config.decode(data, source: configURL.path)
  }

  /// Appends `line` and a newline to `log.txt` in one write.
  public func appendLog(_ line: String) throws {
    try AppendFile(url: logURL).append(line.hasSuffix("\n") ? line : line + "\n")
  }

  /// Writes `summary.json`, atomically.
  public func writeSummary(_ summary: RunSummary) throws {
    try writeAtomically(summary.encodedJSON(), to: summaryURL)
  }

  /// Reads `summary.json`; nil if there is none yet. A summary from a newer Betti is
  /// `RunFolderError.newerFormat`.
  public func readSummary() throws -> RunSummary? {
    guard FileManager.default.fileExists(atPath: summaryURL.path) else { return nil }
    do {
      return try RunSummary.decode(Data(contentsOf: summaryURL))
    } catch RunSummaryError.newerFormat(let version) {
      throw RunFolderError.newerFormat(path: url.path, version: version)
    } catch {
      throw RunFolderError.io(path: summaryURL.path, detail: error.localizedDescription)
    }
  }

  /// The summary, or nil when there is none or it cannot be read (a torn or foreign file is
  /// treated as no summary); only a folder from a newer Betti is an error.
  public func readSummaryIfReadable() throws -> RunSummary? {
    do {
      return try readSummary()
    } catch let error as RunFolderError {
      if case .newerFormat = error { throw error }
      return nil
    } catch {
      return nil
    }
  }

  /// The metrics writer for this folder; `resumeStep` truncates both files to the rows with
  /// `step ≤ resumeStep` (see `MetricsWriter`).
  public func metricsWriter(
    columns: [String] = MetricsWriter.standardColumns, resumeStep: Int? = nil
  ) throws -> MetricsWriter {
    try MetricsWriter(directory: url, columns: columns, resumeStep: resumeStep)
  }
}
