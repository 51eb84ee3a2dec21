import Foundation

/// How one trial ended, as its launcher saw it.
public struct TrialOutcome: Sendable {
  /// The process's exit status (0 completed, 3 diverged, 130 interrupted, else an error);
  /// nil when the trial ran in this process.
  public var exitStatus: Int32?
  /// What went wrong, when something did: the error, or the tail of the process's stderr.
  public var error: String?

  public init(exitStatus: Int32? = nil, error: String? = nil) {
    self.exitStatus = exitStatus
    self.error = error
  }
}

/// Runs one trial to its end and reports how it went; called on a worker thread, at most
/// `jobs` at a time. `shouldStop` turns true when the sweep is asked to stop.
public typealias TrialLauncher =
  @Sendable (_ sweep: Sweep, _ index: Int, _ shouldStop: @escaping @Sendable () -> Bool) ->
  TrialOutcome

/// The launchers a sweep can use.
public enum TrialLaunchers {
  /// Runs each trial as its own process: `executable sweep trial <sweep.json> --index I`.
  /// The child's standard output is discarded (its run folder has `log.txt`); the last 4 kB of
  /// its standard error is kept for the error. When the sweep is asked to stop, each running
  /// child is sent SIGTERM, which `betti` treats like Ctrl-C. `BETTI_THREADS` is set to
  /// cores / jobs unless already set, so that parallel trials do not oversubscribe the cores.
  public static func process(executable: URL, jobs: Int) -> TrialLauncher {
    return { sweep, index, shouldStop in
      let process = Process()
      process.executableURL = executable
      process.arguments = ["sweep", "trial", sweep.specURL.path, "--index", String(index)]
      var environment = ProcessInfo.processInfo.environment
      if environment["BETTI_THREADS"] == nil {
        environment["BETTI_THREADS"] = String(
          max(1, ProcessInfo.processInfo.activeProcessorCount / max(jobs, 1)))
      }
      process.environment = environment
      process.standardOutput = FileHandle.nullDevice
      let errors = Pipe()
      process.standardError = errors
      do {
        try process.run()
      } catch {
        return TrialOutcome(
          exitStatus: nil, error: "cannot start \(executable.path): \(error.localizedDescription)")
      }
      // Asked to stop, the child gets one SIGTERM: it checkpoints and exits as interrupted.
      // SIGTERM, not SIGINT: a child in the terminal's process group may have had the
      // terminal's Ctrl-C already, and a second SIGINT would end it without a checkpoint.
      Thread.detachNewThread {
        while process.isRunning {
          if shouldStop() {
            process.terminate()
            return
          }
          Thread.sleep(forTimeInterval: 0.2)
        }
      }
      let data = errors.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      let text = String(decoding: data.suffix(4096), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let status =
        process.terminationReason == .uncaughtSignal
        ? 128 + process.terminationStatus
        : process.terminationStatus
      return TrialOutcome(exitStatus: status, error: text.isEmpty ? nil : text)
    }
  }

  /// Runs each trial in this process with `Sweep.runTrial` (for tests and single-process use).
  public static let inProcess: TrialLauncher = { sweep, index, shouldStop in
    do {
      try sweep.runTrial(index: index, shouldStop: shouldStop)
      return TrialOutcome()
    } catch {
      return TrialOutcome(error: error.localizedDescription)
    }
  }
}

/// Progress of a sweep, for displays.
public struct SweepProgress: Sendable {
  public var total: Int
  /// Trials already finished before this invocation started (left alone).
  public var skipped: Int
  public var completed: Int
  public var running: Int
  /// Failed, diverged or interrupted in this invocation.
  public var failed: Int
  public var pending: Int
  /// Seconds to go, from the mean duration of the trials finished so far; nil before the first.
  public var eta: Double?
}

/// Something the sweep runner reports, for progress displays.
public enum SweepEvent: Sendable {
  /// The trials already finished, left alone.
  case skipped([Trial])
  case trialStarted(Trial)
  /// A trial ended; `state` is read from its run folder, `error` from its summary or stderr.
  case trialFinished(Trial, state: TrialState, error: String?, seconds: Double)
  /// The counts changed (also sent about once a second while trials run, for the ETA).
  case progress(SweepProgress)
}

/// Runs a sweep's unfinished trials, `jobs` at a time, each through the launcher, and writes
/// `results.csv`, `summary.json` and `report.html` at the end. A trial that fails or diverges
/// is recorded in its run folder and the others go on. When `shouldStop` turns true no new
/// trial starts; the running ones are told to stop (a child process gets the terminal's Ctrl-C
/// itself) and waited for.
public struct SweepRunner {
  public let sweep: Sweep
  public let jobs: Int
  public let launcher: TrialLauncher

