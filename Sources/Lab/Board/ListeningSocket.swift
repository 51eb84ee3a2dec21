import Foundation

#if canImport(Glibc)
  import Glibc
  private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
  import Darwin
  private let streamSocket = SOCK_STREAM
#endif

/// A non-blocking TCP socket bound to `host:port` and listening.
final class ListeningSocket {
  let descriptor: Int32
  /// The port bound (the one the system picked when 0 was asked for).
  let port: Int
  /// Whether the bound address is a loopback address (127.0.0.0/8 or ::1).
  let isLoopback: Bool

  /// Resolves `host` numerically or by name and listens on the first address that binds.
  init(host: String, port: Int, backlog: Int32 = 128) throws {
    guard (0...65535).contains(port) else { throw BoardError.badPort(port: port) }
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = streamSocket
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
      throw BoardError.unknownHost(host: host, detail: String(cString: gai_strerror(status)))
    }
    defer { freeaddrinfo(list) }
    var lastError = "no address"
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let info = entry {
      entry = info.pointee.ai_next
      let fd = socket(info.pointee.ai_family, streamSocket, 0)
      guard fd >= 0 else {
        lastError = String(cString: strerror(errno))
        continue
      }
      var on: Int32 = 1
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
      guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, backlog) == 0
      else {
        lastError = errno == EADDRINUSE ? "the port is in use" : String(cString: strerror(errno))
        Socket.close(fd)
        continue
      }
      Socket.setNonBlocking(fd)
      descriptor = fd
      (self.port, isLoopback) = Socket.localAddress(fd)
      return
    }
    throw BoardError.cannotListen(host: host, port: port, detail: lastError)
  }

  /// The next pending connection as a non-blocking descriptor, or nil when none is waiting.
  func accept() -> Int32? {
    #if canImport(Glibc)
      let fd = Glibc.accept(descriptor, nil, nil)
    #else
      let fd = Darwin.accept(descriptor, nil, nil)
    #endif
    guard fd >= 0 else { return nil }
    Socket.setNonBlocking(fd)
    Socket.suppressSigpipe(fd)
    return fd
  }

  /// Waits up to `milliseconds` for a connection to be pending.
  func waitForConnection(milliseconds: Int32) -> Bool {
    Socket.poll(descriptor, events: Int16(POLLIN), milliseconds: milliseconds)
  }

  func close() {
    Socket.close(descriptor)
  }
}

/// Small wrappers over the POSIX socket calls shared by the listener and the connections.
enum Socket {
  static func close(_ fd: Int32) {
    #if canImport(Glibc)
      _ = Glibc.close(fd)
    #else
      _ = Darwin.close(fd)
    #endif
  }

  static func setNonBlocking(_ fd: Int32) {
    let flags = fcntl(fd, F_GETFL, 0)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
  }

  static func suppressSigpipe(_ fd: Int32) {
    #if canImport(Darwin)
      var on: Int32 = 1
      setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
    #endif
  }

  /// `send` flags that keep a write to a closed peer from raising SIGPIPE.
  static var sendFlags: Int32 {
    #if canImport(Glibc)
      Int32(MSG_NOSIGNAL)
    #else
      0
    #endif
  }

  /// Whether `events` became ready on `fd` within `milliseconds` (an error or hang-up counts as
  /// ready, so that the following read or write reports it).
  static func poll(_ fd: Int32, events: Int16, milliseconds: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: events, revents: 0)
    #if canImport(Glibc)
      let ready = Glibc.poll(&entry, 1, milliseconds)
    #else
      let ready = Darwin.poll(&entry, 1, milliseconds)
    #endif
    return ready > 0
  }

  /// The port and loopback-ness of the address `fd` is bound to.
  static func localAddress(_ fd: Int32) -> (port: Int, isLoopback: Bool) {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let ok = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
    }
    guard ok else { return (0, false) }
    switch Int32(storage.ss_family) {
    case AF_INET:
      return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
          let host = UInt32(bigEndian: address.pointee.sin_addr.s_addr)
          return (Int(UInt16(bigEndian: address.pointee.sin_port)), host >> 24 == 127)
        }
      }
    case AF_INET6:
      return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
          let bytes = withUnsafeBytes(of: address.pointee.sin6_addr) { Array($0) }
          let loopback = bytes == Array(repeating: 0, count: 15) + [1]
          // ::ffff:127.x.x.x, an IPv4 loopback address seen through IPv6
          let mapped =
            bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF
            && bytes[11] == 0xFF && bytes[12] == 127
          return (Int(UInt16(bigEndian: address.pointee.sin6_port)), loopback || mapped)
        }
      }
    default:
      return (0, false)
    }
  }
}
