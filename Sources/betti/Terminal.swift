import Foundation

/// Writing to the terminal: standard output, standard error, and a progress line that redraws
/// itself on a terminal and becomes plain periodic lines when output is a file or a pipe.
enum Terminal {
  static let isInteractive = isatty(STDOUT_FILENO) != 0

  static func print(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  static func error(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  nonisolated(unsafe) private static var progressShown = false

  /// Redraws the one-line progress display (terminal only).
  static func progress(_ line: String) {
    guard isInteractive else { return }
    FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + line).utf8))
    progressShown = true
  }

  /// Ends the progress line so that the next output starts on a fresh line.
  static func endProgress() {
    if progressShown { FileHandle.standardOutput.write(Data("\n".utf8)) }
    progressShown = false
  }

  /// `1h02m`, `3m05s`, `12s`.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite && seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
  }
}

/// Set by SIGINT/SIGTERM; the trainer checks it between steps and stops cleanly.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// The first Ctrl-C (or SIGTERM) asks the run to stop after the current step and checkpoint;
/// a second one ends the process at once.
func installStopHandlers() {
  for sig in [SIGINT, SIGTERM] {
    signal(sig) { s in
      stopRequested = 1
      signal(s, SIG_DFL)
    }
  }
}
