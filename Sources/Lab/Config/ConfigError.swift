import Foundation

/// One problem with a config: the dotted field path and what is wrong with it.
public struct ConfigIssue: Equatable, Sendable, CustomStringConvertible {
  /// The dotted path, e.g. `model.heads`; "" for the document itself.
  public var path: String
  /// The full message, naming the path, the value and the rule.
  public var message: String

  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  public var description: String { message }
}

/// Why a config could not be loaded.
public enum ConfigError: LocalizedError, Equatable {
  /// The config file could not be read.
  case unreadable(path: String, detail: String)
  /// The text is not JSON, or its top level is not an object.
  case malformedJSON(source: String, detail: String)
  /// A `--set` argument is not of the form `a.b=value`.
  case malformedOverride(text: String)
  /// Every problem found in one pass: unknown fields, wrong types, invalid values.
  case invalid(source: String, issues: [ConfigIssue])

  public var errorDescription: String? {
    switch self {
    case .unreadable(let path, let detail):
      return "cannot read config \(path): \(detail)"
    case .malformedJSON(let source, let detail):
      return "\(source) is not a JSON object: \(detail)"
    case .malformedOverride(let text):
      return
        "--set \(text): expected a dotted field path, '=' and a value, e.g. --set model.width=256"
    case .invalid(let source, let issues):
      let noun = issues.count == 1 ? "problem" : "problems"
      return "\(source): \(issues.count) \(noun):\n"
        + issues.map { "  \($0.message)" }.joined(separator: "\n")
    }
  }

  /// The issues of an `.invalid` error, empty for the other cases.
  public var issues: [ConfigIssue] {
    if case .invalid(_, let issues) = self { return issues }
    return []
  }
}

/// Levenshtein distance between two strings (insertions, deletions, substitutions), over
/// Unicode scalars. O(|a|·|b|) time, O(|b|) memory.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.unicodeScalars)
  let b = Array(b.unicodeScalars)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo: within
/// a third of the word's length (at least 2 edits), ties broken by the candidates' order.
func closestMatch(to word: String, among candidates: [String]) -> String? {
  let limit = max(2, word.count / 3)
  var best: (name: String, distance: Int)?
  for candidate in candidates {
    let distance = editDistance(word.lowercased(), candidate)
    if distance <= limit, distance < (best?.distance ?? Int.max) {
      best = (candidate, distance)
    }
  }
  return best?.name
}
