import Foundation

extension Config {
  /// Reads, overrides, decodes and validates the config file at `url`.
  ///
  /// - `overrides`: `--set` arguments, `a.b=value`, applied in order to the JSON before it is
  ///   decoded. The value is read as JSON when it parses (`3`, `1e-3`, `true`, `"x"`), else as a
  ///   string; a string or choice field always takes the text as written.
  /// - An empty `name` becomes the file's name without its extension.
  /// - `baseDirectory` resolves relative paths during validation (default: the current folder).
  ///
  /// Throws `ConfigError.invalid` listing every unknown field, wrong type and invalid value
  /// found (validation runs once the structure is sound).
  public static func load(
    from url: URL, overrides: [String] = [], baseDirectory: URL? = nil
  ) throws -> Config {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw ConfigError.unreadable(path: url.path, detail: error.localizedDescription)
    }
    var config = try decode(data, source: url.path, overrides: overrides)
    if config.name.isEmpty {
      config.name = url.deletingPathExtension().lastPathComponent
    }
    return try config.validated(source: url.path, baseDirectory: baseDirectory)
  }

  /// Decodes config JSON strictly, after applying `overrides` (see `load`), without validating
  /// values. Missing fields take their defaults.
  public static func decode(
    _ data: Data, source: String = "<config>", overrides: [String] = []
  ) throws -> Config {
    var tree: JSONValue
    do {
      tree = try JSONValue.parse(data)
    } catch {
      throw ConfigError.malformedJSON(source: source, detail: describe(error))
    }
    guard case .object = tree else {
      throw ConfigError.malformedJSON(
        source: source, detail: "the top level is \(tree.kindName), not an object")
    }
    var issues: [ConfigIssue] = []
    for text in overrides {
      do {
        tree = try applying(override: text, to: tree)
      } catch let error as OverrideProblem {
        issues.append(error.issue)
      }
    }
    issues += ConfigField.root.issues(in: tree, at: "")
    guard issues.isEmpty else { throw ConfigError.invalid(source: source, issues: issues) }

    let merged = defaultTree.merging(tree)
    do {
      let encoder = JSONEncoder()
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      return try decoder.decode(Config.self, from: encoder.encode(merged))
    } catch {
      // The schema check above should make this unreachable; keep the path if it is not.
      throw ConfigError.invalid(
        source: source, issues: [ConfigIssue(path: "", message: describe(error))])
    }
  }

  /// The resolved config as pretty JSON with sorted keys, as stored in a run folder.
  /// `Config.decode` reads it back to an equal value.
  public func encodedJSON() throws -> Data {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }

  /// The default config as a JSON tree (every field present).
  static let defaultTree: JSONValue = {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return try! JSONValue.parse(encoder.encode(Config()))
  }()

  /// A `--set` argument that names no field.
  private struct OverrideProblem: Error {
    var issue: ConfigIssue
  }

  /// `tree` with the `--set` argument `text` applied.
  private static func applying(override text: String, to tree: JSONValue) throws -> JSONValue {
    guard let equals = text.firstIndex(of: "=") else {
      throw OverrideProblem(
        issue: ConfigIssue(
          path: "", message: ConfigError.malformedOverride(text: text).errorDescription!))
    }
    let path = String(text[..<equals])
    let rawValue = String(text[text.index(after: equals)...])
    let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !path.isEmpty, keys.allSatisfy({ !$0.isEmpty }) else {
      throw OverrideProblem(
        issue: ConfigIssue(
          path: path, message: ConfigError.malformedOverride(text: text).errorDescription!))
    }
    var field = ConfigField.root
    for (depth, key) in keys.enumerated() {
      guard let next = field.child(key) else {
        let known: [String]
        if case .section(let fields) = field { known = fields.map(\.key) } else { known = [] }
        let prefix = keys[..<depth].joined(separator: ".")
        let fieldPath = prefix.isEmpty ? key : "\(prefix).\(key)"
        let message =
          known.isEmpty
          ? "--set \(text): \(prefix) is not a section, so it has no field \(key)"
          : "--set \(text): " + unknownFieldMessage(fieldPath, key: key, known: known)
        throw OverrideProblem(issue: ConfigIssue(path: fieldPath, message: message))
      }
      field = next
    }
    var value = (try? JSONValue.parse(Data(rawValue.utf8))) ?? .string(rawValue)
    switch (field, value) {
    case (.string, let parsed), (.choice, let parsed):
      if case .string = parsed {} else { value = .string(rawValue) }
    default: break
    }
    return setting(value, at: keys[...], in: tree)
  }

  private static func setting(_ value: JSONValue, at keys: ArraySlice<String>, in tree: JSONValue)
    -> JSONValue
  {
    // A section given whole merges into what is there, as a config file's section would.
    guard let key = keys.first else { return tree.merging(value) }
    var object: [String: JSONValue] = [:]
    if case .object(let existing) = tree { object = existing }
    object[key] = setting(value, at: keys.dropFirst(), in: object[key] ?? .object([:]))
    return .object(object)
  }

  /// A decoding error as one line with its dotted path.
  private static func describe(_ error: Error) -> String {
    func path(_ codingPath: [CodingKey]) -> String {
      codingPath.map { $0.intValue.map(String.init) ?? snakeCase($0.stringValue) }
        .joined(separator: ".")
    }
    switch error {
    case DecodingError.dataCorrupted(let context):
      let underlying = (context.underlyingError as NSError?)?.localizedDescription
      return [path(context.codingPath), context.debugDescription, underlying]
        .compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ": ")
    case DecodingError.typeMismatch(let type, let context):
      return "\(path(context.codingPath)): expected \(type): \(context.debugDescription)"
    case DecodingError.keyNotFound(let key, let context):
      return "\(path(context.codingPath + [key])): missing"
    case DecodingError.valueNotFound(let type, let context):
      return "\(path(context.codingPath)): expected \(type), found null"
    default:
      return error.localizedDescription
    }
  }
}
