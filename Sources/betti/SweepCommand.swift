import Foundation
import Lab

/// `betti sweep SPEC [--jobs N] [--name NAME] [--set a.b=v]…`, `betti sweep trial SPEC --index I`,
/// `betti sweep status SWEEP`, `betti sweep collect SWEEP`, `betti sweep cancel SWEEP`;
/// `--backend slurm` submits the trials as Slurm job arrays instead (see SweepSlurmCommands).
///
/// A sweep's exit status is 0 when every trial completed, 3 when some failed or diverged,
/// 130 when it was interrupted, 1 when it was refused.
func sweepCommand(_ words: [String]) throws -> Int32 {
  switch words.first {
  case "trial": return try sweepTrialCommand(Array(words.dropFirst()))
  case "status": return try sweepStatusCommand(Array(words.dropFirst()))
  case "collect": return try sweepCollectCommand(Array(words.dropFirst()))
  case "cancel": return try sweepCancelCommand(Array(words.dropFirst()))
  default: break
  }
  let args = try Arguments(
    words, valued: slurmValuedOptions.union(["jobs", "name", "backend"]), switches: ["dry-run"],
    repeated: ["sbatch-arg"])
  guard args.positional.count == 1 else {
    throw UsageError("sweep takes one spec file (or: sweep trial|status|collect|cancel …)")
  }
  switch args.options["backend"] ?? "local" {
  case "local": break
  case "slurm": return try slurmSweepCommand(args)
  case let other: throw UsageError("--backend \(other): use local (the default) or slurm")
  }
  let slurmOnly = slurmValuedOptions.union(["dry-run", "sbatch-arg"]).filter {
    args.options[$0] != nil || args.flags.contains($0) || args.lists[$0] != nil
  }
  if let option = slurmOnly.sorted().first {
    throw UsageError("--\(option) applies to --backend slurm only")
  }
  let jobs = try args.integer("jobs", default: ProcessInfo.processInfo.activeProcessorCount)
  guard jobs >= 1 else { throw UsageError("--jobs = \(jobs) must be at least 1") }
  let specURL = URL(fileURLWithPath: args.positional[0])
  let spec = try SweepSpec.load(
    from: specURL, overrides: args.overrides, name: args.options["name"] ?? "")
  let sweep = try Sweep.plan(spec, source: specURL.path)
  try sweep.prepareFolder()
  Terminal.print("sweep \(sweep.folder.path): \(sweep.trials.count) trials, \(jobs) at a time")

  installStopHandlers()
  let runner = SweepRunner(
    sweep: sweep, jobs: jobs,
    launcher: TrialLaunchers.process(executable: currentExecutable(), jobs: jobs))
  let results = try runner.run(
    shouldStop: { stopRequested != 0 },
    observer: { event in
      switch event {
      case .skipped(let trials):
        Terminal.print("\(trials.count) trials already finished; skipping them")
      case .trialStarted(let trial):
        if !Terminal.isInteractive { Terminal.print("started \(trial.name)") }
      case .trialFinished(let trial, let state, let error, let seconds):
        Terminal.endProgress()
        var line = "\(state.rawValue) \(trial.name) in \(Terminal.duration(seconds))"
        if let error {
          line += ": " + (error.split(separator: "\n").last.map(String.init) ?? error)
        }
        Terminal.print(line)
      case .progress(let p):
        let line = String(
          format: "trials: %d/%d done, %d running, %d failed, %d pending  ETA %@",
          p.completed + p.skipped, p.total, p.running, p.failed, p.pending,
          p.eta.map(Terminal.duration) ?? "?")
        if Terminal.isInteractive { Terminal.progress(line) }
      }
    })
  Terminal.endProgress()
  printCounts(results)
  if let best = results.best, let loss = best.finalMetrics["val_loss"] {
    Terminal.print(String(format: "best: %@ (val_loss %.4f)", best.trial.name, loss))
  }
  Terminal.print("results: \(sweep.resultsURL.path)")
  Terminal.print("report: \(sweep.reportURL.path)")
  let counts = results.counts
  if stopRequested != 0 || counts[.interrupted, default: 0] > 0 { return 130 }
  return counts[.completed] == sweep.trials.count ? 0 : 3
}

