import Foundation
import Probes

/// Appends probe measurements in long format to `probes.csv` and `probes.jsonl` in a run folder.
///
/// One row per step, family, location and metric: `step,family,layer,head,tensor,metric,value`
/// (empty cells where a location does not apply), readable by pandas (`pd.read_csv`) and by the
/// lab's own report. The same guarantees as `MetricsWriter`: each row batch is one `write(2)`,
/// a torn last line is dropped on reopening, and resuming from step s removes the rows past s.
public final class ProbeWriter {
  public static let columns = ["step", "family", "layer", "head", "tensor", "metric", "value"]
  public let csvURL: URL
  public let jsonlURL: URL
  private let csv: AppendFile
  private let jsonl: AppendFile

  public init(directory: URL, resumeStep: Int? = nil) throws {
    csvURL = directory.appendingPathComponent("probes.csv")
    jsonlURL = directory.appendingPathComponent("probes.jsonl")
    let header = Self.columns.joined(separator: ",") + "\n"
    try MetricsWriter.repair(csvURL, header: header, resumeStep: resumeStep) { line in
      line.split(separator: ",", maxSplits: 1).first.flatMap { Int($0) }
    }
    try MetricsWriter.repair(jsonlURL, header: nil, resumeStep: resumeStep) { line in
      // Rows start with {"step":N,
      guard line.hasPrefix("{\"step\":") else { return nil }
      return Int(line.dropFirst(8).prefix { $0.isNumber || $0 == "-" })
    }
    csv = try AppendFile(url: csvURL)
    jsonl = try AppendFile(url: jsonlURL)
  }

  /// Appends `rows` (one write per file).
  public func append(_ rows: [ProbeRow]) throws {
    guard !rows.isEmpty else { return }
    var csvText = ""
    var jsonText = ""
    for r in rows {
      let value = MetricsWriter.format(r.value)
      csvText +=
        "\(r.step),\(r.family.rawValue),\(r.layer.map(String.init) ?? ""),\(r.head.map(String.init) ?? ""),\(r.tensor ?? ""),\(r.metric),\(value)\n"
      var fields = ["\"step\":\(r.step)", "\"family\":\"\(r.family.rawValue)\""]
      if let l = r.layer { fields.append("\"layer\":\(l)") }
      if let h = r.head { fields.append("\"head\":\(h)") }
      if let t = r.tensor { fields.append("\"tensor\":\"\(t)\"") }
      fields.append("\"metric\":\"\(r.metric)\"")
      fields.append("\"value\":" + (r.value.isFinite ? value : "\"\(value)\""))
      jsonText += "{" + fields.joined(separator: ",") + "}\n"
    }
    try csv.append(csvText)
    try jsonl.append(jsonText)
  }

  public func synchronize() throws {
    try csv.synchronize()
    try jsonl.synchronize()
  }

  /// Reads `probes.csv` back.
  public static func read(_ url: URL) throws -> [ProbeRow] {
    let lines = try MetricsWriter.completeLines(url)
    return lines.dropFirst().compactMap { line in
      let c = line.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        .map(Substring.init)
      guard c.count == 7, let step = Int(c[0]), let family = ProbeFamily(rawValue: String(c[1])),
        let value = MetricsWriter.parse(c[6])
      else { return nil }
      return ProbeRow(
        step: step, family: family, layer: Int(c[2]), head: Int(c[3]),
        tensor: c[4].isEmpty ? nil : String(c[4]),
        metric: String(c[5]), value: value)
    }
  }
}
