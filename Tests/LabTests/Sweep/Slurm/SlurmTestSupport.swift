import Foundation

@testable import Lab

/// Slurm commands answering with synthetic output: each tool's queued answers in order (the
/// last one repeats), every call recorded. A tool without answers is not on PATH.
final class FakeSlurmTools: SlurmTools, @unchecked Sendable {
  private let lock = NSLock()
  private var answers: [String: [SlurmToolOutput]]
  private(set) var calls: [(tool: String, arguments: [String])] = []

  init(_ answers: [String: [SlurmToolOutput]] = [:]) {
    self.answers = answers
  }

  func isAvailable(_ tool: String) -> Bool { lock.withLock { answers[tool] != nil } }

  func run(_ tool: String, _ arguments: [String]) throws -> SlurmToolOutput {
    try lock.withLock {
      calls.append((tool, arguments))
      guard var queue = answers[tool], let first = queue.first else {
        throw SlurmError.toolMissing(tool: tool)
      }
      if queue.count > 1 { queue.removeFirst() }
      answers[tool] = queue
      return first
    }
  }

  /// The arguments of every call of `tool`, in order.
  func arguments(of tool: String) -> [[String]] {
    lock.withLock { calls.filter { $0.tool == tool }.map(\.arguments) }
  }
}

/// A 6-trial sweep (3 learning rates × 2 seeds) of the tiny copy task, runs under `runs`.
func sixTrialSweep(runs: URL, name: String = "s", slurm: String = "") throws -> Sweep {
  let extra =
    #""grid": {"optimizer.lr": [0.01, 0.02, 0.03]}, "seeds": [1, 2]"#
    + (slurm.isEmpty ? "" : ", \"slurm\": \(slurm)")
  return try Sweep.plan(tinySweepSpec(runs: runs, name: name, extra))
}

/// Writes a summary with `status` into trial `index`'s run folder, as a run would.
func writeTrialSummary(
  _ sweep: Sweep, _ index: Int, _ status: RunSummary.Status, valLoss: Double = 1.5,
  error: String? = nil
) throws {
  let folder = sweep.runFolder(index)
  try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
  try folder.writeSummary(
    RunSummary(
      status: status, step: 10, wallTimeSeconds: 1, finalMetrics: ["val_loss": valLoss],
      error: error))
}

let okay = SlurmToolOutput(status: 0)
