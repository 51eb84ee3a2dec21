import Foundation

/// What a Slurm command printed and how it exited.
public struct SlurmToolOutput: Equatable, Sendable {
  public var status: Int32
  public var standardOutput: String
  public var standardError: String

  public init(status: Int32, standardOutput: String = "", standardError: String = "") {
    self.status = status
    self.standardOutput = standardOutput
    self.standardError = standardError
  }
}

/// The Slurm commands a sweep uses (`sbatch`, `squeue`, `sacct`, `scancel`, `scontrol`), behind
/// a protocol so that tests can answer with synthetic output.
public protocol SlurmTools: Sendable {
  /// Whether `tool` can be run (on PATH).
  func isAvailable(_ tool: String) -> Bool
  /// Runs `tool` with `arguments` and waits for it; throws only when it cannot be started.
  func run(_ tool: String, _ arguments: [String]) throws -> SlurmToolOutput
}

/// The Slurm commands found on PATH.
public struct SystemSlurmTools: SlurmTools {
  public let path: String

  public init(path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") {
    self.path = path
  }

  /// The executable `tool` on PATH, or nil.
  public func locate(_ tool: String) -> URL? {
    for directory in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(tool)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  public func isAvailable(_ tool: String) -> Bool { locate(tool) != nil }

  public func run(_ tool: String, _ arguments: [String]) throws -> SlurmToolOutput {
    guard let executable = locate(tool) else { throw SlurmError.toolMissing(tool: tool) }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw SlurmError.toolFailed(
        tool: tool, status: -1, message: "cannot start \(executable.path): \(error)")
    }
    // Read standard error on its own thread so that neither pipe can fill up and block.
    let errorData = ErrorBuffer()
    let reader = Thread { errorData.data = errors.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.done { Thread.sleep(forTimeInterval: 0.005) }
    return SlurmToolOutput(
      status: process.terminationStatus,
      standardOutput: String(decoding: outputData, as: UTF8.self),
      standardError: String(decoding: errorData.data ?? Data(), as: UTF8.self))
  }

  private final class ErrorBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Data?
    var data: Data? {
      get { lock.withLock { stored } }
      set { lock.withLock { stored = newValue } }
    }
    var done: Bool { data != nil }
  }
}
