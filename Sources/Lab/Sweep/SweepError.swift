import Foundation

/// Why a sweep was refused or could not go on. Every refusal happens before any trial runs.
public enum SweepError: LocalizedError, Equatable {
  /// The spec file could not be read.
  case unreadable(path: String, detail: String)
  /// The spec is not well formed: `path` is the dotted place in the spec (`grid.model.width`,
  /// `random.axes.optimizer.lr`, `seeds`).
  case malformedSpec(source: String, path: String, message: String)
  /// The spec expands to no trials.
  case noTrials(source: String, reason: String)
  /// A trial's config is invalid (an unknown field, a wrong type, a bad value).
  case invalidTrial(index: Int, name: String, issues: [ConfigIssue])
  /// The sweep folder was created by another spec.
  case differentSpec(folder: String, detail: String)
  /// The folder holds no `sweep.json`.
  case notASweep(folder: String)
  /// `--index` names no trial.
  case indexOutOfRange(index: Int, count: Int)

  public var errorDescription: String? {
    switch self {
    case .unreadable(let path, let detail):
      return "cannot read sweep spec \(path): \(detail)"
    case .malformedSpec(let source, let path, let message):
      return path.isEmpty ? "\(source): \(message)" : "\(source): \(path): \(message)"
    case .noTrials(let source, let reason):
      return "\(source): the sweep would run no trials: \(reason)"
    case .invalidTrial(let index, let name, let issues):
      let noun = issues.count == 1 ? "problem" : "problems"
      return "trial \(index) (\(name)) has an invalid config, \(issues.count) \(noun):\n"
        + issues.map { "  \($0.message)" }.joined(separator: "\n")
    case .differentSpec(let folder, let detail):
      return
        "\(folder) holds a sweep made from a different spec (\(detail)); give this sweep another name, or remove the folder"
    case .notASweep(let folder):
      return "\(folder) is not a sweep folder (no sweep.json)"
    case .indexOutOfRange(let index, let count):
      return "trial index \(index) is out of range: the sweep has \(count) trials (0…\(count - 1))"
    }
  }
}
