import Foundation

/// JSON text built by hand, for responses that splice in rows already written as JSON lines.
/// Non-finite numbers are written as the strings `"nan"`, `"inf"`, `"-inf"`, as in the
/// metric files.
enum JSONText {
  static func string(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      // `<` keeps a "</script>" inside a string from ending an HTML script block.
      case "<": out += "\\u003c"
      default:
        if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  static func number(_ x: Double?) -> String {
    guard let x else { return "null" }
    guard x.isFinite else { return string(MetricsWriter.format(x)) }
    return MetricsWriter.format(x)
  }

  static func number(_ x: Int?) -> String {
    x.map(String.init) ?? "null"
  }

  /// An object of `(key, JSON text)` pairs, in the order given.
  static func object(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
  }

  static func array(_ items: [String]) -> String {
    "[" + items.joined(separator: ",") + "]"
  }

  /// An object of numbers, keys sorted.
  static func numbers(_ values: [String: Double]) -> String {
    object(values.keys.sorted().map { ($0, number(values[$0])) })
  }
}