/// `betti sweep trial SPEC --index I [--set a.b=v]…`: trains trial I in place (resuming it
/// when it was interrupted). SPEC is the spec file or the sweep's `sweep.json`.
private func sweepTrialCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: ["index"], switches: [])
  guard args.positional.count == 1, args.options["index"] != nil else {
    throw UsageError("sweep trial takes one spec file and --index I")
  }
  let index = try args.integer("index", default: 0)
  let specURL = URL(fileURLWithPath: args.positional[0])
  let spec = try SweepSpec.load(from: specURL, overrides: args.overrides)
  let sweep = try Sweep.plan(spec, source: specURL.path)
  installStopHandlers()
  let summary = try sweep.runTrial(index: index, shouldStop: { stopRequested != 0 })
  Terminal.print("\(sweep.trials[index].name): \(summary.status.rawValue) at step \(summary.step)")
  switch summary.status {
  case .completed: return 0
  case .diverged:
    Terminal.error("diverged: \(summary.error ?? "")")
    return 3
  case .interrupted: return 130
  default:
    Terminal.error("\(summary.status.rawValue): \(summary.error ?? "")")
    return 1
  }
}

/// `betti sweep status SWEEP`: each trial's state from its run folder (and Slurm's queue for
/// a sweep submitted there).
private func sweepStatusCommand(_ words: [String]) throws -> Int32 {
  let sweep = try openSweep(words, verb: "status")
  if try !SlurmJobLog.read(for: sweep).submissions.isEmpty { return try slurmStatus(sweep) }
  let results = try SweepResults.collect(sweep)
  for row in results.rows {
    let state = row.state == .completed ? "done" : row.state.rawValue
    var line = "\(state.padding(toLength: 12, withPad: " ", startingAt: 0))\(row.trial.name)"
    if let loss = row.finalMetrics["val_loss"] { line += String(format: "  val_loss %.4f", loss) }
    if let error = row.error, row.state != .completed {
      line += "  " + (error.split(separator: "\n").first.map(String.init) ?? "")
    }
    Terminal.print(line)
  }
  printCounts(results)
  return 0
}

/// `betti sweep collect SWEEP`: rewrites `results.csv`, `summary.json` and `report.html`.
private func sweepCollectCommand(_ words: [String]) throws -> Int32 {
  let sweep = try openSweep(words, verb: "collect")
  if try !SlurmJobLog.read(for: sweep).submissions.isEmpty {
    // Records trials Slurm lost (killed without a summary) before collecting.
    _ = try SlurmSweepStatus.read(sweep, tools: SystemSlurmTools())
  }
  let results = try sweep.writeResultsAndReport()
  printCounts(results)
  Terminal.print(
    "wrote \(sweep.resultsURL.path), \(sweep.summaryURL.path) and \(sweep.reportURL.path)")
  return 0
}

/// The sweep in the folder named by the one positional word (a path, or a name under `Runs/`).
func openSweep(_ words: [String], verb: String) throws -> Sweep {
  let args = try Arguments(words, valued: [], switches: [])
  guard args.positional.count == 1 else { throw UsageError("sweep \(verb) takes one sweep folder") }
  var folder = URL(fileURLWithPath: args.positional[0])
  let fileManager = FileManager.default
  if !fileManager.fileExists(atPath: folder.appendingPathComponent("sweep.json").path),
    !args.positional[0].contains("/")
  {
    folder = URL(fileURLWithPath: "Runs").appendingPathComponent(args.positional[0])
  }
  return try Sweep.open(folder: folder)
}

func printCounts(_ results: SweepResults) {
  printCounts(results.counts, total: results.rows.count)
}

func printCounts(_ counts: [TrialState: Int], total: Int) {
  let parts = [
    ("done", TrialState.completed), ("running", .running), ("pending", .pending),
    ("interrupted", .interrupted), ("failed", .failed), ("diverged", .diverged),
  ].compactMap { label, state in
    counts[state, default: 0] > 0 ? "\(counts[state]!) \(label)" : nil
  }
  Terminal.print("\(total) trials: " + parts.joined(separator: ", "))
}

/// This program's executable, to run each trial in its own process.
func currentExecutable() -> URL {
  let proc = URL(fileURLWithPath: "/proc/self/exe")
  if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: proc.path) {
    return URL(fileURLWithPath: resolved)
  }
  let argument = CommandLine.arguments[0]
  if argument.contains("/") { return URL(fileURLWithPath: argument).standardizedFileURL }
  for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
    let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(argument)
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
  }
  return URL(fileURLWithPath: argument)
}
