import Foundation

/// The outcome of a run, stored as `summary.json` in its folder and rewritten as it goes.
public struct RunSummary: Codable, Equatable, Sendable {
  /// The run-folder format this Betti writes; a folder with a larger `format_version` was
  /// written by a newer Betti and is refused rather than misread.
  public static let currentFormatVersion = 1

  /// Where a run stands.
  public enum Status: String, Codable, Sendable {
    /// Still training (or stopped without a chance to say otherwise).
    case running
    /// Reached `training.steps`.
    case completed
    /// Stopped because the loss became NaN or infinite.
    case diverged
    /// Stopped by the user (e.g. Ctrl-C) before the end.
    case interrupted
    /// Stopped by an error; `error` says which.
    case failed
  }

  public var status: Status
  /// The last completed optimizer step.
  public var step: Int
  /// Seconds of training, summed over resumes.
  public var wallTimeSeconds: Double
  /// The last value of each metric, by column name (see `MetricsWriter`).
  public var finalMetrics: [String: Double]
  /// The error message when `status` is `failed` or `diverged`.
  public var error: String?
  /// Per probe series (`family/location/metric`, e.g. `attention/L0H1/attn_entropy_bits`): the
  /// `final` and `mean` values over the steps it was measured.
  public var probeSummary: [String: [String: Double]] = [:]
  /// The run-folder format of the Betti that wrote the summary (1 when absent).
  public var formatVersion = RunSummary.currentFormatVersion

  public init(
    status: Status, step: Int, wallTimeSeconds: Double, finalMetrics: [String: Double] = [:],
    error: String? = nil
  ) {
    self.status = status
    self.step = step
    self.wallTimeSeconds = wallTimeSeconds
    self.finalMetrics = finalMetrics
    self.error = error
  }

  enum CodingKeys: String, CodingKey {
    case status, step, error
    case wallTimeSeconds = "wall_time_s"
    case finalMetrics = "final_metrics"
    case probeSummary = "probe_summary"
    case formatVersion = "format_version"
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    status = try c.decode(Status.self, forKey: .status)
    step = try c.decode(Int.self, forKey: .step)
    wallTimeSeconds = try c.decode(Double.self, forKey: .wallTimeSeconds)
    finalMetrics = try c.decode([String: Double].self, forKey: .finalMetrics)
    error = try c.decodeIfPresent(String.self, forKey: .error)
    probeSummary =
      try c.decodeIfPresent([String: [String: Double]].self, forKey: .probeSummary) ?? [:]
    formatVersion = try c.decodeIfPresent(Int.self, forKey: .formatVersion) ?? 1
  }

  /// Pretty, sorted JSON; NaN and infinities are written as the strings "nan", "inf", "-inf".
  public func encodedJSON() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }

  /// Reads what `encodedJSON` wrote. A summary from a newer format is refused before its
  /// fields are read, since they may mean something else there.
  public static func decode(_ data: Data) throws -> RunSummary {
    struct Version: Decodable {
      var formatVersion: Int?
      enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
    }
    if let version = (try? JSONDecoder().decode(Version.self, from: data))?.formatVersion,
      version > currentFormatVersion
    {
      throw RunSummaryError.newerFormat(version: version)
    }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try decoder.decode(RunSummary.self, from: data)
  }
}

/// Why a `summary.json` cannot be read by this Betti.
public enum RunSummaryError: LocalizedError, Equatable {
  /// The summary was written by a newer Betti with a run-folder format this one does not know.
  case newerFormat(version: Int)

  public var errorDescription: String? {
    switch self {
    case .newerFormat(let version):
      return
        "written by a newer Betti (run-folder format \(version); this Betti reads up to \(RunSummary.currentFormatVersion)); run this command with the newer Betti, or update this one"
    }
  }
}
