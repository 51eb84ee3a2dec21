import Foundation

/// The status codes the board answers with.
enum HTTPStatus: Int {
  case ok = 200
  case badRequest = 400
  case notFound = 404
  case methodNotAllowed = 405
  case requestTimeout = 408
  case uriTooLong = 414
  case misdirected = 421
  case headersTooLarge = 431
  case internalError = 500
  case unavailable = 503
  case versionNotSupported = 505

  var reason: String {
    switch self {
    case .ok: "OK"
    case .badRequest: "Bad Request"
    case .notFound: "Not Found"
    case .methodNotAllowed: "Method Not Allowed"
    case .requestTimeout: "Request Timeout"
    case .uriTooLong: "URI Too Long"
    case .misdirected: "Misdirected Request"
    case .headersTooLarge: "Request Header Fields Too Large"
    case .internalError: "Internal Server Error"
    case .unavailable: "Service Unavailable"
    case .versionNotSupported: "HTTP Version Not Supported"
    }
  }
}

/// A response: status, header fields and a body held in memory or streamed from a file.
struct HTTPResponse {
  enum Body {
    case bytes(Data)
    /// A regular file of `size` bytes, read in chunks as it is sent.
    case file(URL, size: Int)
  }

  var status: HTTPStatus
  var headers: [(String, String)]
  var body: Body

  init(status: HTTPStatus = .ok, contentType: String, body: Body, headers: [(String, String)] = [])
  {
    self.status = status
    self.body = body
    self.headers = [("Content-Type", contentType)] + headers
  }

  static func html(_ text: String) -> HTTPResponse {
    HTTPResponse(contentType: "text/html; charset=utf-8", body: .bytes(Data(text.utf8)))
  }

  /// JSON that changes as a run trains: never cached.
  static func json(_ text: String) -> HTTPResponse {
    HTTPResponse(
      contentType: "application/json; charset=utf-8", body: .bytes(Data(text.utf8)),
      headers: [("Cache-Control", "no-store")])
  }

  /// A short plain-text error page.
  static func error(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
    var response = HTTPResponse(
      status: status, contentType: "text/plain; charset=utf-8",
      body: .bytes(Data("\(status.rawValue) \(status.reason): \(message)\n".utf8)))
    if status == .methodNotAllowed { response.headers.append(("Allow", "GET, HEAD")) }
    if status == .unavailable { response.headers.append(("Retry-After", "1")) }
    return response
  }

  var contentLength: Int {
    switch body {
    case .bytes(let data): data.count
    case .file(_, let size): size
    }
  }

  /// The status line and header fields, with the length, `Connection: close` (one request per
  /// connection) and headers that keep browsers from sniffing types or framing the pages.
  var head: Data {
    var lines = ["HTTP/1.1 \(status.rawValue) \(status.reason)"]
    lines += headers.map { "\($0.0): \($0.1)" }
    lines += [
      "Content-Length: \(contentLength)", "Connection: close",
      "X-Content-Type-Options: nosniff", "X-Frame-Options: DENY", "Referrer-Policy: no-referrer",
    ]
    return Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
  }
}
