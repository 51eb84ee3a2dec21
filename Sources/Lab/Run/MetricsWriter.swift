import Foundation

/// One logged step: the step and the metrics measured at it, by column name. A column that was
/// not measured at this step is simply absent from `values`.
public struct MetricsRow: Equatable, Sendable {
  public var step: Int
  public var values: [String: Double]

  public init(step: Int, values: [String: Double] = [:]) {
    self.step = step
    self.values = values
  }

  /// The value of `column`, nil when not measured.
  public subscript(column: String) -> Double? {
    get { values[column] }
    set { values[column] = newValue }
  }
}

/// Appends metric rows to `metrics.jsonl` and `metrics.csv` in a run folder.
///
/// Both files hold the same rows. `metrics.csv` starts with a header of the column names (in
/// `columns` order, `step` first); a cell is empty when the metric was not measured at that
/// step. A `metrics.jsonl` line is a JSON object with `step` and the measured columns only, in
/// the same order. Numbers are written in the shortest form that reads back to the same
/// Double; integral values without a fraction; NaN and infinities as `nan`, `inf`, `-inf`
/// (strings in JSONL, which has no literal for them). `Runs/README.md` describes the columns.
///
/// Never a torn or duplicated row: each row goes to each file in a single `write(2)`;
/// `synchronize()` (call it at checkpoints) flushes both to disk; reopening drops a torn last
/// line (one without its newline, from a crash mid-write) and, when resuming from a checkpoint
/// at step s, every row with step > s, rewriting the files atomically.
public final class MetricsWriter {
  /// The standard columns, in order. Each is documented in `Runs/README.md`.
  public static let standardColumns = [
    "step", "lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "train_eval_loss",
    "train_eval_accuracy", "grad_norm", "grad_clipped", "tokens_per_s", "tokens", "elapsed_s",
  ]

  /// The column names, `step` first.
  public let columns: [String]
  public let jsonlURL: URL
  public let csvURL: URL
  private let jsonl: AppendFile
  private let csv: AppendFile

  /// Opens (creating if needed) the metric files in `directory`. `columns` must start with
  /// `step` and be the same as when the files were created (a changed header is an error).
  /// With `resumeStep`, rows with step > resumeStep are removed; a torn last line is always.
  public init(
    directory: URL, columns: [String] = MetricsWriter.standardColumns, resumeStep: Int? = nil
  ) throws {
    precondition(
      columns.first == "step" && Set(columns).count == columns.count,
      "MetricsWriter: columns \(columns) must start with \"step\" and not repeat")
    self.columns = columns
    jsonlURL = directory.appendingPathComponent("metrics.jsonl")
    csvURL = directory.appendingPathComponent("metrics.csv")
    let header = columns.joined(separator: ",") + "\n"
    try Self.repair(jsonlURL, header: nil, resumeStep: resumeStep)
    try Self.repair(csvURL, header: header, resumeStep: resumeStep)
    jsonl = try AppendFile(url: jsonlURL)
    csv = try AppendFile(url: csvURL)
  }

  /// Appends `row` to both files. Every key of `row.values` must be one of `columns`.
  public func append(_ row: MetricsRow) throws {
    for key in row.values.keys where !columns.contains(key) || key == "step" {
      preconditionFailure("MetricsWriter.append: \"\(key)\" is not a metric column of \(columns)")
    }
    var cells = [String(row.step)]
    var fields = ["\"step\":\(row.step)"]
    for column in columns.dropFirst() {
      if let value = row.values[column] {
        let text = Self.format(value)
        cells.append(text)
        fields.append("\"\(column)\":" + (value.isFinite ? text : "\"\(text)\""))
      } else {
        cells.append("")
      }
    }
    try jsonl.append("{" + fields.joined(separator: ",") + "}\n")
    try csv.append(cells.joined(separator: ",") + "\n")
  }

  /// Flushes both files to disk.
  public func synchronize() throws {
    try jsonl.synchronize()
    try csv.synchronize()
  }

  /// `value` as written in a cell: integral values without a fraction, others in Swift's
  /// shortest round-trip form (`0.001`, `1e-05`), and `nan`, `inf`, `-inf`.
  static func format(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
  }

