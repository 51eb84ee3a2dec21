import Foundation
import Testing

@testable import Lab

/// Metric rows through both files: round trips, torn lines and truncation on resume, checked
/// against the rows written and the exact file text.
final class MetricsWriterTests {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "betti-metrics-\(UUID().uuidString)")

  init() throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: folder) }

  func rows() -> [MetricsRow] {
    [
      MetricsRow(step: 0, values: ["lr": 1e-4, "train_loss": 4.17, "grad_norm": 2.5]),
      MetricsRow(
        step: 10, values: ["lr": 1e-3, "train_loss": 3.25, "val_loss": 3.5, "val_accuracy": 0.125]),
      MetricsRow(step: 20, values: ["lr": 1e-3, "train_loss": .nan, "tokens": 20480]),
    ]
  }

  func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

  @Test func rowsRoundTripThroughBothFiles() throws {
    let writer = try MetricsWriter(directory: folder)
    for row in rows() { try writer.append(row) }
    try writer.synchronize()
    for read in [
      try MetricsWriter.readJSONL(writer.jsonlURL), try MetricsWriter.readCSV(writer.csvURL),
    ] {
      #expect(read.count == 3)
      #expect(read[0] == rows()[0] && read[1] == rows()[1])
      #expect(read[2].step == 20 && read[2]["train_loss"]!.isNaN && read[2]["tokens"] == 20480)
    }
  }

  @Test func filesHaveTheDocumentedLayout() throws {
    let writer = try MetricsWriter(directory: folder)
    try writer.append(rows()[1])
    try writer.append(rows()[2])
    #expect(
      try text(writer.csvURL) == """
        step,lr,train_loss,train_accuracy,val_loss,val_accuracy,train_eval_loss,train_eval_accuracy,grad_norm,grad_clipped,tokens_per_s,tokens,elapsed_s
        10,0.001,3.25,,3.5,0.125,,,,,,,
        20,0.001,nan,,,,,,,,,20480,

        """)
    #expect(
      try text(writer.jsonlURL) == """
        {"step":10,"lr":0.001,"train_loss":3.25,"val_loss":3.5,"val_accuracy":0.125}
        {"step":20,"lr":0.001,"train_loss":"nan","tokens":20480}

        """)
  }

  @Test func tornLastLineIsDroppedOnReopen() throws {
    do {
      let writer = try MetricsWriter(directory: folder)
      for row in rows().prefix(2) { try writer.append(row) }
    }
    let jsonl = folder.appendingPathComponent("metrics.jsonl")
    let csv = folder.appendingPathComponent("metrics.csv")
    for (url, torn) in [(jsonl, #"{"step":20,"lr":0.0"#), (csv, "20,0.00")] {
      let handle = try FileHandle(forWritingTo: url)
      try handle.seekToEnd()
      try handle.write(contentsOf: Data(torn.utf8))
      try handle.close()
    }
    let writer = try MetricsWriter(directory: folder)
    try writer.append(rows()[2])
    let expected = [0, 10, 20]
    #expect(try MetricsWriter.readJSONL(jsonl).map(\.step) == expected)
    #expect(try MetricsWriter.readCSV(csv).map(\.step) == expected)
    #expect(try text(csv).split(separator: "\n").count == 4)
  }

  @Test func resumeTruncatesBothFilesToTheCheckpointStep() throws {
    do {
      let writer = try MetricsWriter(directory: folder)
      for row in rows() { try writer.append(row) }
    }
    let writer = try MetricsWriter(directory: folder, resumeStep: 10)
    #expect(try MetricsWriter.readJSONL(writer.jsonlURL).map(\.step) == [0, 10])
    #expect(try MetricsWriter.readCSV(writer.csvURL).map(\.step) == [0, 10])
    try writer.append(MetricsRow(step: 20, values: ["lr": 5e-4]))
    let steps = try MetricsWriter.readJSONL(writer.jsonlURL).map(\.step)
    #expect(steps == [0, 10, 20])
    #expect(
      try MetricsWriter.readCSV(writer.csvURL).last == MetricsRow(step: 20, values: ["lr": 5e-4]))
  }

  @Test func aChangedColumnSetIsAnError() throws {
    _ = try MetricsWriter(directory: folder)
    #expect(throws: RunFolderError.self) {
      try MetricsWriter(directory: folder, columns: ["step", "lr"])
    }
  }

  @Test func numbersUseTheShortestRoundTripForm() {
    #expect(MetricsWriter.format(100) == "100")
    #expect(MetricsWriter.format(0.1 + 0.2) == "0.30000000000000004")
    #expect(MetricsWriter.format(1e-5) == "1e-05")
    #expect(MetricsWriter.format(-.infinity) == "-inf")
    #expect(MetricsWriter.parse("1e-05") == 1e-5)
  }
}
