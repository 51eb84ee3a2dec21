import Foundation

/// A parsed JSON document, kept as a tree so that a config can be checked field by field,
/// overridden by dotted path and merged over its defaults before it is decoded.
public enum JSONValue: Equatable, Sendable, Codable {
  case null
  case bool(Bool)
  /// A number written without a fraction or exponent that fits in `Int`, kept exact (a seed
  /// above 2⁵³ would not survive a trip through Double).
  case integer(Int)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .integer(let value): try container.encode(value)
    case .number(let value):
      if let int = Int(exactly: value) {
        try container.encode(int)
      } else {
        try container.encode(value)
      }
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// Parses JSON text; throws the decoder's error for malformed text.
  public static func parse(_ data: Data) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: data)
  }

  /// The JSON kind, as used in error messages: "object", "array", "string", "number",
  /// "boolean" or "null".
  public var kindName: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .integer, .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  /// The value as it would appear in JSON, for error messages (strings quoted).
  public var displayText: String {
    switch self {
    case .null: return "null"
    case .bool(let value): return String(value)
    case .integer(let value): return String(value)
    case .number(let value):
      if let int = Int(exactly: value) { return String(int) }
      return String(value)
    case .string(let value): return "\"\(value)\""
    case .array, .object:
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) }
        ?? kindName
    }
  }

  /// `other` laid over `self`: objects merge key by key (recursively), anything else is
  /// replaced by `other`.
  public func merging(_ other: JSONValue) -> JSONValue {
    guard case .object(var base) = self, case .object(let top) = other else { return other }
    for (key, value) in top {
      base[key] = base[key].map { $0.merging(value) } ?? value
    }
    return .object(base)
  }
}
