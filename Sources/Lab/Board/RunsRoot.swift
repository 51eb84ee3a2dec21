import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The runs folder the board serves, and the only way a URL path becomes a file path.
///
/// A URL path is percent-decoded once, split on `/`, and refused when any segment is `.`,
/// `..` or starts with `.` (hidden files), holds a NUL or does not decode. What remains is
/// joined under the root and resolved with `realpath`, so a symbolic link counts by where it
/// leads: anything that resolves outside the root is refused as if it did not exist.
public struct RunsRoot: Sendable {
  /// The root, with every symbolic link resolved.
  public let url: URL
  private let prefix: String

  /// Opens `url`, which must be an existing folder.
  public init(_ url: URL) throws {
    guard let resolved = Self.realPath(url.path), Self.isDirectory(resolved) else {
      throw BoardError.notAFolder(path: url.path)
    }
    self.url = URL(fileURLWithPath: resolved, isDirectory: true)
    prefix = resolved.hasSuffix("/") ? resolved : resolved + "/"
  }

  /// The existing file or folder that the percent-encoded `path` (relative to the root, with or
  /// without leading `/`) names, or nil when it does not exist, is not allowed or leaves the
  /// root.
  public func resolve<S: StringProtocol>(encoded path: S) -> URL? {
    var segments: [String] = []
    for raw in path.split(separator: "/") {
      guard let segment = PercentDecoding.string(raw), !segment.hasPrefix("."),
        !segment.contains("/")
      else { return nil }
      segments.append(segment)
    }
    return resolve(segments: segments)
  }

  /// The existing file or folder at the decoded `segments` under the root, or nil (same rules
  /// as `resolve(encoded:)`).
  public func resolve(segments: [String]) -> URL? {
    guard
      segments.allSatisfy({
        !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("/") && !$0.contains("\0")
      })
    else { return nil }
    let joined = ([url.path] + segments).joined(separator: "/")
    guard let resolved = Self.realPath(joined), contains(resolved) else { return nil }
    return URL(fileURLWithPath: resolved)
  }

  /// Whether the resolved path `path` is the root or inside it.
  func contains(_ path: String) -> Bool {
    path + "/" == prefix || path.hasPrefix(prefix)
  }

  /// `url`'s path relative to the root (`""` for the root itself), for links.
  public func relativePath(of url: URL) -> String {
    let path = url.path
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : ""
  }

  /// `path` with every symbolic link, `.` and `..` resolved; nil when it does not exist.
  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  static func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      && isDirectory.boolValue
  }

  static func isRegularFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      && !isDirectory.boolValue
  }
}

/// A relative path as it appears in board URLs: each segment percent-encoded.
func encodedURLPath(_ relative: String) -> String {
  var allowed = CharacterSet.urlPathAllowed
  allowed.remove(charactersIn: "/?#%;")
  return relative.split(separator: "/").map {
    $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0)
  }.joined(separator: "/")
}