  static func parse<Text: StringProtocol>(_ text: Text) -> Double? {
    switch text {
    case "nan": .nan
    case "inf": .infinity
    case "-inf": -.infinity
    default: Double(text)
    }
  }

  /// Reads the rows of a `metrics.jsonl` file (a torn last line is ignored).
  public static func readJSONL(_ url: URL) throws -> [MetricsRow] {
    let lines = try completeLines(url)
    return try lines.enumerated().map { index, line in
      guard let row = parseJSONLRow(line) else {
        throw RunFolderError.corruptMetrics(
          path: url.path, line: index + 1, detail: "not a JSON object with an integer \"step\"")
      }
      return row
    }
  }

  /// Reads the rows of a `metrics.csv` file (a torn last line is ignored).
  public static func readCSV(_ url: URL) throws -> [MetricsRow] {
    let lines = try completeLines(url)
    guard let header = lines.first else { return [] }
    let names = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    return try lines.dropFirst().enumerated().map { index, line in
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard cells.count == names.count, let step = Int(cells[0]) else {
        throw RunFolderError.corruptMetrics(
          path: url.path, line: index + 2,
          detail: "expected \(names.count) cells with an integer step")
      }
      var row = MetricsRow(step: step)
      for (name, cell) in zip(names, cells).dropFirst() where !cell.isEmpty {
        guard let value = parse(cell) else {
          throw RunFolderError.corruptMetrics(
            path: url.path, line: index + 2, detail: "\(name) = \"\(cell)\" is not a number")
        }
        row[name] = value
      }
      return row
    }
  }

  /// One `metrics.jsonl` line as a row; nil when it is not an object with an integer step and
  /// numeric values.
  static func parseJSONLRow(_ line: String) -> MetricsRow? {
    // JSONDecoder reads numbers exactly (JSONSerialization may round the last digit).
    guard case .object(let object)? = try? JSONValue.parse(Data(line.utf8)),
      case .integer(let step)? = object["step"]
    else { return nil }
    var row = MetricsRow(step: step)
    for (key, value) in object where key != "step" {
      switch value {
      case .number(let number): row[key] = number
      case .integer(let number): row[key] = Double(number)
      case .string(let text):
        guard let number = parse(text) else { return nil }
        row[key] = number
      default: return nil
      }
    }
    return row
  }

  /// The newline-terminated lines of `url` without their newlines; a last line without one is
  /// torn and left out. A missing file has no lines.
  static func completeLines(_ url: URL) throws -> [String] {
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw RunFolderError.io(path: url.path, detail: error.localizedDescription)
    }
    // Split as bytes: splitting the decoded text walks it Character by Character, which took
    // most of the time of reading a run's 40,000 probe rows.
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    lines.removeLast()  // after the last "\n": "" for a clean file, the torn line otherwise
    return lines
  }

  /// Drops a torn last line and the rows past `resumeStep`, checks or writes the CSV header,
  /// and rewrites the file atomically if anything changed.
  static func repair(
    _ url: URL, header: String?, resumeStep: Int?, stepOf: ((String) -> Int?)? = nil
  ) throws {
    let exists = FileManager.default.fileExists(atPath: url.path)
    let original = exists ? (try? Data(contentsOf: url)) ?? Data() : Data()
    var lines = try completeLines(url)
    var kept = ""
    if let header {
      let expected = String(header.dropLast())
      if let first = lines.first {
        guard first == expected else {
          throw RunFolderError.corruptMetrics(
            path: url.path, line: 1,
            detail:
              "the header \"\(first)\" differs from the columns \"\(expected)\"; use a new run")
        }
        lines.removeFirst()
      }
      kept = header
    }
    for (index, line) in lines.enumerated() {
      let step: Int?
      if let stepOf {
        step = stepOf(line)
      } else if header != nil {
        step = line.split(separator: ",", omittingEmptySubsequences: false).first.flatMap {
          Int($0)
        }
      } else {
        step = parseJSONLRow(line)?.step
      }
      guard let step else {
        throw RunFolderError.corruptMetrics(
          path: url.path, line: index + (header == nil ? 1 : 2), detail: "no integer step")
      }
      if let resumeStep, step > resumeStep { continue }
      kept += line + "\n"
    }
    let data = Data(kept.utf8)
    if data != original || !exists {
      try writeAtomically(data, to: url)
    }
  }
}
