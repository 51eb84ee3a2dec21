import Foundation
import Probes

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a run's scalars as a TensorBoard event file, `events.out.tfevents.<unix time>.<host>`
/// in the run folder, so that `tensorboard --logdir Runs` shows every run's curves.
///
/// The file starts with a `file_version: "brain.Event:2"` event; then each `append` writes one
/// event per step holding that step's scalars (tags by `TensorBoardTags`, values as 32-bit
/// floats, as TensorBoard stores them), framed as TFRecords and handed to a single `write(2)`,
/// so a live `tensorboard` sees each row as soon as it is logged.
///
/// One file per run: reopening appends to the newest event file in the folder. Reopening first
/// repairs each event file there: a torn last record (a crash mid-write) is dropped, bytes past
/// a record that fails its checksum are moved aside to `events.out.damaged.…-at-<offset>` (a
/// name TensorBoard does not read), and with `resumeStep` s every event of a step past s is
/// removed, so a resumed run never holds a step twice; a changed file is rewritten atomically.
public final class TensorBoardWriter {
  /// The event file written to.
  public let url: URL
  /// What reopening repaired, one sentence each (empty when the files were whole).
  public private(set) var repairs: [String] = []
  private let file: AppendFile
  private let clock: () -> Double

  /// Opens the newest event file in `directory`, or creates one named after the current time
  /// and `host`. `clock` gives each event's wall time (seconds since the Unix epoch).
  public init(
    directory: URL, resumeStep: Int? = nil, host: String = TensorBoardWriter.hostName(),
    clock: @escaping () -> Double = { Date().timeIntervalSince1970 }
  ) throws {
    self.clock = clock
    let existing = try Self.eventFiles(in: directory)
    for file in existing {
      if let note = try Self.repair(file, resumeStep: resumeStep, clock: clock) {
        repairs.append(note)
      }
    }
    if let newest = existing.last {
      url = newest
      file = try AppendFile(url: url)
    } else {
      let now = clock()
      let name = "events.out.tfevents.\(String(format: "%010d", Int(now))).\(host)"
      url = directory.appendingPathComponent(name)
      file = try AppendFile(url: url)
      try file.append(Self.fileVersionRecord(now))
    }
  }

  /// Appends one event with the row's metrics at the row's step (nothing for an empty row).
  public func append(_ row: MetricsRow) throws {
    let scalars = row.values.map { column, value in
      TensorBoardEvent.Scalar(tag: TensorBoardTags.tag(forMetric: column), value: Float(value))
    }.sorted { $0.tag < $1.tag }
    guard !scalars.isEmpty else { return }
    let event = TensorBoardEvent(wallTime: clock(), step: Int64(row.step), scalars: scalars)
    try file.append(TFRecord.framed(event.encoded()))
  }

  /// Appends one event per step of `rows` (in the order the steps first occur), in one write.
  public func append(_ rows: [ProbeRow]) throws {
    guard !rows.isEmpty else { return }
    var steps: [Int] = []
    var byStep: [Int: [TensorBoardEvent.Scalar]] = [:]
    for row in rows {
      if byStep[row.step] == nil { steps.append(row.step) }
      byStep[row.step, default: []].append(
        TensorBoardEvent.Scalar(tag: TensorBoardTags.tag(for: row), value: Float(row.value)))
    }
    let wallTime = clock()
    var bytes: [UInt8] = []
    for step in steps {
      let event = TensorBoardEvent(wallTime: wallTime, step: Int64(step), scalars: byStep[step]!)
      bytes += TFRecord.framed(event.encoded())
    }
    try file.append(bytes)
  }

  /// Flushes the file to disk.
  public func synchronize() throws {
    try file.synchronize()
  }

  /// The event files in `directory` (names containing `tfevents`, as TensorBoard picks them),
  /// oldest first by name.
  public static func eventFiles(in directory: URL) throws -> [URL] {
    guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    } catch {
      throw RunFolderError.io(path: directory.path, detail: error.localizedDescription)
    }
    return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map {
      directory.appendingPathComponent($0)
    }
  }

  /// The events of the event file at `url` and how its records end (a torn or corrupt tail is
  /// reported there, not thrown). Throws when the file cannot be read or a record that passed
  /// its checksum is not an `Event`.
  static func readEvents(_ url: URL) throws -> (
    events: [TensorBoardEvent], ending: TFRecord.Ending
  ) {
    let bytes = try readBytes(url)
    let (records, ending) = TFRecord.records(in: bytes)
    let events = try records.map { record in
      do {
        return try TensorBoardEvent.decode(record.payload)
      } catch let error as ProtobufReader.Malformed {
        throw RunFolderError.io(
          path: url.path,
          detail: "the record at byte \(record.offset) is not an Event (\(error.detail))")
      }
    }
    return (events, ending)
  }

  /// This machine's host name, as TensorFlow puts it in event file names ("localhost" when
  /// unknown; a `/` would make a folder, so it becomes `_`).
  public static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(cString: buffer).replacingOccurrences(of: "/", with: "_")
    return name.isEmpty ? "localhost" : name
  }

  private static func fileVersionRecord(_ wallTime: Double) -> [UInt8] {
    let event = TensorBoardEvent(
      wallTime: wallTime, step: 0, fileVersion: TensorBoardEvent.currentFileVersion)
    return TFRecord.framed(event.encoded())
  }

  private static func readBytes(_ url: URL) throws -> [UInt8] {
    do {
      return [UInt8](try Data(contentsOf: url))
    } catch {
      throw RunFolderError.io(path: url.path, detail: error.localizedDescription)
    }
  }

  /// Repairs one event file (see the type's documentation); returns what was done, if anything.
  private static func repair(_ url: URL, resumeStep: Int?, clock: () -> Double) throws -> String? {
    let bytes = try readBytes(url)
    let (records, ending) = TFRecord.records(in: bytes)
    var kept: [UInt8] = []
    var dropped = 0
    for (index, record) in records.enumerated() {
      let event = try? TensorBoardEvent.decode(record.payload)
      if index == 0, event?.fileVersion == nil {
        kept += fileVersionRecord(clock())  // a file that lost its header gets one
      }
      if let resumeStep, let event, event.fileVersion == nil, event.step > resumeStep {
        dropped += 1
        continue
      }
      kept += bytes[record.offset..<record.offset + record.payload.count + TFRecord.overhead]
    }
    if records.isEmpty { kept = fileVersionRecord(clock()) }
    var notes: [String] = []
    switch ending {
    case .clean: break
    case .torn(let offset):
      notes.append("dropped a torn last record at byte \(offset)")
    case .corrupt(let offset, let detail):
      let name = url.lastPathComponent.replacingOccurrences(of: "tfevents", with: "damaged")
      let aside = url.deletingLastPathComponent().appendingPathComponent("\(name)-at-\(offset)")
      try writeAtomically(Data(bytes[offset...]), to: aside)
      notes.append(
        "moved \(bytes.count - offset) unreadable bytes (\(detail)) to \(aside.lastPathComponent)")
    }
    if dropped > 0 { notes.append("removed \(dropped) events after step \(resumeStep!)") }
    guard kept != bytes else { return nil }
    try writeAtomically(Data(kept), to: url)
    return notes.isEmpty
      ? "\(url.lastPathComponent): added the file-version event"
      : "\(url.lastPathComponent): " + notes.joined(separator: "; ")
  }
}
