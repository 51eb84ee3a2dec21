import Foundation
import Testing

@testable import Lab

@Suite struct SlurmStatusTests {
  @Test func parsesSqueueSacctAndScontrolOutput() {
    let squeue = """
      12|0|RUNNING|None
      12|3|PENDING|JobArrayTaskLimit
      13|N/A|PENDING|Priority
      garbage
      """
    #expect(
      SlurmQueue.parseSqueue(squeue) == [
        SlurmTaskState(arrayJobID: "12", taskID: 0, state: "RUNNING"),
        SlurmTaskState(arrayJobID: "12", taskID: 3, state: "PENDING", reason: "JobArrayTaskLimit"),
      ])
    let sacct = """
      12_0|COMPLETED
      12_1|TIMEOUT
      12_2|CANCELLED by 0
      12_[3-5%2]|PENDING
      14|FAILED
      """
    #expect(
      SlurmQueue.parseSacct(sacct) == [
        SlurmTaskState(arrayJobID: "12", taskID: 0, state: "COMPLETED"),
        SlurmTaskState(arrayJobID: "12", taskID: 1, state: "TIMEOUT"),
        SlurmTaskState(arrayJobID: "12", taskID: 2, state: "CANCELLED"),
      ])
    #expect(SlurmQueue.parseMaxArraySize("MaxArraySize            = 1001\nMaxJobCount = 5") == 1001)
    #expect(SlurmQueue.parseMaxArraySize("MaxJobCount = 5") == nil)
  }

  /// Run folders and the queue together: finished trials from their folders, queued and
  /// running ones from squeue, a trial whose folder says running but whose task left the queue
  /// is lost (recorded failed, with sacct's TIMEOUT), one never submitted is pending.
  @Test func combinesRunFoldersWithTheQueue() throws {
    let runs = scratchFolder("slurm-status")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    try sweep.prepareFolder()
    var log = try SlurmJobLog.read(for: sweep)
    try FileManager.default.createDirectory(
      at: log.url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try log.append(
      SlurmSubmission(jobID: "20", offset: 0, array: "0-4%2", trials: Array(0..<5), submitted: ""))
    try writeTrialSummary(sweep, 0, .completed, valLoss: 0.25)
    try writeTrialSummary(sweep, 1, .running)  // running now
    try writeTrialSummary(sweep, 2, .running)  // killed: its task is gone
    try writeTrialSummary(sweep, 3, .interrupted)  // requeued, waiting
    // 4: no folder yet, waiting in the queue; 5: never submitted.
    let tools = FakeSlurmTools([
      "squeue": [
        SlurmToolOutput(
          status: 0,
          standardOutput:
            "20|1|RUNNING|None\n20|3|PENDING|BeginTime\n20|4|PENDING|JobArrayTaskLimit\n99|0|RUNNING|None\n"
        )
      ],
      "sacct": [SlurmToolOutput(status: 0, standardOutput: "20_0|COMPLETED\n20_2|TIMEOUT\n")],
    ])
    let status = try SlurmSweepStatus.read(sweep, tools: tools)
    #expect(
      status.rows.map(\.state) == [.completed, .running, .failed, .pending, .pending, .pending])
    #expect(status.rows.map(\.job) == ["20_0", "20_1", "20_2", "20_3", "20_4", nil])
    #expect(status.rows.map(\.isQueued) == [false, true, false, true, true, false])
    #expect(status.rows[0].valLoss == 0.25 && status.rows[0].slurmState == "COMPLETED")
    #expect(status.rows[4].reason == "JobArrayTaskLimit")
    #expect(status.lostTrials == [2])
    #expect(status.rows[2].error?.contains("20_2") == true)
    #expect(status.rows[2].error?.contains("TIMEOUT") == true)
    #expect(status.activeJobIDs == ["20"] && status.queueKnown && !status.hasEnded)
    // The lost trial is recorded in its folder, as the local backend records a dead process.
    let recorded = try sweep.runFolder(2).readSummary()
    #expect(recorded?.status == .failed && recorded?.error?.contains("slurm/logs/20_2.out") == true)
    #expect(try SweepResults.collect(sweep).rows[2].state == .failed)
    let counts = status.counts
    #expect(counts[.completed] == 1 && counts[.running] == 1 && counts[.pending] == 3)
    #expect(sweep.trials.count == 6)
    #expect(
      tools.arguments(of: "squeue") == [
        ["--noheader", "--array", "--name=betti-s", "--format=%F|%K|%T|%r"]
      ])
  }

  /// Without squeue (a machine that only sees the shared folder) states come from the folders,
  /// and nothing is recorded as lost; with accounting off (sacct failing) status still works.
  @Test func worksFromRunFoldersAloneWithoutSqueue() throws {
    let runs = scratchFolder("slurm-status-folders")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs)
    try sweep.prepareFolder()
    var log = try SlurmJobLog.read(for: sweep)
    try FileManager.default.createDirectory(
      at: log.url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try log.append(
      SlurmSubmission(jobID: "3", offset: 0, array: "0-5", trials: Array(0..<6), submitted: ""))
    for index in 0..<5 { try writeTrialSummary(sweep, index, .completed) }
    try writeTrialSummary(sweep, 5, .running)
    let noQueue = FakeSlurmTools([
      "sacct": [SlurmToolOutput(status: 1, standardError: "Slurm accounting storage is disabled")]
    ])
    let status = try SlurmSweepStatus.read(sweep, tools: noQueue)
    #expect(!status.queueKnown && status.lostTrials.isEmpty && !status.hasEnded)
    #expect(status.rows[5].state == .running && status.rows[5].slurmState == nil)

    // Once the last trial has ended everything has: the moment results are written.
    try writeTrialSummary(sweep, 5, .failed, error: "boom")
    let ended = try SlurmSweepStatus.read(
      sweep, tools: FakeSlurmTools(["squeue": [okay]]))
    #expect(ended.hasEnded && ended.activeJobIDs.isEmpty)
  }
}
