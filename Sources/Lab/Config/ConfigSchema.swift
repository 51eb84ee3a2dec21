import Foundation

/// The shape of the config, read once from the default `Config` by reflection, so that the
/// strict checks below can never drift from the Swift types: a field exists in JSON exactly
/// when it is a stored property, with the JSON kind of its Swift type.
indirect enum ConfigField: Sendable {
  case integer
  case number
  case boolean
  case string
  /// A JSON array of integers.
  case integerList
  /// A string from a fixed list.
  case choice([String])
  /// A nested object: its fields by JSON name, in declaration order.
  case section([(key: String, field: ConfigField)])
  /// A field that may also be `null`.
  case optional(ConfigField)

  /// The schema of the whole config.
  static let root: ConfigField = of(Config())

  static func of(_ value: Any) -> ConfigField {
    switch value {
    case let choice as any ConfigChoice: return .choice(type(of: choice).allRawValues)
    case is Bool: return .boolean
    case is Int, is UInt64: return .integer
    case is [Int]: return .integerList
    case is [Int]?: return .optional(.integerList)  // a nil default: `null` or a list
    case is Double: return .number
    case is String: return .string
    default:
      let fields = Mirror(reflecting: value).children.compactMap { child in
        child.label.map { (key: snakeCase($0), field: of(child.value)) }
      }
      return .section(fields)
    }
  }

  /// What the field expects, as written in an error message.
  var expectation: String {
    switch self {
    case .integer: "an integer"
    case .number: "a number"
    case .boolean: "true or false"
    case .string: "a string"
    case .integerList: "a list of integers"
    case .choice(let values): "one of " + values.map { "\"\($0)\"" }.joined(separator: ", ")
    case .section: "an object"
    case .optional(let inner): "\(inner.expectation) or null"
    }
  }

  /// The field at `key` of a section, nil for a leaf or an unknown key.
  func child(_ key: String) -> ConfigField? {
    guard case .section(let fields) = self else { return nil }
    return fields.first { $0.key == key }?.field
  }

  /// Every problem with `value` as this field at `path`: unknown keys (with a suggestion),
  /// wrong JSON kinds and strings outside a choice. Fields absent from `value` are fine: they
  /// take their defaults.
  func issues(in value: JSONValue, at path: String) -> [ConfigIssue] {
    let shown = path.isEmpty ? "the config" : path
    func mismatch() -> [ConfigIssue] {
      [
        ConfigIssue(
          path: path,
          message:
            "\(shown) = \(value.displayText): expected \(expectation), found \(value.kindName)"
        )
      ]
    }
    switch (self, value) {
    case (.integer, .number(let number)):
      return Int(exactly: number) == nil ? mismatch() : []
    case (.integer, .integer), (.number, .number), (.number, .integer), (.boolean, .bool),
      (.string, .string):
      return []
    case (.integerList, .array(let items)):
      for (index, item) in items.enumerated() {
        switch item {
        case .integer: continue
        case .number(let number) where Int(exactly: number) != nil: continue
        default:
          return [
            ConfigIssue(
              path: "\(path)[\(index)]",
              message:
                "\(shown)[\(index)] = \(item.displayText): expected an integer, found \(item.kindName)"
            )
          ]
        }
      }
      return []
    case (.choice(let values), .string(let string)):
      guard !values.contains(string) else { return [] }
      var message = "\(shown) = \(value.displayText) must be \(expectation)"
      if let guess = closestMatch(to: string, among: values) {
        message += " (did you mean \"\(guess)\"?)"
      }
      return [ConfigIssue(path: path, message: message)]
    case (.optional, .null):
      return []
    case (.optional(let inner), _):
      return inner.issues(in: value, at: path)
    case (.section(let fields), .object(let object)):
      var found: [ConfigIssue] = []
      for key in object.keys.sorted() {
        let fieldPath = path.isEmpty ? key : "\(path).\(key)"
        if let field = child(key) {
          found += field.issues(in: object[key]!, at: fieldPath)
        } else {
          found.append(
            ConfigIssue(
              path: fieldPath,
              message: unknownFieldMessage(fieldPath, key: key, known: fields.map(\.key))))
        }
      }
      return found
    default:
      return mismatch()
    }
  }
}

/// "unknown field model.widht (did you mean model.width?)", or the list of known fields.
func unknownFieldMessage(_ fieldPath: String, key: String, known: [String]) -> String {
  let parent = fieldPath.split(separator: ".").dropLast().joined(separator: ".")
  let prefix = parent.isEmpty ? "" : parent + "."
  if let guess = closestMatch(to: key, among: known) {
    return "unknown field \(fieldPath) (did you mean \(prefix)\(guess)?)"
  }
  let section = parent.isEmpty ? "the top level" : parent
  if known.isEmpty { return "unknown field \(fieldPath); \(section) has no fields yet" }
  return "unknown field \(fieldPath); the fields of \(section) are "
    + known.joined(separator: ", ")
}

/// `headDim` → `head_dim`, the same rule as `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase`
/// for the names used here (no acronyms).
func snakeCase(_ name: String) -> String {
  var out = ""
  for character in name {
    if character.isUppercase {
      out += "_" + character.lowercased()
    } else {
      out.append(character)
    }
  }
  return out
}
