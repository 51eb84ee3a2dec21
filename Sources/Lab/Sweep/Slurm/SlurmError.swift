import Foundation

/// Why a sweep could not be submitted to, read from or cancelled on Slurm.
public enum SlurmError: LocalizedError, Equatable {
  /// A Slurm command is not on PATH.
  case toolMissing(tool: String)
  /// `sbatch` refused a job array; `submitted` lists the arrays it had accepted before (they
  /// are recorded and keep running).
  case sbatchRefused(status: Int32, message: String, submitted: [String])
  /// A Slurm command failed or printed something unexpected.
  case toolFailed(tool: String, status: Int32, message: String)
  /// An option has a bad value: `option` is `--time` or `slurm.time`.
  case invalidOption(option: String, message: String)
  /// The sweep has no Slurm jobs recorded in `slurm/jobs.json`.
  case noJobs(folder: String)
  /// `slurm/jobs.json` cannot be read.
  case unreadableJobLog(path: String, detail: String)

  public var errorDescription: String? {
    switch self {
    case .toolMissing(let tool):
      return
        "\(tool) is not on PATH: run this on a machine with Slurm's commands (a cluster's login node, or after loading Slurm, e.g. `module load slurm`), or use the local backend (omit --backend slurm); --dry-run shows the script without submitting"
    case .sbatchRefused(let status, let message, let submitted):
      var text = "sbatch refused the job array (exit status \(status)): \(message)"
      if !submitted.isEmpty {
        text +=
          "\n(job \(submitted.joined(separator: ", ")) was submitted before this and is recorded in slurm/jobs.json; run the same command again once the problem is fixed to submit the rest)"
      }
      return text
    case .toolFailed(let tool, let status, let message):
      return "\(tool) failed (exit status \(status)): \(message)"
    case .invalidOption(let option, let message):
      return "\(option): \(message)"
    case .noJobs(let folder):
      return
        "\(folder) has no Slurm jobs recorded (slurm/jobs.json); submit it with betti sweep SPEC --backend slurm"
    case .unreadableJobLog(let path, let detail):
      return "\(path) cannot be read (\(detail)); it lists the sweep's Slurm jobs"
    }
  }
}
