import Foundation

/// Why the board could not start.
public enum BoardError: LocalizedError, Equatable {
  /// The runs folder is missing or is not a folder.
  case notAFolder(path: String)
  /// The host name does not resolve to an address.
  case unknownHost(host: String, detail: String)
  /// The port is outside 0…65535.
  case badPort(port: Int)
  /// Binding or listening failed (port in use, no permission, …).
  case cannotListen(host: String, port: Int, detail: String)

  public var errorDescription: String? {
    switch self {
    case .notAFolder(let path):
      return
        "\(path) is not a folder; give the runs folder (default Runs, where `betti train` writes)"
    case .unknownHost(let host, let detail):
      return "--host \(host): \(detail); give an address such as 127.0.0.1 or 0.0.0.0"
    case .badPort(let port):
      return "--port \(port) must be between 0 and 65535 (0 picks a free port)"
    case .cannotListen(let host, let port, let detail):
      return
        "cannot listen on \(host):\(port): \(detail); choose another port with --port N (0 picks a free one)"
    }
  }
}
