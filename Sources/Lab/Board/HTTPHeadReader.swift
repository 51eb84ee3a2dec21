import Foundation

/// Collects the bytes of a request head as they arrive and parses it once complete, enforcing
/// `BoardLimits` on the way so that an oversized head is refused as soon as it is too big,
/// never buffered in full. Lines end in CRLF (a bare LF is accepted, as RFC 9112 allows).
struct HTTPHeadReader {
  enum State: Equatable {
    case incomplete
    case complete(HTTPRequest)
    case failed(HTTPStatus, String)
  }

  let limits: BoardLimits
  private var buffer: [UInt8] = []
  private var lineStart = 0
  private var lines: [ArraySlice<UInt8>] = []
  private var headerBytes = 0
  private var leadingBlankLines = 0

  init(limits: BoardLimits) {
    self.limits = limits
  }

  /// Adds `chunk` and says whether the head is complete, broke a rule or needs more bytes.
  mutating func consume(_ chunk: ArraySlice<UInt8>) -> State {
    let scanFrom = buffer.count
    buffer.append(contentsOf: chunk)
    var i = scanFrom
    while i < buffer.count {
      defer { i += 1 }
      guard buffer[i] == UInt8(ascii: "\n") else { continue }
      var line = buffer[lineStart..<i]
      if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
      lineStart = i + 1
      if lines.isEmpty {
        // A server should ignore empty lines before the request line (RFC 9112 §2.2).
        if line.isEmpty {
          leadingBlankLines += 1
          if leadingBlankLines > 8 { return .failed(.badRequest, "empty lines before the request") }
          continue
        }
        if line.count > limits.maxRequestLine { return requestLineTooLong }
        lines.append(line)
        continue
      }
      if line.isEmpty { return Self.parse(lines) }
      headerBytes += line.count + 2
      if lines.count > limits.maxHeaderCount {
        return .failed(
          .headersTooLarge, "more than \(limits.maxHeaderCount) header fields")
      }
      if headerBytes > limits.maxHeaderBytes { return headersTooLarge }
      lines.append(line)
    }
    let partial = buffer.count - lineStart
    if lines.isEmpty && partial > limits.maxRequestLine { return requestLineTooLong }
    if !lines.isEmpty && headerBytes + partial > limits.maxHeaderBytes { return headersTooLarge }
    return .incomplete
  }

  private var requestLineTooLong: State {
    .failed(.uriTooLong, "request line longer than \(limits.maxRequestLine) bytes")
  }

  private var headersTooLarge: State {
    .failed(.headersTooLarge, "header fields longer than \(limits.maxHeaderBytes) bytes in all")
  }

  /// Parses the request line and header lines of a complete head.
  static func parse(_ lines: [ArraySlice<UInt8>]) -> State {
    let parts = lines[0].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
    guard parts.count == 3, let method = token(parts[0]),
      parts[1].allSatisfy({ (0x21...0x7E).contains($0) }), !parts[1].isEmpty
    else { return .failed(.badRequest, "malformed request line") }
    let version = String(decoding: parts[2], as: UTF8.self)
    guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
      if version.hasPrefix("HTTP/") && version.count == 8 {
        return .failed(.versionNotSupported, "only HTTP/1.0 and HTTP/1.1 are spoken here")
      }
      return .failed(.badRequest, "malformed request line")
    }
    var target = String(decoding: parts[1], as: UTF8.self)
    // Absolute form (`GET http://host/path`): keep the path.
    if let scheme = ["http://", "https://"].first(where: { target.lowercased().hasPrefix($0) }) {
      let rest = target.dropFirst(scheme.count)
      target = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }
    guard target.hasPrefix("/") else {
      return .failed(.badRequest, "the request target must be a path starting with /")
    }
    var headers: [(name: String, value: String)] = []
    for line in lines.dropFirst() {
      guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t"),
        let colon = line.firstIndex(of: UInt8(ascii: ":")),
        let name = token(line[line.startIndex..<colon])
      else { return .failed(.badRequest, "malformed header field") }
      let value = line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }
      guard !value.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
        return .failed(.badRequest, "control character in header field \(name)")
      }
      var text = String(decoding: value, as: UTF8.self)
      while text.last == " " || text.last == "\t" { text.removeLast() }
      headers.append((name, text))
    }
    let request = HTTPRequest(method: method, target: target, version: version, headers: headers)
    let hosts = headers.filter { $0.name.lowercased() == "host" }.count
    if hosts > 1 || (version == "HTTP/1.1" && hosts == 0) {
      return .failed(.badRequest, "an HTTP/1.1 request needs exactly one Host header")
    }
    return .complete(request)
  }

  /// `bytes` as a token (RFC 9110 `tchar`s only, not empty), or nil.
  private static func token(_ bytes: ArraySlice<UInt8>) -> String? {
    let special = Set("!#$%&'*+-.^_`|~".utf8)
    guard !bytes.isEmpty,
      bytes.allSatisfy({
        (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
          || special.contains($0)
      })
    else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }
}
