import Foundation
import Lab

/// The options of `betti sweep SPEC --backend slurm` that take a value.
let slurmValuedOptions: Set<String> = [
  "partition", "time", "cpus-per-task", "mem", "max-concurrent", "max-array-size",
]

/// `betti sweep SPEC --backend slurm [--partition P] [--time T] [--cpus-per-task N] [--mem M]
/// [--max-concurrent K] [--max-array-size M] [--sbatch-arg ARG]… [--dry-run]`: writes
/// `Runs/<sweep>/slurm/array.sbatch` and submits the unfinished trials as job arrays.
func slurmSweepCommand(_ args: Arguments) throws -> Int32 {
  if args.options["jobs"] != nil {
    throw UsageError("--jobs is for the local backend; with --backend slurm use --max-concurrent")
  }
  let given = SlurmOptions(
    partition: args.options["partition"], time: args.options["time"],
    cpusPerTask: try optionalInteger(args, "cpus-per-task"), mem: args.options["mem"],
    maxConcurrent: try optionalInteger(args, "max-concurrent"),
    maxArraySize: try optionalInteger(args, "max-array-size"),
    sbatchArgs: args.lists["sbatch-arg"] ?? [])
  if let problem = given.firstProblem(naming: { "--" + $0.replacingOccurrences(of: "_", with: "-") }
  ) {
    throw UsageError("\(problem.option): \(problem.message)")
  }
  let specURL = URL(fileURLWithPath: args.positional[0])
  let spec = try SweepSpec.load(
    from: specURL, overrides: args.overrides, name: args.options["name"] ?? "")
  let sweep = try Sweep.plan(spec, source: specURL.path)
  let options = (spec.slurm ?? SlurmOptions()).merged(with: given)
  let dryRun = args.flags.contains("dry-run")
  let backend = SlurmBackend(
    sweep: sweep, options: options, tools: SystemSlurmTools(), executable: currentExecutable(),
    workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
  let plan = try backend.plan(dryRun: dryRun)

  var line = "sweep \(sweep.folder.path): \(sweep.trials.count) trials"
  if !plan.finished.isEmpty { line += ", \(plan.finished.count) finished" }
  if !plan.active.isEmpty { line += ", \(plan.active.count) queued or running in Slurm" }
  Terminal.print(line + ", \(plan.toSubmit.count) to submit")
  for index in plan.status.lostTrials {
    Terminal.print(
      "\(sweep.trials[index].name): its task ended without a summary; recorded as failed")
  }
  if plan.arrays.count > 1 {
    Terminal.print(
      "MaxArraySize \(plan.maxArraySize) (from \(plan.maxArraySizeSource)): \(plan.arrays.count) arrays"
        + (options.maxConcurrent != nil ? ", each waiting for the one before" : ""))
  }
  if dryRun {
    Terminal.print("\n# \(plan.script.url.path)\n" + plan.script.text)
    for arguments in plan.commands {
      Terminal.print((["sbatch"] + arguments).map(shellQuoted).joined(separator: " "))
    }
    Terminal.print("dry run: nothing written or submitted")
    return 0
  }
  guard !plan.toSubmit.isEmpty else {
    if plan.status.hasEnded {
      let results = try sweep.writeResultsAndReport()
      printCounts(results)
      Terminal.print(
        "every trial has ended; results: \(sweep.resultsURL.path), report: \(sweep.reportURL.path)")
    } else {
      Terminal.print("nothing to submit; follow with: betti sweep status \(sweep.folder.path)")
    }
    return 0
  }
  let submitted = try backend.submit(plan)
  for submission in submitted {
    Terminal.print(
      "submitted job \(submission.jobID): --array=\(submission.array), \(submission.trials.count) trials"
    )
  }
  Terminal.print("script: \(plan.script.url.path)")
  Terminal.print(
    "follow with: betti sweep status \(sweep.folder.path)   (cancel: betti sweep cancel \(sweep.folder.path))"
  )
  return 0
}

/// `betti sweep status SWEEP` for a sweep submitted to Slurm.
func slurmStatus(_ sweep: Sweep) throws -> Int32 {
  let status = try SlurmSweepStatus.read(sweep, tools: SystemSlurmTools())
  for row in status.rows {
    let label = row.state == .completed ? "done" : row.state.rawValue
    var line = "\(label.padding(toLength: 12, withPad: " ", startingAt: 0))\(row.trial.name)"
    if let loss = row.valLoss, row.state == .completed {
      line += String(format: "  val_loss %.4f", loss)
    }
    if let job = row.job {
      line += "  job \(job)"
      if row.isQueued, !row.state.isFinished {
        line += row.state == .running ? " running" : " queued"
        if let reason = row.reason { line += " (\(reason))" }
      } else if let state = row.slurmState {
        line += " (\(state))"
      }
    } else {
      line += "  not submitted"
    }
    if let error = row.error, row.state == .failed || row.state == .diverged {
      line += "  " + (error.split(separator: "\n").first.map(String.init) ?? "")
    }
    Terminal.print(line)
  }
  printCounts(status.counts, total: status.rows.count)
  var jobs = "jobs: " + status.jobIDs.joined(separator: ", ")
  if status.queueKnown {
    jobs +=
      status.activeJobIDs.isEmpty
      ? " (none in the queue)" : " (in the queue: \(status.activeJobIDs.joined(separator: ", ")))"
  } else {
    jobs += " (squeue is not on PATH: states are from the run folders alone)"
  }
  Terminal.print(jobs)
  if status.hasEnded {
    try sweep.writeResultsAndReport()
    Terminal.print(
      "every trial has ended; wrote \(sweep.resultsURL.path), summary.json and report.html")
  }
  return 0
}

/// `betti sweep cancel SWEEP`: `scancel` on the sweep's queued and running jobs.
func sweepCancelCommand(_ words: [String]) throws -> Int32 {
  let sweep = try openSweep(words, verb: "cancel")
  let cancelled = try SlurmBackend.cancel(sweep, tools: SystemSlurmTools())
  if cancelled.isEmpty {
    Terminal.print("no job of \(sweep.folder.path) is queued or running")
  } else {
    Terminal.print(
      "cancelled job \(cancelled.joined(separator: ", ")); running trials checkpoint and stop. Resume them with the same betti sweep … --backend slurm command"
    )
  }
  return 0
}

private func optionalInteger(_ args: Arguments, _ name: String) throws -> Int? {
  args.options[name] == nil ? nil : try args.integer(name, default: 0)
}

/// `text` as one shell word, for the commands a dry run prints.
private func shellQuoted(_ text: String) -> String {
  let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%<>")
  if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) && !text.contains("<") {
    return text
  }
  return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
