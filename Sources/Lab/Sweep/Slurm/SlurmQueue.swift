import Foundation

/// One array task as `squeue` or `sacct` reports it.
public struct SlurmTaskState: Equatable, Sendable {
  public var arrayJobID: String
  public var taskID: Int
  /// Slurm's state name: `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `TIMEOUT`, …
  public var state: String
  /// Why it is pending (`Priority`, `JobArrayTaskLimit`, …); nil when Slurm gives none.
  public var reason: String?

  public init(arrayJobID: String, taskID: Int, state: String, reason: String? = nil) {
    self.arrayJobID = arrayJobID
    self.taskID = taskID
    self.state = state
    self.reason = reason
  }

  /// `<array job id>_<task id>`.
  public var jobID: String { "\(arrayJobID)_\(taskID)" }

  /// Whether the task is running or about to (it holds, or is getting, a node).
  public var isRunning: Bool {
    ["RUNNING", "CONFIGURING", "COMPLETING", "STAGE_OUT", "SIGNALING"].contains(state)
  }
}

/// Reading the queue and the cluster's limits through the Slurm commands.
public enum SlurmQueue {
  /// The `squeue` arguments listing the tasks of jobs named `jobName`, one line per task.
  static func squeueArguments(jobName: String) -> [String] {
    ["--noheader", "--array", "--name=\(jobName)", "--format=%F|%K|%T|%r"]
  }

  /// The tasks `squeue` lists (lines `array job|task|state|reason`); other lines, such as a job
  /// that is not an array, are skipped.
  public static func parseSqueue(_ text: String) -> [SlurmTaskState] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard fields.count >= 3, let task = Int(fields[1]), !fields[0].isEmpty else { return nil }
      let reason = fields.count > 3 && !fields[3].isEmpty && fields[3] != "None" ? fields[3] : nil
      return SlurmTaskState(arrayJobID: fields[0], taskID: task, state: fields[2], reason: reason)
    }
  }

  /// The `sacct` arguments listing the tasks of `jobIDs`.
  static func sacctArguments(jobIDs: [String]) -> [String] {
    [
      "--noheader", "--parsable2", "--allocations", "--jobs=" + jobIDs.joined(separator: ","),
      "--format=JobID,State",
    ]
  }

  /// The tasks `sacct --parsable2` lists (`123_4|TIMEOUT`, `123_5|CANCELLED by 0`); lines of
  /// pending task ranges (`123_[6-9%2]`) and of jobs that are not arrays are skipped.
  public static func parseSacct(_ text: String) -> [SlurmTaskState] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
      let fields = line.split(separator: "|", omittingEmptySubsequences: false)
      guard fields.count >= 2 else { return nil }
      let id = fields[0].split(separator: "_")
      guard id.count == 2, let task = Int(id[1]) else { return nil }
      let state = fields[1].split(separator: " ").first.map(String.init) ?? ""
      return SlurmTaskState(arrayJobID: String(id[0]), taskID: task, state: state)
    }
  }

  /// `MaxArraySize` from `scontrol show config` output; nil when it is not there.
  public static func parseMaxArraySize(_ text: String) -> Int? {
    for line in text.split(whereSeparator: \.isNewline) {
      let parts = line.split(separator: "=", maxSplits: 1)
      if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "MaxArraySize" {
        return Int(parts[1].trimmingCharacters(in: .whitespaces))
      }
    }
    return nil
  }

  /// The tasks of jobs named `jobName` in the queue now; nil when `squeue` is not on PATH or
  /// fails (then nothing is known about the queue).
  public static func queued(jobName: String, tools: SlurmTools) -> [SlurmTaskState]? {
    guard tools.isAvailable("squeue"),
      let output = try? tools.run("squeue", squeueArguments(jobName: jobName)),
      output.status == 0
    else { return nil }
    return parseSqueue(output.standardOutput)
  }

  /// What accounting knows of the tasks of `jobIDs`; empty when `sacct` is not on PATH, or
  /// accounting is off (`accounting_storage/none`), or it fails.
  public static func accounted(jobIDs: [String], tools: SlurmTools) -> [SlurmTaskState] {
    guard !jobIDs.isEmpty, tools.isAvailable("sacct"),
      let output = try? tools.run("sacct", sacctArguments(jobIDs: jobIDs)), output.status == 0
    else { return [] }
    return parseSacct(output.standardOutput)
  }

  /// The cluster's `MaxArraySize` from `scontrol show config`; nil when that cannot tell.
  public static func maxArraySize(tools: SlurmTools) -> Int? {
    guard tools.isAvailable("scontrol"),
      let output = try? tools.run("scontrol", ["show", "config"]), output.status == 0
    else { return nil }
    return parseMaxArraySize(output.standardOutput)
  }
}
