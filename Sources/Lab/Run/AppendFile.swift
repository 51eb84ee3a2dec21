import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file opened for appending, written one whole record at a time.
///
/// Each `append` hands the record to a single `write(2)` on a descriptor opened with
/// `O_APPEND` (looping only if the kernel accepts part of it), so concurrent readers and a
/// crash can at worst leave one torn last record, never interleaved ones.
final class AppendFile {
  let url: URL
  private var descriptor: Int32

  /// Opens `url` for appending, creating it (mode 0644) if needed.
  init(url: URL) throws {
    self.url = url
    descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    if descriptor < 0 {
      throw RunFolderError.io(path: url.path, detail: "cannot open for appending: \(errorText())")
    }
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
  }

  /// Appends `bytes` in one `write(2)` when the kernel takes them all (it does for regular files).
  func append(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { buffer in
        write(descriptor, buffer.baseAddress! + offset, bytes.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw RunFolderError.io(path: url.path, detail: "write failed: \(errorText())")
      }
      offset += written
    }
  }

  /// Appends `text` as UTF-8.
  func append(_ text: String) throws {
    try append(Array(text.utf8))
  }

  /// Flushes the file to disk (`fsync`).
  func synchronize() throws {
    if fsync(descriptor) != 0 {
      throw RunFolderError.io(path: url.path, detail: "fsync failed: \(errorText())")
    }
  }
}

/// The C library's text for the current `errno`.
func errorText() -> String {
  String(cString: strerror(errno))
}

/// Writes `data` to `url` through a temporary file in the same folder and a rename, so that a
/// reader sees the old contents or the new, never a part.
func writeAtomically(_ data: Data, to url: URL) throws {
  let temporary = url.deletingLastPathComponent().appendingPathComponent(
    ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
  do {
    try data.write(to: temporary)
    if rename(temporary.path, url.path) != 0 {
      throw RunFolderError.io(path: url.path, detail: "cannot rename into place: \(errorText())")
    }
  } catch let error as RunFolderError {
    try? FileManager.default.removeItem(at: temporary)
    throw error
  } catch {
    try? FileManager.default.removeItem(at: temporary)
    throw RunFolderError.io(path: url.path, detail: error.localizedDescription)
  }
}