  public init(
    sweep: Sweep, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
    launcher: @escaping TrialLauncher = TrialLaunchers.inProcess
  ) {
    self.sweep = sweep
    self.jobs = max(1, jobs)
    self.launcher = launcher
  }

  /// Runs what is left of the sweep; returns the collected results.
  @discardableResult
  public func run(
    shouldStop: @escaping @Sendable () -> Bool = { false },
    observer: (SweepEvent) -> Void = { _ in }
  ) throws -> SweepResults {
    try sweep.prepareFolder()
    try sweep.checkRunFolders()
    let finished = sweep.trials.filter { sweep.state(of: $0.index).isFinished }
    if !finished.isEmpty { observer(.skipped(finished)) }
    var queue = sweep.trials.filter { !sweep.state(of: $0.index).isFinished }
    queue.reverse()  // popLast takes them in order

    let mailbox = Mailbox()
    var running: Set<Int> = []
    var progress = SweepProgress(
      total: sweep.trials.count, skipped: finished.count, completed: 0, running: 0, failed: 0,
      pending: queue.count, eta: nil)
    var durations: [Double] = []
    let stop: @Sendable () -> Bool = shouldStop
    let target = sweep
    let launcher = self.launcher

    func estimate() -> Double? {
      guard !durations.isEmpty else { return nil }
      let mean = durations.reduce(0, +) / Double(durations.count)
      return mean * (Double(progress.pending) + 0.5 * Double(progress.running)) / Double(jobs)
    }

    while true {
      while running.count < jobs, !stop(), let trial = queue.popLast() {
        running.insert(trial.index)
        progress.running = running.count
        progress.pending = queue.count
        observer(.trialStarted(trial))
        observer(.progress(progress))
        let index = trial.index
        Thread.detachNewThread {
          let started = Date()
          let outcome = launcher(target, index, stop)
          mailbox.post((index, outcome, Date().timeIntervalSince(started)))
        }
      }
      if running.isEmpty { break }
      let ended = mailbox.take(waitingUntil: Date().addingTimeInterval(1))
      for (index, outcome, seconds) in ended {
        running.remove(index)
        let (state, error) = record(index: index, outcome: outcome)
        if state == .completed {
          progress.completed += 1
          durations.append(seconds)
        } else {
          progress.failed += 1
          if state != .interrupted { durations.append(seconds) }
        }
        observer(.trialFinished(sweep.trials[index], state: state, error: error, seconds: seconds))
      }
      progress.running = running.count
      progress.pending = queue.count
      progress.eta = estimate()
      observer(.progress(progress))
    }
    return try sweep.writeResultsAndReport()
  }

  /// Where worker threads leave the trials they finished.
  private final class Mailbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(index: Int, outcome: TrialOutcome, seconds: Double)] = []

    func post(_ item: (index: Int, outcome: TrialOutcome, seconds: Double)) {
      condition.lock()
      items.append(item)
      condition.signal()
      condition.unlock()
    }

    /// Everything posted so far, waiting until `deadline` for something when empty.
    func take(waitingUntil deadline: Date) -> [(index: Int, outcome: TrialOutcome, seconds: Double)]
    {
      condition.lock()
      defer { condition.unlock() }
      while items.isEmpty && condition.wait(until: deadline) {}
      let taken = items
      items.removeAll()
      return taken
    }
  }

  /// The trial's state from its run folder after it ended; a launcher that failed without a
  /// summary saying so gets one written, with the launcher's error.
  private func record(index: Int, outcome: TrialOutcome) -> (TrialState, String?) {
    let summary = (try? sweep.runFolder(index).readSummary()) ?? nil
    let state = summary.map { TrialState(rawValue: $0.status.rawValue)! } ?? .pending
    let failedToFinish = state == .pending || state == .running
    if failedToFinish {
      let status = outcome.exitStatus.map { "exit status \($0)" } ?? "no summary"
      let message = outcome.error ?? "the trial ended (\(status)) without a summary"
      try? sweep.recordFailure(index: index, error: message)
      return (.failed, message)
    }
    if state == .failed, summary?.error == nil, let error = outcome.error {
      try? sweep.recordFailure(index: index, error: error)
      return (.failed, error)
    }
    return (state, summary?.error ?? (state == .completed ? nil : outcome.error))
  }
}
