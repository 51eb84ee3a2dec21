import Foundation

/// A parsed HTTP/1.x request head.
struct HTTPRequest: Equatable {
  var method: String
  /// The request target as sent (origin form: path and optional query).
  var target: String
  /// `HTTP/1.0` or `HTTP/1.1`.
  var version: String
  /// Header fields in order, names as sent.
  var headers: [(name: String, value: String)]

  /// The target before `?`, still percent-encoded.
  var path: Substring {
    target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
  }

  /// The query's `name=value` pairs, percent-decoded (a pair that does not decode is dropped).
  var query: [String: String] {
    let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2 else { return [:] }
    var result: [String: String] = [:]
    for pair in parts[1].split(separator: "&") {
      let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let name = PercentDecoding.string(kv[0]),
        let value = PercentDecoding.string(kv.count == 2 ? kv[1] : "")
      else { continue }
      result[name] = value
    }
    return result
  }

  /// The first value of the header `name` (case-insensitive).
  func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
    a.method == b.method && a.target == b.target && a.version == b.version
      && a.headers.map(\.name) == b.headers.map(\.name)
      && a.headers.map(\.value) == b.headers.map(\.value)
  }
}

/// Percent-decoding of URL path segments and query parts.
enum PercentDecoding {
  /// The bytes `text` encodes, or nil when a `%` is not followed by two hex digits.
  static func bytes<S: StringProtocol>(_ text: S) -> [UInt8]? {
    var out: [UInt8] = []
    var iterator = Array(text.utf8).makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        out.append(byte)
        continue
      }
      guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else {
        return nil
      }
      out.append(high << 4 | low)
    }
    return out
  }

  /// The UTF-8 text `text` encodes, or nil when it is malformed or holds a NUL.
  static func string<S: StringProtocol>(_ text: S) -> String? {
    guard let bytes = bytes(text), !bytes.contains(0) else { return nil }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hex(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
