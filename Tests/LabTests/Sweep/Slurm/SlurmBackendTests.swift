import Foundation
import Testing

@testable import Lab

@Suite struct SlurmBackendTests {
  private func backend(_ sweep: Sweep, _ tools: FakeSlurmTools, _ options: SlurmOptions)
    -> SlurmBackend
  {
    SlurmBackend(
      sweep: sweep, options: options, tools: tools, executable: URL(fileURLWithPath: "/b/betti"),
      workingDirectory: URL(fileURLWithPath: "/w"))
  }

  /// 6 trials, at most 2 at once, on a cluster whose MaxArraySize is 4: two arrays, the second
  /// waiting for the first; both recorded in slurm/jobs.json; the script is written.
  @Test func submitsChunkedThrottledArraysAndRecordsThem() throws {
    let runs = scratchFolder("slurm-submit")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    let tools = FakeSlurmTools([
      "sbatch": [
        SlurmToolOutput(status: 0, standardOutput: "41\n"),
        SlurmToolOutput(status: 0, standardOutput: "42;cluster\n"),
      ],
      "squeue": [okay],
      "scontrol": [
        SlurmToolOutput(
          status: 0, standardOutput: "MaxJobCount = 10000\nMaxArraySize            = 4\n")
      ],
    ])
    let slurm = backend(sweep, tools, SlurmOptions(maxConcurrent: 2))
    let plan = try slurm.plan()
    #expect(plan.toSubmit == Array(0..<6) && plan.finished.isEmpty && plan.active.isEmpty)
    #expect(plan.maxArraySize == 4 && plan.maxArraySizeSource == "scontrol show config")
    let script = slurm.script.url.path
    #expect(
      plan.commands == [
        ["--parsable", "--array=0-3%2", script, "0"],
        ["--parsable", "--array=0-1%2", "--dependency=afterany:<job id of array 1>", script, "4"],
      ])
    let submitted = try slurm.submit(plan, now: { Date(timeIntervalSince1970: 0) })
    #expect(submitted.map(\.jobID) == ["41", "42"])
    #expect(
      tools.arguments(of: "sbatch") == [
        ["--parsable", "--array=0-3%2", script, "0"],
        ["--parsable", "--array=0-1%2", "--dependency=afterany:41", script, "4"],
      ])
    #expect(try String(contentsOf: slurm.script.url, encoding: .utf8) == slurm.script.text)
    #expect(FileManager.default.fileExists(atPath: sweep.specURL.path))
    #expect(FileManager.default.fileExists(atPath: slurm.script.logsFolder.path))
    let log = try SlurmJobLog.read(for: sweep)
    #expect(
      log.submissions == [
        SlurmSubmission(
          jobID: "41", offset: 0, array: "0-3%2", trials: [0, 1, 2, 3],
          submitted: "1970-01-01T00:00:00Z"),
        SlurmSubmission(
          jobID: "42", offset: 4, array: "0-1%2", trials: [4, 5], submitted: "1970-01-01T00:00:00Z"),
      ])
    #expect(log.latest(for: 5)?.taskJobID(trial: 5) == "42_1")
  }

  /// Without scontrol the option gives MaxArraySize; without a throttle the arrays do not wait.
  @Test func maxArraySizeFromTheOptionWhenScontrolCannotTell() throws {
    let runs = scratchFolder("slurm-option-size")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    let tools = FakeSlurmTools(["sbatch": [okay]])
    let plan = try backend(sweep, tools, SlurmOptions(maxArraySize: 5)).plan()
    #expect(plan.maxArraySize == 5 && plan.maxArraySizeSource == "the max_array_size option")
    #expect(plan.commands.map { $0[1] } == ["--array=0-4", "--array=0"])
    #expect(plan.commands.allSatisfy { !$0.contains { $0.hasPrefix("--dependency") } })
    let fallback = try backend(sweep, tools, SlurmOptions()).plan()
    #expect(fallback.maxArraySize == 1001 && fallback.arrays.count == 1)
  }

  /// A second submission sends only what is neither finished nor in the queue: here trials 1
  /// (interrupted) and 4 (failed); 0, 2 completed and 3 diverged stay; 5 waits in the queue.
  @Test func resubmitsOnlyUnfinishedTrialsNotInTheQueue() throws {
    let runs = scratchFolder("slurm-resubmit")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    try sweep.prepareFolder()
    var log = try SlurmJobLog.read(for: sweep)
    try FileManager.default.createDirectory(
      at: log.url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try log.append(
      SlurmSubmission(jobID: "7", offset: 0, array: "0-5%2", trials: Array(0..<6), submitted: ""))
    try writeTrialSummary(sweep, 0, .completed)
    try writeTrialSummary(sweep, 1, .interrupted)
    try writeTrialSummary(sweep, 2, .completed)
    try writeTrialSummary(sweep, 3, .diverged, error: "loss became nan")
    try writeTrialSummary(sweep, 4, .failed, error: "boom")
    let tools = FakeSlurmTools([
      "sbatch": [SlurmToolOutput(status: 0, standardOutput: "8\n")],
      "squeue": [SlurmToolOutput(status: 0, standardOutput: "7|5|PENDING|JobArrayTaskLimit\n")],
    ])
    let slurm = backend(sweep, tools, SlurmOptions(maxConcurrent: 2))
    let plan = try slurm.plan()
    #expect(plan.finished == [0, 2, 3] && plan.active == [5] && plan.toSubmit == [1, 4])
    try slurm.submit(plan)
    #expect(
      tools.arguments(of: "sbatch") == [
        ["--parsable", "--array=1,4%2", slurm.script.url.path, "0"]
      ])
    #expect(try SlurmJobLog.read(for: sweep).latest(for: 4)?.taskJobID(trial: 4) == "8_4")
    #expect(try SlurmJobLog.read(for: sweep).latest(for: 5)?.jobID == "7")
  }

  @Test func refusesWithoutSbatchBeforeWritingAnything() throws {
    let runs = scratchFolder("slurm-no-sbatch")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    let tools = FakeSlurmTools(["squeue": [okay]])
    let slurm = backend(sweep, tools, SlurmOptions())
    #expect(throws: SlurmError.toolMissing(tool: "sbatch")) { try slurm.plan() }
    #expect(!FileManager.default.fileExists(atPath: sweep.folder.path))
    #expect(SlurmError.toolMissing(tool: "sbatch").localizedDescription.contains("not on PATH"))
    // A dry run needs no sbatch, and writes nothing either.
    let plan = try slurm.plan(dryRun: true)
    #expect(plan.toSubmit.count == 6)
    #expect(!FileManager.default.fileExists(atPath: sweep.folder.path))
  }

  /// sbatch refuses the second array: its message is in the error, the first array stays
  /// recorded, and nothing else is lost.
  @Test func showsSbatchRefusalAndKeepsWhatWasAccepted() throws {
    let runs = scratchFolder("slurm-refused")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    let refusal = "sbatch: error: Batch job submission failed: Invalid partition name specified"
    let tools = FakeSlurmTools([
      "sbatch": [
        SlurmToolOutput(status: 0, standardOutput: "5\n"),
        SlurmToolOutput(status: 1, standardError: refusal + "\n"),
      ]
    ])
    let slurm = backend(sweep, tools, SlurmOptions(partition: "nope", maxArraySize: 3))
    let plan = try slurm.plan()
    #expect(throws: SlurmError.sbatchRefused(status: 1, message: refusal, submitted: ["5"])) {
      try slurm.submit(plan)
    }
    let message = SlurmError.sbatchRefused(status: 1, message: refusal, submitted: ["5"])
      .localizedDescription
    #expect(message.contains(refusal) && message.contains("job 5 was submitted"))
    #expect(try SlurmJobLog.read(for: sweep).jobIDs == ["5"])

    // Refused at once: nothing recorded, the error names no earlier job.
    let fresh = try sixTrialSweep(runs: runs, name: "other")
    let refusing = FakeSlurmTools(["sbatch": [SlurmToolOutput(status: 1, standardError: refusal)]])
    let other = backend(fresh, refusing, SlurmOptions())
    #expect(throws: SlurmError.sbatchRefused(status: 1, message: refusal, submitted: [])) {
      try other.submit(other.plan())
    }
    #expect(try SlurmJobLog.read(for: fresh).submissions.isEmpty)
  }

  @Test func refusesASweepFolderFromAnotherSpec() throws {
    let runs = scratchFolder("slurm-other-spec")
    defer { try? FileManager.default.removeItem(at: runs) }
    try sixTrialSweep(runs: runs).prepareFolder()
    let changed = try Sweep.plan(
      tinySweepSpec(runs: runs, name: "s", #""grid": {"optimizer.lr": [0.5]}, "seeds": [1, 2]"#))
    let tools = FakeSlurmTools(["sbatch": [SlurmToolOutput(status: 0, standardOutput: "1\n")]])
    let error = sweepError { _ = try backend(changed, tools, SlurmOptions()).plan() }
    guard case .differentSpec(_, let detail)? = error else {
      Issue.record("expected differentSpec, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("grid"))
    #expect(tools.arguments(of: "sbatch").isEmpty)
  }

  @Test func refusesRunFoldersFromANewerBetti() throws {
    let runs = scratchFolder("slurm-newer")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    try sweep.prepareFolder()
    let folder = sweep.runFolder(2)
    try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
    try Data(
      #"{"format_version": 9, "status": "paused", "step": 3, "wall_time_s": 1, "final_metrics": {}}"#
        .utf8
    ).write(to: folder.summaryURL)
    let tools = FakeSlurmTools(["sbatch": [SlurmToolOutput(status: 0, standardOutput: "1\n")]])
    #expect(throws: RunFolderError.newerFormat(path: folder.url.path, version: 9)) {
      try backend(sweep, tools, SlurmOptions()).plan()
    }
    #expect(tools.arguments(of: "sbatch").isEmpty)
    let message = RunFolderError.newerFormat(path: folder.url.path, version: 9).localizedDescription
    #expect(message.contains("newer Betti") && message.contains("format 9"))
    // The trial itself and the results refuse it too, rather than overwrite or misread it.
    #expect(throws: RunFolderError.newerFormat(path: folder.url.path, version: 9)) {
      try sweep.runTrial(index: 2)
    }
    #expect(throws: RunFolderError.newerFormat(path: folder.url.path, version: 9)) {
      try SweepResults.collect(sweep)
    }
  }

  @Test func cancelsOnlyJobsInTheQueue() throws {
    let runs = scratchFolder("slurm-cancel")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    let tools = FakeSlurmTools([
      "scancel": [okay],
      "squeue": [
        SlurmToolOutput(status: 0, standardOutput: "12|4|RUNNING|None\n12|5|PENDING|None\n")
      ],
    ])
    #expect(throws: SlurmError.noJobs(folder: sweep.folder.path)) {
      try SlurmBackend.cancel(sweep, tools: tools)
    }
    try sweep.prepareFolder()
    var log = try SlurmJobLog.read(for: sweep)
    try FileManager.default.createDirectory(
      at: log.url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try log.append(
      SlurmSubmission(jobID: "11", offset: 0, array: "0-5", trials: Array(0..<6), submitted: ""))
    try log.append(
      SlurmSubmission(jobID: "12", offset: 0, array: "4,5", trials: [4, 5], submitted: ""))
    #expect(try SlurmBackend.cancel(sweep, tools: tools) == ["12"])
    #expect(tools.arguments(of: "scancel") == [["12"]])

    let idle = FakeSlurmTools(["scancel": [okay], "squeue": [okay]])
    #expect(try SlurmBackend.cancel(sweep, tools: idle).isEmpty)
    #expect(idle.arguments(of: "scancel").isEmpty)
    #expect(throws: SlurmError.toolMissing(tool: "scancel")) {
      try SlurmBackend.cancel(sweep, tools: FakeSlurmTools())
    }
  }
}
