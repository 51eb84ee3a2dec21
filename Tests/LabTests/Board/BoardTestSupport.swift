import Foundation
import Testing

@testable import Lab

#if canImport(Glibc)
  import Glibc
  private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
  import Darwin
  private let streamSocket = SOCK_STREAM
#endif

/// A runs folder for the board tests, made once, only read afterwards and removed at exit:
///
/// - `trained/`: a finished run of the trainer (tiny copy task, 8 steps, with report.html);
/// - `live/`: a run with a config and three metric rows but no summary (so: running);
/// - `sw/`: a sweep of two trials, the first trained, the second never started;
/// - beside the root, `secret.txt`, and inside it links that lead to it: `leak` (a file link),
///   `leakdir` (a folder link to the root's parent), plus `.hidden` and an allowed link
///   `trained/config-link.json` to a file inside.
final class BoardFixture: @unchecked Sendable {
  static let shared = try! BoardFixture()
  static let secret = "TOP-SECRET-\(UUID().uuidString)"

  let base: URL
  let root: URL

  private init() throws {
    base = FileManager.default.temporaryDirectory.appendingPathComponent(
      "betti-board-\(UUID().uuidString)")
    root = base.appendingPathComponent("Runs")
    let fm = FileManager.default
    try fm.createDirectory(at: root, withIntermediateDirectories: true)
    // Shared by every board test, so it goes when the test process exits.
    atexit { try? FileManager.default.removeItem(at: BoardFixture.shared.base) }
    try Trainer.start(config: tinyConfig(runs: root, name: "trained", steps: 8)).run()

    let live = root.appendingPathComponent("live")
    try fm.createDirectory(at: live, withIntermediateDirectories: true)
    try RunFolder(url: live).writeConfig(tinyConfig(runs: root, name: "live", steps: 100))
    let writer = try MetricsWriter(directory: live)
    for step in [0, 2, 4] {
      try writer.append(MetricsRow(step: step, values: ["train_loss": 2 - Double(step) / 10]))
    }

    let spec = try tinySweepSpec(
      runs: root, name: "sw", steps: 4, "\"grid\": {\"optimizer.lr\": [0.01, 0.02]}")
    let sweep = try Sweep.plan(spec)
    try sweep.prepareFolder()
    try sweep.runTrial(index: 0)

    try Data((Self.secret + "\n").utf8).write(to: base.appendingPathComponent("secret.txt"))
    try fm.createSymbolicLink(
      atPath: root.appendingPathComponent("leak").path,
      withDestinationPath: base.appendingPathComponent("secret.txt").path)
    try fm.createSymbolicLink(
      atPath: root.appendingPathComponent("leakdir").path, withDestinationPath: "..")
    try Data((Self.secret + "\n").utf8).write(to: root.appendingPathComponent(".hidden"))
    try fm.createSymbolicLink(
      atPath: root.appendingPathComponent("trained/config-link.json").path,
      withDestinationPath: "config.json")
  }
}

/// A board over `root` on a free loopback port for the duration of `body`.
func withBoard<T>(
  root: URL = BoardFixture.shared.root, limits: BoardLimits = BoardLimits(),
  _ body: (BoardServer) throws -> T
) throws -> T {
  let server = try BoardServer(root: root, host: "127.0.0.1", port: 0, limits: limits)
  server.start()
  defer { server.stop() }
  return try body(server)
}

/// An HTTP answer as read off the socket.
struct RawResponse {
  var status: Int
  var headers: [String: String]
  var body: Data
  var text: String { String(decoding: body, as: UTF8.self) }
}

/// A client over a plain blocking socket, so that tests can send exactly the bytes they mean
/// (half requests, malformed heads, `..` that a real client would have normalized away).
final class RawClient {
  let fd: Int32

  /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds.
  init(port: Int, timeout: TimeInterval = 10) throws {
    fd = socket(AF_INET, streamSocket, 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var tv = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - timeout.rounded(.down)) * 1e6))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let ok = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
    guard ok else {
      close(fd)
      throw POSIXError(.ECONNREFUSED)
    }
  }

  deinit { close(fd) }

  /// Sends `text`; false when the server has closed the connection.
  @discardableResult
  func send(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes { buffer in
        #if canImport(Glibc)
          Glibc.send(fd, buffer.baseAddress, buffer.count, Socket.sendFlags)
        #else
          Darwin.send(fd, buffer.baseAddress, buffer.count, Socket.sendFlags)
        #endif
      }
      guard sent > 0 else { return false }
      offset += sent
    }
    return true
  }

  /// Everything the server sends until it closes (or the read timeout passes).
  func readAll() -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      guard count > 0 else { break }
      data.append(contentsOf: buffer[0..<count])
    }
    return data
  }

  /// The response read until the server closes; status 0 when nothing parseable came.
  func response() -> RawResponse {
    RawClient.parse(readAll())
  }

  static func parse(_ data: Data) -> RawResponse {
    guard let end = data.range(of: Data("\r\n\r\n".utf8)) else {
      return RawResponse(status: 0, headers: [:], body: data)
    }
    let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(
      separatedBy: "\r\n")
    let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    return RawResponse(status: status, headers: headers, body: Data(data[end.upperBound...]))
  }
}

/// Sends a request for `target` with `method` (and a loopback Host) and reads the answer.
func request(
  _ port: Int, _ target: String, method: String = "GET", headers: String = "Host: 127.0.0.1\r\n"
) throws -> RawResponse {
  let client = try RawClient(port: port)
  client.send("\(method) \(target) HTTP/1.1\r\n\(headers)\r\n")
  return client.response()
}

/// The JSON object in `response`'s body.
func jsonObject(_ response: RawResponse) throws -> [String: Any] {
  try #require(JSONSerialization.jsonObject(with: response.body) as? [String: Any])
}
