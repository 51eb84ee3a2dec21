import Foundation

/// Where one trial of a Slurm sweep stands: its run folder combined with the queue.
public struct SlurmTrialStatus: Sendable {
  public var trial: Trial
  /// `running` while its task runs, `pending` while it waits in the queue or was never
  /// submitted; otherwise what the run folder says.
  public var state: TrialState
  /// The Slurm id of the latest task that ran it (`<array job>_<task>`); nil if never submitted.
  public var job: String?
  /// The task's state in the queue (`PENDING`, `RUNNING`, …) or, once it left, in accounting
  /// (`TIMEOUT`, …); nil when neither knows it.
  public var slurmState: String?
  /// Why a queued task waits (`JobArrayTaskLimit`, `Priority`, …).
  public var reason: String?
  /// Whether the task is in the queue now.
  public var isQueued: Bool
  /// The error of a failed or diverged trial.
  public var error: String?
  /// The final validation loss, when the trial has one.
  public var valLoss: Double?
}

/// A Slurm sweep's trials from their run folders, `slurm/jobs.json` and `squeue` (and `sacct`
/// when accounting is on). The queue is read before the folders, so a trial that ends in
/// between is seen as ended, never as lost.
public struct SlurmSweepStatus: Sendable {
  public var rows: [SlurmTrialStatus]
  /// Whether `squeue` answered; without it the states come from the run folders alone.
  public var queueKnown: Bool
  /// The sweep's array job ids, oldest first.
  public var jobIDs: [String]
  /// The array job ids with tasks in the queue now.
  public var activeJobIDs: [String]
  /// Trials whose folder said running although their task had left the queue (killed by a
  /// signal it could not catch, the node failed, out of memory): now recorded as failed.
  public var lostTrials: [Int]

  /// Trials per state (every state present).
  public var counts: [TrialState: Int] {
    var counts = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0, 0) })
    for row in rows { counts[row.state, default: 0] += 1 }
    return counts
  }

  /// Whether every trial has run and ended (completed, diverged, failed or interrupted) and
  /// nothing of the sweep is queued: the moment to write `results.csv`.
  public var hasEnded: Bool {
    rows.allSatisfy { !$0.isQueued && $0.state != .pending && $0.state != .running }
  }

  /// Reads the status. With `recordLostTrials`, a lost trial gets a `failed` summary naming
  /// its task and log, as the local backend records a trial process that died; that needs
  /// `squeue` to have answered.
  public static func read(_ sweep: Sweep, tools: SlurmTools, recordLostTrials: Bool = true) throws
    -> SlurmSweepStatus
  {
    let log = try SlurmJobLog.read(for: sweep)
    let jobName = "betti-" + sweep.spec.name
    let known = Set(log.jobIDs)
    let queue = SlurmQueue.queued(jobName: jobName, tools: tools)?.filter {
      known.contains($0.arrayJobID)
    }
    var queued: [String: SlurmTaskState] = [:]
    for task in queue ?? [] { queued[task.jobID] = task }
    let accounting = Dictionary(
      SlurmQueue.accounted(jobIDs: log.jobIDs, tools: tools).map { ($0.jobID, $0) },
      uniquingKeysWith: { _, last in last })
    try sweep.checkRunFolders()

    var rows: [SlurmTrialStatus] = []
    var lost: [Int] = []
    for trial in sweep.trials {
      let folder = sweep.runFolder(trial.index)
      let summary = try folder.readSummaryIfReadable()
      let folderState = summary.map { TrialState(rawValue: $0.status.rawValue)! } ?? .pending
      // The trial's task in the queue: from any submission that included it, latest first.
      let inQueue = log.submissions.reversed().lazy.filter { $0.trials.contains(trial.index) }
        .compactMap { queued[$0.taskJobID(trial: trial.index)] }.first
      let latest = log.latest(for: trial.index)
      let job = inQueue?.jobID ?? latest?.taskJobID(trial: trial.index)
      var row = SlurmTrialStatus(
        trial: trial, state: folderState, job: job,
        slurmState: inQueue?.state ?? job.flatMap { accounting[$0]?.state },
        reason: inQueue?.reason, isQueued: inQueue != nil, error: summary?.error,
        valLoss: summary?.finalMetrics["val_loss"])
      if let inQueue, !folderState.isFinished {
        row.state = inQueue.isRunning ? .running : .pending
      } else if queue != nil, inQueue == nil, folderState == .running, let job {
        let how = row.slurmState.map { "Slurm state \($0)" } ?? "no accounting data"
        let message =
          "Slurm task \(job) ended without the trial recording how (\(how)); its output is slurm/logs/\(job).out"
        if recordLostTrials {
          try sweep.recordFailure(index: trial.index, error: message)
          lost.append(trial.index)
        }
        row.state = .failed
        row.error = message
      }
      rows.append(row)
    }
    let active = log.jobIDs.filter { id in (queue ?? []).contains { $0.arrayJobID == id } }
    return SlurmSweepStatus(
      rows: rows, queueKnown: queue != nil, jobIDs: log.jobIDs, activeJobIDs: active,
      lostTrials: lost)
  }
}
