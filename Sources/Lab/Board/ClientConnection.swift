import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One accepted, non-blocking client socket with reads and writes bounded in time: a client
/// that sends or reads slowly is dropped at its deadline instead of holding a thread forever.
final class ClientConnection {
  let descriptor: Int32

  init(descriptor: Int32) {
    self.descriptor = descriptor
  }

  /// What reading the request head came to.
  enum HeadOutcome {
    case request(HTTPRequest)
    /// The head broke a rule; answer with this status.
    case rejected(HTTPStatus, String)
    /// The whole head did not arrive before the deadline.
    case timedOut
    /// The client closed the connection (or it failed) before sending a whole head.
    case closed
  }

  /// Reads until the end of the request head, checking `limits` as the bytes arrive. The whole
  /// head must arrive within `limits.headTimeout` seconds of the call.
  func readHead(limits: BoardLimits) -> HeadOutcome {
    var reader = HTTPHeadReader(limits: limits)
    let deadline = Date().addingTimeInterval(limits.headTimeout)
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else { return .timedOut }
      guard Socket.poll(descriptor, events: Int16(POLLIN), milliseconds: Self.ms(remaining)) else {
        continue
      }
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count == 0 { return .closed }
      if count < 0 {
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
        return .closed
      }
      switch reader.consume(chunk[0..<count]) {
      case .incomplete: continue
      case .complete(let request): return .request(request)
      case .failed(let status, let reason): return .rejected(status, reason)
      }
    }
  }

  /// Writes all of `bytes`; false when the client stops reading for `idleTimeout` seconds or
  /// the connection fails.
  @discardableResult
  func write(_ bytes: UnsafeRawBufferPointer, idleTimeout: TimeInterval) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let sent = send(
        descriptor, bytes.baseAddress! + offset, bytes.count - offset, Socket.sendFlags)
      if sent > 0 {
        offset += sent
        continue
      }
      if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        guard
          Socket.poll(descriptor, events: Int16(POLLOUT), milliseconds: Self.ms(idleTimeout))
        else { return false }
        continue
      }
      return false
    }
    return true
  }

  @discardableResult
  func write(_ data: Data, idleTimeout: TimeInterval) -> Bool {
    data.withUnsafeBytes { write($0, idleTimeout: idleTimeout) }
  }

  /// Ends the connection after a response: shuts the sending side, then reads and discards
  /// what the client may still be sending (briefly, and a bounded amount) so that closing
  /// does not reset the connection and destroy the response before the client has read it.
  func closeGracefully(linger: TimeInterval = 0.5) {
    shutdown(descriptor, Int32(SHUT_WR))
    let deadline = Date().addingTimeInterval(linger)
    var discarded = 0
    var sink = [UInt8](repeating: 0, count: 4096)
    while discarded < 1 << 20 {
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0,
        Socket.poll(descriptor, events: Int16(POLLIN), milliseconds: Self.ms(remaining))
      else { break }
      let count = sink.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count <= 0 && !(count < 0 && (errno == EAGAIN || errno == EINTR)) { break }
      discarded += max(count, 0)
    }
    close()
  }

  func close() {
    Socket.close(descriptor)
  }

  private static func ms(_ seconds: TimeInterval) -> Int32 {
    Int32(max(1, min(seconds * 1000, Double(Int32.max))).rounded(.up))
  }
}
