import Foundation

/// The batch script `Runs/<sweep>/slurm/array.sbatch` and the `sbatch` arguments that submit
/// it as job arrays. The options sit in the script as `#SBATCH` lines, so that the file alone
/// says how the trials were run; the command line adds only the array, the offset and, for a
/// throttled sweep split into several arrays, the dependency that keeps them in turn.
public struct SlurmScript: Sendable {
  public let sweep: Sweep
  public let options: SlurmOptions
  /// The `betti` executable the tasks run (on the shared filesystem).
  public let executable: URL
  /// The folder the tasks run in: relative `runs_dir` and task paths resolve against it.
  public let workingDirectory: URL

  /// Seconds before a time limit at which Slurm sends TERM, for the trial to checkpoint.
  public static let signalSeconds = 60

  public init(sweep: Sweep, options: SlurmOptions, executable: URL, workingDirectory: URL) {
    self.sweep = sweep
    self.options = options
    self.executable = executable
    self.workingDirectory = workingDirectory
  }

  /// `Runs/<sweep>/slurm/`.
  public var folder: URL { Self.folder(of: sweep) }
  public var url: URL { folder.appendingPathComponent("array.sbatch") }
  /// Where each task's output goes, as `<array job id>_<task id>.out`.
  public var logsFolder: URL { folder.appendingPathComponent("logs") }
  public var jobName: String { "betti-" + sweep.spec.name }

  static func folder(of sweep: Sweep) -> URL { sweep.folder.appendingPathComponent("slurm") }

  /// The script.
  public var text: String {
    let count = sweep.trials.count
    var lines = [
      "#!/bin/bash",
      "# Betti sweep \"\(sweep.spec.name)\": \(count) trial\(count == 1 ? "" : "s"), one Slurm array task each.",
      "# Written by `betti sweep SPEC --backend slurm`, which submits it as",
      "#   sbatch --parsable --array=<task ids>[%<at most at once>] array.sbatch <offset>",
      "# Task k runs trial <offset> + k in its own run folder under",
      "#   \(sweep.folder.path)",
      "# exactly as `betti sweep SPEC` does on one machine. Running that command again submits",
      "# only the trials not finished; `betti sweep status` and `betti sweep cancel` follow the jobs.",
      "#",
      "#SBATCH --job-name=\(jobName)",
      "#SBATCH --output=\(logsFolder.path)/%A_%a.out",
      "#SBATCH --open-mode=append",
      "# Before a time limit or a preemption Slurm sends TERM: the trial writes a checkpoint,",
      "# marks itself interrupted and exits; a requeued or resubmitted task resumes it.",
      "#SBATCH --signal=B:TERM@\(Self.signalSeconds)",
      "#SBATCH --requeue",
    ]
    if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
    if let time = options.time { lines.append("#SBATCH --time=\(time)") }
    if let cpus = options.cpusPerTask { lines.append("#SBATCH --cpus-per-task=\(cpus)") }
    if let mem = options.mem { lines.append("#SBATCH --mem=\(mem)") }
    lines += options.sbatchArgs.map { "#SBATCH \($0)" }
    lines += [
      "",
      "set -euo pipefail",
      "cd \(Self.quoted(workingDirectory.path))",
      "# One thread per CPU Slurm gives the task (results do not depend on the thread count).",
      "export BETTI_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"",
      "index=$(( ${1:?first argument: the trial offset of the array} + SLURM_ARRAY_TASK_ID ))",
      "echo \"trial $index: job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname)\"",
      "# exec, so that Slurm's TERM reaches betti itself rather than this shell.",
      "exec \(Self.quoted(executable.path)) sweep trial \(Self.quoted(sweep.specURL.path)) --index \"$index\"",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  /// The arguments of `sbatch` that submit `array`; `dependency` is a job id the array waits
  /// for (`afterany`: it starts once that job has ended, however it ended).
  public func sbatchArguments(for array: SlurmArray, after dependency: String? = nil) -> [String] {
    var arguments = [
      "--parsable", "--array=" + array.arraySpec(maxConcurrent: options.maxConcurrent),
    ]
    if let dependency { arguments.append("--dependency=afterany:\(dependency)") }
    return arguments + [url.path, String(array.offset)]
  }

  /// `text` in single quotes for the shell.
  static func quoted(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%")
    if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
