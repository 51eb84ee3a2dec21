/// Command-line words split into positional arguments, repeatable `--set` overrides and flags.
struct Arguments {
  var positional: [String] = []
  var options: [String: String] = [:]
  var overrides: [String] = []
  var flags: Set<String> = []
  /// The values of the options in `repeated`, in order.
  var lists: [String: [String]] = [:]

  /// Parses `words`; `valued` lists the options that take a value (`--name NAME` or
  /// `--name=NAME`), `switches` the flags without one. Anything else starting with `--` is an
  /// error. Options in `repeated` may be given several times (`--sbatch-arg A --sbatch-arg B`).
  init(
    _ words: [String], valued: Set<String>, switches: Set<String>, repeated: Set<String> = []
  ) throws {
    var i = 0
    while i < words.count {
      let word = words[i]
      i += 1
      guard word.hasPrefix("--") && word.count > 2 else {
        positional.append(word)
        continue
      }
      var name = String(word.dropFirst(2))
      var value: String?
      if let eq = name.firstIndex(of: "=") {
        value = String(name[name.index(after: eq)...])
        name = String(name[..<eq])
      }
      if name == "set" || valued.contains(name) || repeated.contains(name) {
        if value == nil {
          guard i < words.count else { throw UsageError("--\(name) needs a value") }
          value = words[i]
          i += 1
        }
        if name == "set" {
          overrides.append(value!)
        } else if repeated.contains(name) {
          lists[name, default: []].append(value!)
        } else {
          options[name] = value!
        }
      } else if switches.contains(name) && value == nil {
        flags.insert(name)
      } else {
        let known = (valued.union(switches).union(repeated).union(["set"])).sorted().map {
          "--" + $0
        }
        throw UsageError(
          "unknown option --\(name); this command takes \(known.joined(separator: ", "))")
      }
    }
  }

  func integer(_ name: String, default fallback: Int) throws -> Int {
    guard let text = options[name] else { return fallback }
    guard let value = Int(text) else { throw UsageError("--\(name) = \(text) is not an integer") }
    return value
  }

  func number(_ name: String, default fallback: Double) throws -> Double {
    guard let text = options[name] else { return fallback }
    guard let value = Double(text) else { throw UsageError("--\(name) = \(text) is not a number") }
    return value
  }
}

/// A mistake in how the command was called: printed with the usage, exit status 2.
struct UsageError: Error {
  let message: String
  init(_ message: String) { self.message = message }
}
