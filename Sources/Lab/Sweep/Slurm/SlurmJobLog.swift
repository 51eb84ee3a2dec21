import Foundation

/// One job array that `sbatch` accepted for the sweep.
public struct SlurmSubmission: Codable, Equatable, Sendable {
  /// The array's job id, as `sbatch --parsable` printed it (without a cluster name).
  public var jobID: String
  /// Array task k runs trial `offset + k`.
  public var offset: Int
  /// The `--array` value it was submitted with.
  public var array: String
  /// The trial indices it runs.
  public var trials: [Int]
  /// When it was submitted (ISO 8601, UTC).
  public var submitted: String

  public init(jobID: String, offset: Int, array: String, trials: [Int], submitted: String) {
    self.jobID = jobID
    self.offset = offset
    self.array = array
    self.trials = trials
    self.submitted = submitted
  }

  enum CodingKeys: String, CodingKey {
    case jobID = "job_id"
    case offset, array, trials, submitted
  }

  /// The id Slurm gives the task that runs trial `index` (`<job>_<task>`).
  public func taskJobID(trial index: Int) -> String { "\(jobID)_\(index - offset)" }
}

/// The sweep's Slurm jobs, oldest first: `Runs/<sweep>/slurm/jobs.json`, rewritten atomically
/// after every accepted array, so that no accepted job goes unrecorded.
public struct SlurmJobLog: Sendable {
  public let url: URL
  public private(set) var submissions: [SlurmSubmission]

  /// Reads the sweep's log; an absent file is an empty log.
  public static func read(for sweep: Sweep) throws -> SlurmJobLog {
    let url = SlurmScript.folder(of: sweep).appendingPathComponent("jobs.json")
    guard FileManager.default.fileExists(atPath: url.path) else {
      return SlurmJobLog(url: url, submissions: [])
    }
    do {
      let data = try Data(contentsOf: url)
      return SlurmJobLog(
        url: url, submissions: try JSONDecoder().decode([SlurmSubmission].self, from: data))
    } catch {
      throw SlurmError.unreadableJobLog(path: url.path, detail: error.localizedDescription)
    }
  }

  /// Adds `submission` and rewrites the file.
  public mutating func append(_ submission: SlurmSubmission) throws {
    submissions.append(submission)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(submissions)
    data.append(0x0A)
    try writeAtomically(data, to: url)
  }

  /// The latest submission that ran trial `index`, if any.
  public func latest(for index: Int) -> SlurmSubmission? {
    submissions.last { $0.trials.contains(index) }
  }

  /// The array job ids, oldest first.
  public var jobIDs: [String] { submissions.map(\.jobID) }
}
