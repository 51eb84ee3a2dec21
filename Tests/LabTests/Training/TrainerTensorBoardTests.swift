import Foundation
import Probes
import Testing

@testable import Lab

/// A run's event file against its own metric and probe files, and across interruptions.
@Suite struct TrainerTensorBoardTests {
  /// One scalar as TensorBoard holds it; NaNs compare equal by their bit pattern.
  struct Point: Hashable, Comparable {
    let tag: String
    let step: Int64
    let bits: UInt32

    init(_ tag: String, _ step: Int64, _ value: Float) {
      self.tag = tag
      self.step = step
      bits = value.isNaN ? Float.nan.bitPattern : value.bitPattern
    }

    static func < (a: Point, b: Point) -> Bool {
      (a.tag, a.step, a.bits) < (b.tag, b.step, b.bits)
    }
  }

  /// Every scalar of the run's single event file, sorted; duplicates kept.
  static func eventPoints(_ folder: RunFolder, dropping dropped: Set<String> = []) throws -> [Point]
  {
    let files = try TensorBoardWriter.eventFiles(in: folder.url)
    try #require(files.count == 1)
    let (events, ending) = try TensorBoardWriter.readEvents(files[0])
    #expect(ending == .clean)
    #expect(events.first?.fileVersion == "brain.Event:2")
    #expect(events.dropFirst().allSatisfy { $0.fileVersion == nil })
    return events.flatMap { event in
      event.scalars.filter { !dropped.contains($0.tag) }.map { Point($0.tag, event.step, $0.value) }
    }.sorted()
  }

  static let wallClockTags: Set<String> = ["progress/tokens_per_s", "progress/elapsed_s"]

  static let probesOn: (inout Config) -> Void = { c in
    c.probes.attention.every = 1
    c.probes.sphere.every = 2
    c.probes.gradients.every = 3
    c.probes.sharpness.enabled = true
    c.probes.sharpness.every = 10
    c.probes.sharpness.iterations = 2
  }

  /// Every scalar of the run's metric and probe files as the event file should hold it.
  static func filePoints(_ folder: RunFolder, dropping dropped: Set<String> = []) throws -> [Point]
  {
    var points: [Point] = []
    for row in try MetricsWriter.readJSONL(folder.url.appendingPathComponent("metrics.jsonl")) {
      for (column, value) in row.values {
        points.append(Point(TensorBoardTags.tag(forMetric: column), Int64(row.step), Float(value)))
      }
    }
    for row in try ProbeWriter.read(folder.url.appendingPathComponent("probes.csv")) {
      points.append(Point(TensorBoardTags.tag(for: row), Int64(row.step), Float(row.value)))
    }
    return points.filter { !dropped.contains($0.tag) }.sorted()
  }

  @Test func theEventFileHoldsEveryScalarOfTheMetricAndProbeFiles() throws {
    let runs = scratchFolder("tb-run")
    defer { try? FileManager.default.removeItem(at: runs) }
    let config = tinyConfig(runs: runs, name: "a") { c in
      Self.probesOn(&c)
      c.regularizers.h0TotalPersistence.weight = 0.1
    }
    let trainer = try Trainer.start(config: config)
    try trainer.run()
    let points = try Self.eventPoints(trainer.folder)
    #expect(points == (try Self.filePoints(trainer.folder)))
    // No (tag, step) twice: each series has one value per step.
    #expect(Set(points.map { "\($0.tag)@\($0.step)" }).count == points.count)
    let tags = Set(points.map(\.tag))
    for tag in [
      "loss/train", "loss/val", "lr", "grad_norm/global", "grad_norm/h.0.attn.c_attn.weight",
      "attention/L0H1/entropy_bits", "sphere/action", "sharpness/top_eigenvalue",
      "topology/h0_total_persistence", "topology/L0H0/h0_bars",
    ] {
      #expect(tags.contains(tag), "\(tag) missing")
    }
    #expect(!tags.contains { $0.hasPrefix("metrics/") })
  }

  /// A run of `probesOn` that trains all the way, and one named `name` stopped before update
  /// `stopBefore` (Ctrl-C: a checkpoint at the step it stopped).
  static func wholeAndStopped(runs: URL, name: String, stopBefore: Int) throws -> (
    whole: Trainer, stopped: Trainer
  ) {
    let whole = try Trainer.start(config: tinyConfig(runs: runs, name: "whole", probesOn))
    try whole.run()
    let stopped = try Trainer.start(config: tinyConfig(runs: runs, name: name, probesOn))
    var calls = 0
    try stopped.run(shouldStop: {
      calls += 1
      return calls >= stopBefore
    })
    return (whole, stopped)
  }

  @Test func anInterruptedAndResumedRunHasTheSameScalars() throws {
    let runs = scratchFolder("tb-resume")
    defer { try? FileManager.default.removeItem(at: runs) }
    let (whole, parted) = try Self.wholeAndStopped(runs: runs, name: "parted", stopBefore: 14)
    try Trainer.resume(folder: parted.folder.url).run()
    let a = try Self.eventPoints(whole.folder, dropping: Self.wallClockTags)
    let b = try Self.eventPoints(parted.folder, dropping: Self.wallClockTags)
    #expect(a.count == b.count)
    #expect(a == b)
    #expect(b == (try Self.filePoints(parted.folder, dropping: Self.wallClockTags)))
  }

  @Test func aRunKilledMidWriteResumesWithoutDuplicates() throws {
    // As after kill -9 at step 12: the latest checkpoint is step 10, the event file holds
    // steps up to 12 and ends in half a record.
    let runs = scratchFolder("tb-kill")
    defer { try? FileManager.default.removeItem(at: runs) }
    let (whole, killed) = try Self.wholeAndStopped(runs: runs, name: "killed", stopBefore: 13)
    let checkpoints = killed.folder.checkpointsURL
    try FileManager.default.removeItem(at: checkpoints.appendingPathComponent("step_000012"))
    try "step_000010\n".write(
      to: checkpoints.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
    let eventFile = try #require(try TensorBoardWriter.eventFiles(in: killed.folder.url).first)
    let torn = TFRecord.framed(
      TensorBoardEvent(wallTime: 1, step: 13, scalars: [.init(tag: "loss/train", value: 1)])
        .encoded())
    let handle = try FileHandle(forWritingTo: eventFile)
    handle.seekToEndOfFile()
    handle.write(Data(torn.prefix(torn.count / 2)))
    try handle.close()

    try Trainer.resume(folder: killed.folder.url).run()
    let a = try Self.eventPoints(whole.folder, dropping: Self.wallClockTags)
    let b = try Self.eventPoints(killed.folder, dropping: Self.wallClockTags)
    #expect(a == b)
    #expect(b == (try Self.filePoints(killed.folder, dropping: Self.wallClockTags)))
    let log = try String(contentsOf: killed.folder.logURL, encoding: .utf8)
    #expect(log.contains("tensorboard: \(eventFile.lastPathComponent): dropped a torn last record"))
    #expect(log.contains("events after step 10"))
  }
}
