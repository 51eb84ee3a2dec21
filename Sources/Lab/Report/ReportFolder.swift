import Foundation

/// Why `betti report` found nothing to report on.
public enum ReportError: LocalizedError, Equatable {
  /// The path is neither a run folder nor a sweep folder.
  case nothingToReport(path: String, exists: Bool)

  public var errorDescription: String? {
    switch self {
    case .nothingToReport(let path, let exists):
      return exists
        ? "\(path) is neither a run folder (no config.json, made by `betti train`) nor a sweep "
          + "folder (no sweep.json, made by `betti sweep`)"
        : "\(path) does not exist; give a run folder or a sweep folder, e.g. Runs/<name>"
    }
  }
}

/// What a report describes.
public enum ReportKind: String, Sendable {
  case run
  case sweep
}

/// Writes the report of the run or sweep in `folder` (a folder with `sweep.json` is a sweep,
/// one with `config.json` a run) as its `report.html`; returns which it was and the page's URL.
/// Nothing is written when `folder` is neither.
public func writeReport(folder: URL) throws -> (kind: ReportKind, url: URL) {
  let fileManager = FileManager.default
  if fileManager.fileExists(atPath: folder.appendingPathComponent("sweep.json").path) {
    return (.sweep, try writeSweepReport(folder: folder))
  }
  if fileManager.fileExists(atPath: folder.appendingPathComponent("config.json").path) {
    return (.run, try writeRunReport(folder: folder))
  }
  throw ReportError.nothingToReport(
    path: folder.path, exists: fileManager.fileExists(atPath: folder.path))
}
