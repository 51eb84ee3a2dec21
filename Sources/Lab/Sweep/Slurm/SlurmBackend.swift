import Foundation

/// What submitting a sweep to Slurm will do: which trials, in which arrays, with which script.
public struct SlurmSubmissionPlan: Sendable {
  public var script: SlurmScript
  /// The sweep's state before submitting.
  public var status: SlurmSweepStatus
  /// Completed or diverged: left alone.
  public var finished: [Int]
  /// Queued or running in Slurm now: left alone.
  public var active: [Int]
  /// Everything else: pending, interrupted, failed, lost.
  public var toSubmit: [Int]
  public var arrays: [SlurmArray]
  public var maxArraySize: Int
  /// Where `maxArraySize` came from, for the display.
  public var maxArraySizeSource: String

  /// The `sbatch` argument lists in order; an array that waits for the one before it names
  /// it as `<job id of array N>` until it is known.
  public var commands: [[String]] {
    arrays.indices.map { i in
      script.sbatchArguments(
        for: arrays[i], after: dependency(of: i) { "<job id of array \($0 + 1)>" })
    }
  }

  /// A throttled sweep split into several arrays runs them one after another (each waits for
  /// the previous one to end), so that no more than `max_concurrent` trials run at once.
  func dependency(of index: Int, jobID: (Int) -> String) -> String? {
    index > 0 && script.options.maxConcurrent != nil ? jobID(index - 1) : nil
  }
}

/// Runs a sweep on Slurm: each trial is one task of a job array running
/// `betti sweep trial <sweep.json> --index I` in the same run folder the local backend uses.
/// Submitting again submits only the trials that are neither finished nor in the queue.
public struct SlurmBackend: Sendable {
  public let sweep: Sweep
  public let options: SlurmOptions
  public let tools: SlurmTools
  public let script: SlurmScript

  public init(
    sweep: Sweep, options: SlurmOptions, tools: SlurmTools, executable: URL,
    workingDirectory: URL
  ) {
    self.sweep = sweep
    self.options = options
    self.tools = tools
    script = SlurmScript(
      sweep: sweep, options: options, executable: executable, workingDirectory: workingDirectory)
  }

  /// Plans a submission. Without `dryRun`, `sbatch` must be on PATH (checked before anything
  /// is written) and trials lost by Slurm are recorded as failed; a dry run writes nothing.
  /// Refuses a sweep folder made by another spec and run folders from a newer Betti.
  public func plan(dryRun: Bool = false) throws -> SlurmSubmissionPlan {
    if !dryRun, !tools.isAvailable("sbatch") { throw SlurmError.toolMissing(tool: "sbatch") }
    try sweep.checkFolder()
    let status = try SlurmSweepStatus.read(sweep, tools: tools, recordLostTrials: !dryRun)
    let finished = status.rows.filter { $0.state.isFinished }.map(\.trial.index)
    let active = status.rows.filter { $0.isQueued && !$0.state.isFinished }.map(\.trial.index)
    let toSubmit = status.rows.filter { !$0.state.isFinished && !$0.isQueued }.map(\.trial.index)
    let size: Int
    let source: String
    if let fromCluster = SlurmQueue.maxArraySize(tools: tools) {
      (size, source) = (fromCluster, "scontrol show config")
    } else if let given = options.maxArraySize {
      (size, source) = (given, "the max_array_size option")
    } else {
      (size, source) = (SlurmOptions.defaultMaxArraySize, "Slurm's default")
    }
    return SlurmSubmissionPlan(
      script: script, status: status, finished: finished, active: active, toSubmit: toSubmit,
      arrays: SlurmArray.chunked(toSubmit, maxArraySize: size), maxArraySize: size,
      maxArraySizeSource: source)
  }

  /// Writes `sweep.json`, `slurm/array.sbatch` and `slurm/logs/`, and submits the plan's
  /// arrays in order, recording each accepted one in `slurm/jobs.json` at once. A refusal by
  /// `sbatch` is `SlurmError.sbatchRefused` with its message; the arrays accepted before it
  /// stay recorded.
  @discardableResult
  public func submit(_ plan: SlurmSubmissionPlan, now: () -> Date = Date.init) throws
    -> [SlurmSubmission]
  {
    guard tools.isAvailable("sbatch") else { throw SlurmError.toolMissing(tool: "sbatch") }
    guard !plan.arrays.isEmpty else { return [] }
    try sweep.prepareFolder()
    do {
      try FileManager.default.createDirectory(
        at: script.logsFolder, withIntermediateDirectories: true)
      try writeAtomically(Data(script.text.utf8), to: script.url)
    } catch {
      throw RunFolderError.io(path: script.url.path, detail: error.localizedDescription)
    }
    var log = try SlurmJobLog.read(for: sweep)
    var accepted: [SlurmSubmission] = []
    for (i, array) in plan.arrays.enumerated() {
      let dependency = plan.dependency(of: i) { accepted[$0].jobID }
      let arguments = script.sbatchArguments(for: array, after: dependency)
      let output = try tools.run("sbatch", arguments)
      guard output.status == 0 else {
        let message =
          [output.standardError, output.standardOutput]
          .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
          .first { !$0.isEmpty } ?? "no message"
        throw SlurmError.sbatchRefused(
          status: output.status, message: message, submitted: accepted.map(\.jobID))
      }
      // `--parsable` prints `<job id>` or `<job id>;<cluster>`.
      let first = output.standardOutput.split(whereSeparator: \.isNewline).first ?? ""
      let jobID = String(first.split(separator: ";").first ?? "")
        .trimmingCharacters(in: .whitespaces)
      guard !jobID.isEmpty, jobID.allSatisfy(\.isNumber) else {
        throw SlurmError.toolFailed(
          tool: "sbatch", status: output.status,
          message: "expected a job id from --parsable, got \"\(output.standardOutput)\"")
      }
      let submission = SlurmSubmission(
        jobID: jobID, offset: array.offset,
        array: array.arraySpec(maxConcurrent: options.maxConcurrent), trials: array.trialIndices,
        submitted: ISO8601DateFormatter().string(from: now()))
      try log.append(submission)
      accepted.append(submission)
    }
    return accepted
  }

  /// Cancels the sweep's jobs that are in the queue (all recorded ones when `squeue` cannot
  /// tell) with `scancel`; running trials get TERM, checkpoint and stop as interrupted.
  /// Returns the job ids cancelled (empty when nothing was queued).
  public static func cancel(_ sweep: Sweep, tools: SlurmTools) throws -> [String] {
    let log = try SlurmJobLog.read(for: sweep)
    guard !log.submissions.isEmpty else { throw SlurmError.noJobs(folder: sweep.folder.path) }
    guard tools.isAvailable("scancel") else { throw SlurmError.toolMissing(tool: "scancel") }
    let ids: [String]
    if let queue = SlurmQueue.queued(jobName: "betti-" + sweep.spec.name, tools: tools) {
      ids = log.jobIDs.filter { id in queue.contains { $0.arrayJobID == id } }
    } else {
      ids = log.jobIDs
    }
    guard !ids.isEmpty else { return [] }
    let output = try tools.run("scancel", ids)
    guard output.status == 0 else {
      throw SlurmError.toolFailed(
        tool: "scancel", status: output.status,
        message: output.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    return ids
  }
}
