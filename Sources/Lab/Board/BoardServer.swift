import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `betti board`: a small read-only HTTP/1.1 server over the runs folder, for watching runs
/// train in a browser (see `BoardRouter` for its pages).
///
/// One thread accepts connections; each connection is served on its own thread, at most
/// `limits.maxConnections` at once (one more is answered 503 at once). Every connection
/// carries one request (`Connection: close`) and has deadlines for sending its head and for
/// reading the answer, so a slow, silent or half-sent client holds one slot for a bounded time
/// and never delays the others.
public final class BoardServer: @unchecked Sendable {
  /// The port `betti board` listens on unless told otherwise (TensorBoard's 6006 plus one, so
  /// both can run side by side).
  public static let defaultPort = 6007

  public let root: RunsRoot
  public let limits: BoardLimits
  /// The port listened on (the one picked by the system when 0 was asked for).
  public let port: Int
  /// Whether only this machine can connect (the address bound is a loopback address).
  public let isLoopback: Bool
  private let host: String
  private let listener: ListeningSocket
  private let router: BoardRouter
  private let lock = NSLock()
  private var active = 0
  private var peak = 0
  private var stopping = false
  private let stopped = DispatchSemaphore(value: 0)

  /// Listens on `host:port` (0: any free port) over the runs folder `root`. Throws when the
  /// folder does not exist, the host does not resolve, or the port cannot be bound.
  public init(
    root: URL, host: String = "127.0.0.1", port: Int = BoardServer.defaultPort,
    limits: BoardLimits = BoardLimits()
  ) throws {
    self.root = try RunsRoot(root)
    self.limits = limits
    self.host = host
    listener = try ListeningSocket(host: host, port: port)
    self.port = listener.port
    isLoopback = listener.isLoopback
    router = BoardRouter(root: self.root, localHostsOnly: listener.isLoopback)
  }

  /// The board's address for a browser.
  public var url: String {
    let shown = host.contains(":") ? "[\(host)]" : host
    return "http://\(shown == "0.0.0.0" || shown == "[::]" ? "localhost" : shown):\(port)/"
  }

  /// Starts accepting connections on a thread of its own; returns at once.
  public func start() {
    let thread = Thread { [self] in acceptLoop() }
    thread.name = "board-accept"
    thread.start()
  }

  /// Stops accepting (connections being served finish on their own) and closes the socket.
  public func stop() {
    lock.lock()
    let wasStopping = stopping
    stopping = true
    lock.unlock()
    if !wasStopping { stopped.wait() }
  }

  /// Connections being served now.
  public var activeConnections: Int { lock.withLock { active } }
  /// The most connections served at once since the start.
  public var peakConnections: Int { lock.withLock { peak } }

  private var isStopping: Bool { lock.withLock { stopping } }

  private func acceptLoop() {
    while !isStopping {
      guard listener.waitForConnection(milliseconds: 100) else { continue }
      while let fd = listener.accept() {
        guard reserveSlot() else {
          refuse(fd)
          continue
        }
        let thread = Thread { [self] in
          serve(ClientConnection(descriptor: fd))
          releaseSlot()
        }
        thread.stackSize = 1 << 20
        thread.start()
      }
    }
    listener.close()
    stopped.signal()
  }

  private func reserveSlot() -> Bool {
    lock.withLock {
      guard active < limits.maxConnections else { return false }
      active += 1
      peak = max(peak, active)
      return true
    }
  }

  private func releaseSlot() {
    lock.withLock { active -= 1 }
  }

  /// Answers 503 without a thread of its own: reads what already arrived (so that closing
  /// does not reset the connection), writes what fits without waiting, and closes.
  private func refuse(_ fd: Int32) {
    let connection = ClientConnection(descriptor: fd)
    var sink = [UInt8](repeating: 0, count: 16384)
    _ = sink.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    let response = HTTPResponse.error(
      .unavailable,
      "the board is serving \(limits.maxConnections) connections; try again in a moment")
    var bytes = response.head
    if case .bytes(let body) = response.body { bytes.append(body) }
    connection.write(bytes, idleTimeout: 0.01)
    shutdown(fd, Int32(SHUT_WR))
    connection.close()
  }

  private func serve(_ connection: ClientConnection) {
    let response: HTTPResponse
    var sendsBody = true
    switch connection.readHead(limits: limits) {
    case .request(let request):
      response = router.respond(to: request)
      sendsBody = request.method != "HEAD"
    case .rejected(let status, let reason):
      response = .error(status, reason)
    case .timedOut:
      response = .error(
        .requestTimeout, "the request head did not arrive within \(limits.headTimeout) s")
    case .closed:
      connection.close()
      return
    }
    if send(response, body: sendsBody, on: connection) {
      connection.closeGracefully()
    } else {
      connection.close()
    }
  }

  /// Writes the head and, unless `body` is false (HEAD), the body; false when the client
  /// stopped reading.
  private func send(_ response: HTTPResponse, body: Bool, on connection: ClientConnection) -> Bool {
    guard connection.write(response.head, idleTimeout: limits.writeTimeout) else { return false }
    guard body else { return true }
    switch response.body {
    case .bytes(let data):
      return connection.write(data, idleTimeout: limits.writeTimeout)
    case .file(let url, let size):
      // The length was promised in the head: a file that shrank since is cut short by
      // closing, which the client sees as a truncated answer rather than a wrong one.
      guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
      defer { try? handle.close() }
      var left = size
      while left > 0 {
        guard let chunk = try? handle.read(upToCount: min(left, 1 << 16)), !chunk.isEmpty,
          connection.write(chunk, idleTimeout: limits.writeTimeout)
        else { return false }
        left -= chunk.count
      }
      return true
    }
  }

  /// Blocks until `stop()` is called (from another thread); `betti board` waits here.
  public func wait() {
    stopped.wait()
    stopped.signal()
  }
}
