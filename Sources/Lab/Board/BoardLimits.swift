import Foundation

/// The bounds that keep one client from starving the others or exhausting the machine.
public struct BoardLimits: Sendable {
  /// Longest request line (method, target, version) in bytes; longer is 414.
  public var maxRequestLine = 8192
  /// Most bytes of header fields after the request line; more is 431.
  public var maxHeaderBytes = 16384
  /// Most header fields; more is 431.
  public var maxHeaderCount = 64
  /// Most connections served at once; one more is answered 503 and closed at once.
  public var maxConnections = 32
  /// Seconds a client has to send its whole request head; then 408 and close.
  public var headTimeout: TimeInterval = 10
  /// Seconds a client may stop reading a response before it is dropped.
  public var writeTimeout: TimeInterval = 15

  public init() {}
}
