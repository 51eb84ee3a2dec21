import Foundation
import Testing

@testable import Lab

@Suite struct SweepRunnerTests {
  /// Four real trials in this process: one completes, one diverges (a huge learning rate) and
  /// two fail at start (an `init_from` file that is not a checkpoint). A rerun leaves the
  /// completed and diverged trials alone and retries the failed ones.
  @Test func runsATinySweepAndSkipsFinishedTrialsOnRerun() throws {
    let runs = scratchFolder("runner")
    defer { try? FileManager.default.removeItem(at: runs) }
    let notACheckpoint = runs.appendingPathComponent("notes.txt")
    try Data("not a checkpoint".utf8).write(to: notACheckpoint)
    let spec = try tinySweepSpec(
      runs: runs, steps: 12,
      """
      "set": ["optimizer.grad_clip=0", "probes.attention.every=6"],
      "grid": {"optimizer.lr": [0.01, 1e30], "training.init_from": ["", "\(notACheckpoint.path)"]},
      "seeds": [1]
      """)
    let sweep = try Sweep.plan(spec)
    #expect(sweep.trials.count == 4)

    var events: [SweepEvent] = []
    let results = try SweepRunner(sweep: sweep, jobs: 1).run(observer: { events.append($0) })
    #expect(results.rows.map(\.state) == [.completed, .failed, .diverged, .failed])
    #expect(results.rows[0].step == 12)
    #expect(results.rows[0].finalMetrics["val_loss"]?.isFinite == true)
    #expect(!results.rows[0].probeFinals.isEmpty)
    #expect(results.rows[1].error?.isEmpty == false)
    #expect(results.rows[2].error?.contains("diverged") == true)
    #expect(results.best?.trial.index == 0)
    #expect(FileManager.default.fileExists(atPath: sweep.resultsURL.path))
    // The sweep's report, with its completed, diverged and failed trials, is a well-formed page.
    let report = try PageOutline.parse(Data(contentsOf: sweep.reportURL))
    #expect(report.ids == ["trials", "fields", "curves", "correlations"])
    #expect(report.misplacedMarks.isEmpty, "\(report.misplacedMarks.prefix(5))")
    #expect(events.filter { if case .trialFinished = $0 { true } else { false } }.count == 4)

    let completedMetrics = try Data(
      contentsOf: sweep.runFolder(0).url.appendingPathComponent("metrics.csv"))
    var rerunEvents: [SweepEvent] = []
    let rerun = try SweepRunner(sweep: Sweep.plan(spec), jobs: 1).run(observer: {
      rerunEvents.append($0)
    })
    let skipped = rerunEvents.compactMap {
      if case .skipped(let t) = $0 { t.map(\.index) } else { nil }
    }
    #expect(skipped == [[0, 2]])
    let started = rerunEvents.compactMap {
      if case .trialStarted(let t) = $0 { t.index } else { nil }
    }
    #expect(started == [1, 3])
    #expect(rerun.rows.map(\.state) == [.completed, .failed, .diverged, .failed])
    #expect(
      try Data(contentsOf: sweep.runFolder(0).url.appendingPathComponent("metrics.csv"))
        == completedMetrics)
  }

  /// An interrupted trial is resumed from its checkpoint and finishes.
  @Test func resumesAnInterruptedTrial() throws {
    let runs = scratchFolder("runner-resume")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try Sweep.plan(tinySweepSpec(runs: runs, steps: 20, #""seeds": [4]"#))
    final class Counter: @unchecked Sendable { var calls = 0 }
    let counter = Counter()
    let first = try sweep.runTrial(
      index: 0,
      shouldStop: {
        counter.calls += 1
        return counter.calls > 7
      })
    #expect(first.status == .interrupted)
    #expect(sweep.state(of: 0) == .interrupted)
    let results = try SweepRunner(sweep: sweep, jobs: 1).run()
    #expect(results.rows[0].state == .completed)
    #expect(results.rows[0].step == 20)
    let log = try String(contentsOf: sweep.runFolder(0).logURL, encoding: .utf8)
    #expect(log.contains("resumed at step"))
  }

  /// The pool runs at most `jobs` trials at once and records a launcher's failure.
  @Test func runsAtMostJobsTrialsAtOnce() throws {
    let runs = scratchFolder("runner-pool")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try Sweep.plan(tinySweepSpec(runs: runs, #""seeds": [1, 2, 3, 4, 5]"#))
    final class Gauge: @unchecked Sendable {
      let lock = NSLock()
      var now = 0
      var most = 0
    }
    let gauge = Gauge()
    let launcher: TrialLauncher = { sweep, index, _ in
      gauge.lock.withLock {
        gauge.now += 1
        gauge.most = max(gauge.most, gauge.now)
      }
      Thread.sleep(forTimeInterval: 0.05)
      gauge.lock.withLock { gauge.now -= 1 }
      if index == 3 { return TrialOutcome(exitStatus: 1, error: "boom: no such thing") }
      let folder = sweep.runFolder(index)
      try? FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
      try? folder.writeSummary(
        RunSummary(
          status: .completed, step: 1, wallTimeSeconds: 0.05,
          finalMetrics: ["val_loss": Double(index)]))
      return TrialOutcome(exitStatus: 0)
    }
    let results = try SweepRunner(sweep: sweep, jobs: 2, launcher: launcher).run()
    #expect(gauge.most == 2)
    #expect(results.rows.map(\.state) == [.completed, .completed, .completed, .failed, .completed])
    #expect(results.rows[3].error == "boom: no such thing")
    #expect(results.best?.trial.index == 0)
  }
}
