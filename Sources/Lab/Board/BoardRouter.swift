import Foundation

/// Answers one request from the runs folder. It only reads: nothing a request does changes a
/// file.
///
/// | path | answer |
/// |---|---|
/// | `/` | the index of runs and sweeps |
/// | `/run/<path>` | a run's live page |
/// | `/sweep/<path>` | a sweep's trial table |
/// | `/files/<path>` | a file under the runs folder (`report.html`, `metrics.csv`, …) |
/// | `/api/run/<path>?metrics_since=S&probes_since=P` (`since` sets both) | `RunFeed` JSON |
/// | `/api/index` | the runs and sweeps as JSON |
/// | `/part/index`, `/part/sweep/<path>` | the refreshing part of those pages |
/// | `/board.js` | the page script |
final class BoardRouter: @unchecked Sendable {
  let root: RunsRoot
  /// When the board listens on loopback only, requests must name a local host, so that a web
  /// page elsewhere cannot reach it through a DNS name rebound to 127.0.0.1.
  let localHostsOnly: Bool
  let cache = JSONLinesCache()

  init(root: RunsRoot, localHostsOnly: Bool) {
    self.root = root
    self.localHostsOnly = localHostsOnly
  }

  /// Content-Security-Policy of the board's own pages: only its own script.
  static let pagePolicy =
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
    + "img-src 'self' data:; base-uri 'none'; form-action 'none'"
  /// Of files served from the runs folder: no scripts at all.
  static let filePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"

  func respond(to request: HTTPRequest) -> HTTPResponse {
    guard request.method == "GET" || request.method == "HEAD" else {
      return .error(.methodNotAllowed, "\(request.method): the board only reads (GET, HEAD)")
    }
    if localHostsOnly, let host = request.header("Host"), !Self.isLocal(host: host) {
      return .error(
        .misdirected, "this board answers to localhost and 127.0.0.1 only (start it with --host)")
    }
    let path = request.path
    func rest(after prefix: String) -> Substring? {
      path.hasPrefix(prefix) ? path.dropFirst(prefix.count) : nil
    }
    if path == "/" {
      return page(IndexPage(catalog: BoardCatalog(root: root), root: root).html)
    } else if path == "/board.js" {
      var response = HTTPResponse(
        contentType: "text/javascript; charset=utf-8", body: .bytes(Data(BoardScript.source.utf8)))
      response.headers.append(("Cache-Control", "no-cache"))
      return response
    } else if path == "/api/index" {
      return .json(BoardCatalog(root: root).json)
    } else if path == "/part/index" {
      return page(IndexPage(catalog: BoardCatalog(root: root), root: root).tables)
    } else if let rest = rest(after: "/run/") {
      guard let folder = runFolder(rest) else { return notARun }
      return page(
        RunPage(glance: RunGlance(url: folder, root: root), folder: folder, root: root).html)
    } else if let rest = rest(after: "/api/run/") {
      guard let folder = runFolder(rest) else { return notARun }
      let query = request.query
      let both = query["since"]
      guard let metrics = Self.step(query["metrics_since"] ?? both),
        let probes = Self.step(query["probes_since"] ?? both)
      else {
        return .error(.badRequest, "since, metrics_since and probes_since must be steps (0, 1, …)")
      }
      return .json(
        RunFeed(folder: folder, root: root, since: (metrics, probes)).json(cache: cache))
    } else if let rest = rest(after: "/sweep/") {
      guard let folder = sweepFolder(rest) else { return notASweep }
      return page(SweepPage(folder: folder, root: root).html)
    } else if let rest = rest(after: "/part/sweep/") {
      guard let folder = sweepFolder(rest) else { return notASweep }
      return page(SweepPage(folder: folder, root: root).table)
    } else if let rest = rest(after: "/files/") {
      return file(rest)
    }
    return .error(.notFound, "no such page; the board's pages start at /")
  }

  private func page(_ html: String) -> HTTPResponse {
    var response = HTTPResponse.html(html)
    response.headers += [
      ("Content-Security-Policy", Self.pagePolicy), ("Cache-Control", "no-store"),
    ]
    return response
  }

  private var notARun: HTTPResponse {
    .error(.notFound, "no run folder (one with a config.json) at that path under the runs folder")
  }

  private var notASweep: HTTPResponse {
    .error(.notFound, "no sweep folder (one with a sweep.json) at that path under the runs folder")
  }

  private func runFolder(_ encoded: Substring) -> URL? {
    guard let url = root.resolve(encoded: encoded), BoardCatalog.isRun(url) else { return nil }
    return url
  }

  private func sweepFolder(_ encoded: Substring) -> URL? {
    guard let url = root.resolve(encoded: encoded), BoardCatalog.isSweep(url) else { return nil }
    return url
  }

  /// A regular file under the root, streamed; anything else (a folder, a path that leaves the
  /// root by `..` or a link) is 404 — the answer never says which.
  private func file(_ encoded: Substring) -> HTTPResponse {
    guard let url = root.resolve(encoded: encoded), RunsRoot.isRegularFile(url.path),
      let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int
    else { return .error(.notFound, "no such file under the runs folder") }
    var response = HTTPResponse(
      contentType: Self.contentType(url.pathExtension), body: .file(url, size: size))
    response.headers += [
      ("Content-Security-Policy", Self.filePolicy), ("Cache-Control", "no-cache"),
    ]
    return response
  }

  static func contentType(_ pathExtension: String) -> String {
    switch pathExtension.lowercased() {
    case "html", "htm": "text/html; charset=utf-8"
    case "svg": "image/svg+xml"
    case "png": "image/png"
    case "json": "application/json; charset=utf-8"
    case "csv": "text/csv; charset=utf-8"
    case "txt", "log", "jsonl", "md": "text/plain; charset=utf-8"
    default: "application/octet-stream"
    }
  }

  /// A step from a query value: nil (default 0) is 0; anything but digits is refused.
  private static func step(_ text: String?) -> Int? {
    guard let text else { return 0 }
    guard !text.isEmpty, text.count <= 18, text.allSatisfy(\.isASCII), let value = Int(text),
      value >= 0
    else { return nil }
    return value
  }

  /// Whether a Host header names this machine: `localhost`, `*.localhost`, `127.x.x.x` or
  /// `[::1]`, with or without a port.
  static func isLocal(host: String) -> Bool {
    var name = host.lowercased()
    if name.hasPrefix("[") {
      guard let close = name.firstIndex(of: "]") else { return false }
      return name[name.index(after: name.startIndex)..<close] == "::1"
    }
    if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
    if name == "localhost" || name.hasSuffix(".localhost") { return true }
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127"
      && parts.allSatisfy { part in Int(part).map { (0...255).contains($0) } ?? false }
  }
}
