import Foundation
import Lab

/// `betti train CONFIG [--set a.b=v]… [--name NAME] [--overwrite]`
func trainCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: ["name"], switches: ["overwrite"])
  guard args.positional.count == 1 else { throw UsageError("train takes one config file") }
  var overrides = args.overrides
  if let name = args.options["name"] { overrides.append("name=\(name)") }
  let config = try Config.load(from: URL(fileURLWithPath: args.positional[0]), overrides: overrides)
  let trainer = try Trainer.start(config: config, overwrite: args.flags.contains("overwrite"))
  Terminal.print("run \(trainer.folder.url.path)")
  return try runTrainer(trainer)
}

/// `betti resume RUN`
func resumeCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: [], switches: [])
  guard args.positional.count == 1 else { throw UsageError("resume takes one run folder") }
  let folder = URL(fileURLWithPath: args.positional[0])
  if let summary = try RunFolder(url: folder).readSummary(), summary.status == .completed {
    Terminal.print("\(folder.path) already completed \(summary.step) steps; nothing to resume")
    return 0
  }
  let trainer = try Trainer.resume(folder: folder)
  Terminal.print("resuming \(folder.path) at step \(trainer.step)")
  return try runTrainer(trainer)
}

/// Runs with a progress display and Ctrl-C handling; exit status 0 completed, 3 diverged,
/// 130 interrupted.
func runTrainer(_ trainer: Trainer) throws -> Int32 {
  installStopHandlers()
  let plainEvery = max(1, trainer.config.training.steps / 20)
  var lastEval = ""
  let summary = try trainer.run(
    shouldStop: { stopRequested != 0 },
    observer: { event in
      switch event {
      case .started(let count, let step, let total):
        Terminal.print("\(count) parameters, steps \(step)…\(total)")
      case .step(let p):
        let eta =
          p.step > 0 ? Double(p.totalSteps - p.step) * p.elapsed / Double(max(p.step, 1)) : .nan
        let line = String(
          format: "step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  ETA %@%@", p.step, p.totalSteps,
          p.loss, p.lr,
          p.tokensPerSecond, Terminal.duration(eta), lastEval)
        if Terminal.isInteractive {
          Terminal.progress(line)
        } else if p.step % plainEvery == 0 || p.step == p.totalSteps {
          Terminal.print(line)
        }
      case .evaluated(let step, let metrics):
        var parts: [String] = []
        if let v = metrics["val_loss"] { parts.append(String(format: "val loss %.4f", v)) }
        if let a = metrics["val_accuracy"], a.isFinite {
          parts.append(String(format: "val acc %.3f", a))
        }
        lastEval = parts.isEmpty ? "" : "  (" + parts.joined(separator: ", ") + " at \(step))"
        if !Terminal.isInteractive {
          Terminal.print("eval step \(step): " + parts.joined(separator: ", "))
        }
      case .checkpointed:
        break
      }
    })
  Terminal.endProgress()
  let metrics = summary.finalMetrics
  let final = ["train_loss", "val_loss", "val_accuracy"].compactMap { k in
    metrics[k].map { "\(k) \(String(format: "%.4f", $0))" }
  }
  switch summary.status {
  case .completed:
    Terminal.print(
      "completed \(summary.step) steps in \(Terminal.duration(summary.wallTimeSeconds)): "
        + final.joined(separator: ", "))
    return 0
  case .diverged:
    Terminal.error("diverged: \(summary.error ?? "")")
    return 3
  case .interrupted:
    Terminal.print(
      "interrupted at step \(summary.step); checkpoint written. Continue with: betti resume \(trainer.folder.url.path)"
    )
    return 130
  default:
    Terminal.error("stopped: \(summary.status.rawValue) \(summary.error ?? "")")
    return 1
  }
}
