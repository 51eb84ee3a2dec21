import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One row of a metric or probe file: its step and its JSON text as written.
struct StepLine: Sendable {
  var step: Int
  var text: String
}

/// The complete lines of a growing JSON-lines file (`metrics.jsonl`, `probes.jsonl`), read
/// incrementally: each refresh reads only the bytes appended since the last one. A file that
/// was replaced (resuming rewrites it atomically, so it has a new inode) or shrank is read
/// again from the start; a torn last line is left for the next refresh.
final class JSONLinesTail {
  let url: URL
  /// `device-inode` of the file last read, `none` when it did not exist.
  private(set) var identity = "none"
  private(set) var lines: [StepLine] = []
  private var offset: UInt64 = 0

  init(url: URL) {
    self.url = url
  }

  /// Reads what was appended since the last refresh.
  func refresh() {
    var info = stat()
    guard stat(url.path, &info) == 0 else {
      reset(identity: "none")
      return
    }
    let identity = "\(info.st_dev)-\(info.st_ino)"
    if identity != self.identity || UInt64(info.st_size) < offset { reset(identity: identity) }
    guard UInt64(info.st_size) > offset, let handle = try? FileHandle(forReadingFrom: url) else {
      return
    }
    defer { try? handle.close() }
    guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(),
      let end = data.lastIndex(of: UInt8(ascii: "\n"))
    else { return }
    let complete = data[data.startIndex..<end]
    for line in complete.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
      guard let step = Self.step(of: line) else { continue }
      lines.append(StepLine(step: step, text: String(decoding: line, as: UTF8.self)))
    }
    offset += UInt64(end - data.startIndex + 1)
  }

  /// The lines whose step is at least `step` (the files are written in step order).
  func lines(since step: Int) -> ArraySlice<StepLine> {
    var start = lines.endIndex
    while start > lines.startIndex && lines[start - 1].step >= step { start -= 1 }
    return lines[start...]
  }

  private func reset(identity: String) {
    self.identity = identity
    lines = []
    offset = 0
  }

  /// The `step` of a row: rows start with `{"step":N` as the writers make them; anything else
  /// is parsed in full.
  static func step(of line: Data.SubSequence) -> Int? {
    let prefix = Array("{\"step\":".utf8)
    if line.starts(with: prefix) {
      var value = 0
      var digits = 0
      for byte in line.dropFirst(prefix.count) {
        guard (0x30...0x39).contains(byte), digits < 18 else { break }
        value = value * 10 + Int(byte - 0x30)
        digits += 1
      }
      if digits > 0 { return value }
    }
    guard case .object(let object)? = try? JSONValue.parse(Data(line)),
      case .integer(let step)? = object["step"]
    else { return nil }
    return step
  }
}

/// The tails of the JSON-lines files the board has been asked about, kept between requests
/// (least recently used dropped beyond `capacity`). Safe to use from many threads.
final class JSONLinesCache: @unchecked Sendable {
  private let lock = NSLock()
  private var tails: [String: (tail: JSONLinesTail, used: UInt64)] = [:]
  private var clock: UInt64 = 0
  let capacity: Int

  init(capacity: Int = 16) {
    self.capacity = capacity
  }

  /// The file's identity and its rows with step ≥ `since`, after reading what was appended.
  func lines(_ url: URL, since: Int) -> (identity: String, lines: [StepLine]) {
    lock.lock()
    defer { lock.unlock() }
    clock += 1
    let key = url.path
    let tail = tails[key]?.tail ?? JSONLinesTail(url: url)
    tails[key] = (tail, clock)
    if tails.count > capacity, let oldest = tails.min(by: { $0.value.used < $1.value.used }) {
      tails[oldest.key] = nil
    }
    tail.refresh()
    return (tail.identity, Array(tail.lines(since: since)))
  }
}
