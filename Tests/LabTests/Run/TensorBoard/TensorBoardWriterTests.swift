import Foundation
import Probes
import Testing

@testable import Lab

/// The event-file writer against a file written by TensorBoard's own record writer
/// (`Fixtures/reference.tfevents`, made by `scripts/make_tensorboard_fixture.py` from the same
/// events as `writeTheReferenceEvents`), and its repairs on reopening.
@Suite struct TensorBoardWriterTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/reference.tfevents")

  /// A clock that returns `times` in turn (then the last one).
  final class Clock {
    var times: [Double]
    init(_ times: [Double]) { self.times = times }
    func now() -> Double { times.count > 1 ? times.removeFirst() : times[0] }
  }

  /// The events of the fixture, through the writer's own API.
  static func writeTheReferenceEvents(in directory: URL) throws -> TensorBoardWriter {
    let clock = Clock([
      1_700_000_000.5, 1_700_000_001.25, 1_700_000_002, 1_700_000_003.75, 1_700_000_004.5,
    ])
    let writer = try TensorBoardWriter(directory: directory, host: "fixture", clock: clock.now)
    try writer.append(MetricsRow(step: 0, values: ["val_loss": Foundation.log(7.0), "lr": 0]))
    try writer.append(
      MetricsRow(
        step: 1,
        values: [
          "train_loss": 2.5, "lr": 0.001, "grad_clipped": 1, "tokens_per_s": 12345.678,
          "ph_l0_h1_h0_bars": 3,
        ]))
    try writer.append([
      ProbeRow(
        step: 1, family: .attention, layer: 0, head: 1, metric: "attn_entropy_bits", value: 1.5),
      ProbeRow(step: 300, family: .sphere, metric: "sphere_action", value: -0.125),
      ProbeRow(
        step: 1, family: .gradients, tensor: "transformer.h.0.attn.c_attn.weight",
        metric: "grad_norm",
        value: 0.25),
    ])
    try writer.append(
      MetricsRow(
        step: 1 << 33,
        values: [
          "train_loss": .infinity, "val_loss": .nan, "custom": 1e-50, "elapsed_s": -.infinity,
        ]))
    try writer.append(MetricsRow(step: 5))  // no values: no event
    return writer
  }

  @Test func writesTheReferenceWritersBytes() throws {
    let directory = scratchFolder("tb-reference")
    defer { try? FileManager.default.removeItem(at: directory) }
    let writer = try Self.writeTheReferenceEvents(in: directory)
    #expect(writer.url.lastPathComponent == "events.out.tfevents.1700000000.fixture")
    let written = try Data(contentsOf: writer.url)
    let reference = try Data(contentsOf: Self.fixture)
    #expect(written.count == reference.count)
    #expect(written == reference)
  }

  @Test func readsTheReferenceFileBack() throws {
    let (events, ending) = try TensorBoardWriter.readEvents(Self.fixture)
    #expect(ending == .clean)
    #expect(events.count == 6)
    #expect(
      events[0]
        == TensorBoardEvent(wallTime: 1_700_000_000.5, step: 0, fileVersion: "brain.Event:2"))
    #expect(events.map(\.step) == [0, 0, 1, 1, 300, 1 << 33])
    #expect(
      events[1].scalars == [
        .init(tag: "loss/val", value: Float(Foundation.log(7.0))), .init(tag: "lr", value: 0),
      ])
    #expect(events[4].scalars == [.init(tag: "sphere/action", value: -0.125)])
    let last = Dictionary(uniqueKeysWithValues: events[5].scalars.map { ($0.tag, $0.value) })
    #expect(last["loss/train"] == .infinity && last["progress/elapsed_s"] == -.infinity)
    #expect(last["loss/val"]?.isNaN == true)
    #expect(last["metrics/custom"] == 0)  // below Float's range, as TensorBoard stores it
  }

  @Test func reopeningAppendsToTheSameFile() throws {
    let directory = scratchFolder("tb-reopen")
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = try TensorBoardWriter(directory: directory, clock: { 1_700_000_000 })
    try first.append(MetricsRow(step: 1, values: ["train_loss": 1]))
    let second = try TensorBoardWriter(directory: directory, clock: { 1_800_000_000 })
    #expect(second.url == first.url && second.repairs.isEmpty)
    try second.append(MetricsRow(step: 2, values: ["train_loss": 0.5]))
    let (events, ending) = try TensorBoardWriter.readEvents(first.url)
    #expect(ending == .clean)
    #expect(events.map(\.step) == [0, 1, 2])
    #expect(events.filter { $0.fileVersion != nil }.count == 1)
  }

  @Test func resumingRemovesTheStepsAfterTheCheckpoint() throws {
    let directory = scratchFolder("tb-resume")
    defer { try? FileManager.default.removeItem(at: directory) }
    let writer = try TensorBoardWriter(directory: directory)
    for step in 0...10 {
      try writer.append(MetricsRow(step: step, values: ["train_loss": Double(step)]))
      try writer.append([ProbeRow(step: step, family: .sphere, metric: "sphere_action", value: 1)])
    }
    let resumed = try TensorBoardWriter(directory: directory, resumeStep: 6)
    #expect(resumed.repairs == ["\(writer.url.lastPathComponent): removed 8 events after step 6"])
    try resumed.append(MetricsRow(step: 7, values: ["train_loss": 70]))
    let (events, _) = try TensorBoardWriter.readEvents(writer.url)
    #expect(events.first?.fileVersion == "brain.Event:2")
    #expect(events.dropFirst().map(\.step) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7])
    #expect(events.last?.scalars == [.init(tag: "loss/train", value: 70)])
    // Resuming from no checkpoint keeps only the file-version event.
    _ = try TensorBoardWriter(directory: directory, resumeStep: -1)
    #expect(
      try TensorBoardWriter.readEvents(writer.url).events.map(\.fileVersion) == ["brain.Event:2"])
  }

  @Test func aTornLastRecordIsDropped() throws {
    let directory = scratchFolder("tb-torn")
    defer { try? FileManager.default.removeItem(at: directory) }
    let writer = try TensorBoardWriter(directory: directory)
    try writer.append(MetricsRow(step: 1, values: ["train_loss": 1]))
    let whole = try Data(contentsOf: writer.url)
    let record = TFRecord.framed(
      TensorBoardEvent(wallTime: 1, step: 2, scalars: [.init(tag: "x", value: 1)]).encoded())
    try (whole + Data(record.prefix(record.count - 3))).write(to: writer.url)
    #expect(try TensorBoardWriter.readEvents(writer.url).ending == .torn(offset: whole.count))

    let reopened = try TensorBoardWriter(directory: directory, resumeStep: 1)
    #expect(
      reopened.repairs == [
        "\(writer.url.lastPathComponent): dropped a torn last record at byte \(whole.count)"
      ])
    #expect(try Data(contentsOf: writer.url) == whole)
    try reopened.append(MetricsRow(step: 2, values: ["train_loss": 0.5]))
    let (events, ending) = try TensorBoardWriter.readEvents(writer.url)
    #expect(ending == .clean && events.map(\.step) == [0, 1, 2])
  }

  @Test func unreadableBytesAreMovedAsideNotLost() throws {
    let directory = scratchFolder("tb-corrupt")
    defer { try? FileManager.default.removeItem(at: directory) }
    let writer = try TensorBoardWriter(directory: directory, host: "h", clock: { 1_700_000_000 })
    try writer.append(MetricsRow(step: 1, values: ["train_loss": 1]))
    let whole = try Data(contentsOf: writer.url)
    let garbage = Data(repeating: 0, count: 40) + Data(TFRecord.framed([1, 2, 3]))
    try (whole + garbage).write(to: writer.url)

    let reopened = try TensorBoardWriter(directory: directory, resumeStep: 1)
    let aside = directory.appendingPathComponent(
      "events.out.damaged.1700000000.h-at-\(whole.count)")
    #expect(
      reopened.repairs == [
        "events.out.tfevents.1700000000.h: moved \(garbage.count) unreadable bytes (length checksum mismatch) to \(aside.lastPathComponent)"
      ])
    #expect(try Data(contentsOf: aside) == garbage)
    #expect(try Data(contentsOf: writer.url) == whole)
    #expect(try TensorBoardWriter.eventFiles(in: directory) == [writer.url])
  }

  @Test func anEmptyFileGetsItsFileVersionEvent() throws {
    let directory = scratchFolder("tb-empty")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("events.out.tfevents.1700000000.h")
    try Data().write(to: url)
    let writer = try TensorBoardWriter(directory: directory, clock: { 1_700_000_001 })
    #expect(
      writer.url == url
        && writer.repairs == ["\(url.lastPathComponent): added the file-version event"])
    #expect(
      try TensorBoardWriter.readEvents(url).events == [
        TensorBoardEvent(wallTime: 1_700_000_001, step: 0, fileVersion: "brain.Event:2")
      ])
  }

  @Test func aMissingFolderIsAnErrorNamingIt() throws {
    let missing = FileManager.default.temporaryDirectory.appendingPathComponent(
      "betti-no-such-\(UUID())")
    #expect {
      _ = try TensorBoardWriter(directory: missing)
    } throws: { error in
      (error as? RunFolderError)?.errorDescription?.contains(missing.path) == true
    }
  }
}
