import Foundation

/// How a sweep's trials are submitted to Slurm: the spec's `slurm` object, or the command
/// line's `--partition`, `--time`, … (which win over the spec). Each maps to one `sbatch` flag;
/// nil leaves the cluster's default.
public struct SlurmOptions: Equatable, Sendable {
  /// `--partition`.
  public var partition: String?
  /// `--time`: the time limit of one trial (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
  /// `D-HH:MM:SS`).
  public var time: String?
  /// `--cpus-per-task`; the trial uses as many threads (`BETTI_THREADS`).
  public var cpusPerTask: Int?
  /// `--mem`: memory per trial, e.g. `4G`, `500M`.
  public var mem: String?
  /// The `%K` of `--array=…%K`: at most this many trials of a submission run at once.
  public var maxConcurrent: Int?
  /// The cluster's `MaxArraySize`, used only when `scontrol show config` cannot tell it.
  public var maxArraySize: Int?
  /// More `sbatch` options, each written as its own `#SBATCH` line (e.g. `--account=lab`).
  public var sbatchArgs: [String]

  public init(
    partition: String? = nil, time: String? = nil, cpusPerTask: Int? = nil, mem: String? = nil,
    maxConcurrent: Int? = nil, maxArraySize: Int? = nil, sbatchArgs: [String] = []
  ) {
    self.partition = partition
    self.time = time
    self.cpusPerTask = cpusPerTask
    self.mem = mem
    self.maxConcurrent = maxConcurrent
    self.maxArraySize = maxArraySize
    self.sbatchArgs = sbatchArgs
  }

  /// Slurm's default `MaxArraySize`.
  public static let defaultMaxArraySize = 1001

  /// These options with each one `overrides` sets replacing it; `sbatchArgs` are appended.
  public func merged(with overrides: SlurmOptions) -> SlurmOptions {
    SlurmOptions(
      partition: overrides.partition ?? partition, time: overrides.time ?? time,
      cpusPerTask: overrides.cpusPerTask ?? cpusPerTask, mem: overrides.mem ?? mem,
      maxConcurrent: overrides.maxConcurrent ?? maxConcurrent,
      maxArraySize: overrides.maxArraySize ?? maxArraySize,
      sbatchArgs: sbatchArgs + overrides.sbatchArgs)
  }

  /// The spec keys, in the order the docs list them.
  static let keys = [
    "partition", "time", "cpus_per_task", "mem", "max_concurrent", "max_array_size", "sbatch_args",
  ]

  /// Reads the spec's `slurm` object, refusing unknown keys and bad values with their place.
  static func parse(_ value: JSONValue, fail: (String, String) -> SweepError) throws
    -> SlurmOptions
  {
    guard case .object(let object) = value else {
      throw fail("slurm", "must be an object with \(keys.joined(separator: ", "))")
    }
    for key in object.keys.sorted() where !keys.contains(key) {
      throw fail("slurm.\(key)", "unknown key; slurm has \(keys.joined(separator: ", "))")
    }
    func text(_ key: String) throws -> String? {
      guard let item = object[key] else { return nil }
      guard case .string(let text) = item else {
        throw fail("slurm.\(key)", "\(item.displayText) must be a string")
      }
      return text
    }
    func integer(_ key: String) throws -> Int? {
      guard let item = object[key] else { return nil }
      guard case .integer(let value) = item else {
        throw fail("slurm.\(key)", "\(item.displayText) must be an integer")
      }
      return value
    }
    var options = SlurmOptions(
      partition: try text("partition"), time: try text("time"),
      cpusPerTask: try integer("cpus_per_task"), mem: try text("mem"),
      maxConcurrent: try integer("max_concurrent"), maxArraySize: try integer("max_array_size"))
    if let list = object["sbatch_args"] {
      guard case .array(let items) = list else {
        throw fail(
          "slurm.sbatch_args", "must be a list of sbatch options such as \"--account=lab\"")
      }
      options.sbatchArgs = try items.map {
        guard case .string(let text) = $0 else {
          throw fail("slurm.sbatch_args", "\($0.displayText) must be a string")
        }
        return text
      }
    }
    if let problem = options.firstProblem(naming: { "slurm." + $0 }) {
      throw fail(problem.option, problem.message)
    }
    return options
  }

  /// The first bad value, named by `name(specKey)` (`slurm.time` in a spec, `--time` on the
  /// command line), with the rule it breaks; nil when all are good.
  public func firstProblem(naming name: (String) -> String) -> (option: String, message: String)? {
    if let partition, partition.isEmpty || partition.contains(where: \.isWhitespace) {
      return (name("partition"), "\"\(partition)\" must be a partition name without spaces")
    }
    if let time, !Self.isSlurmTime(time) {
      return (
        name("time"),
        "\"\(time)\" is not a Slurm time limit (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)"
      )
    }
    if let cpusPerTask, cpusPerTask < 1 {
      return (name("cpus_per_task"), "\(cpusPerTask) must be at least 1")
    }
    if let mem, !Self.isSlurmMemory(mem) {
      return (name("mem"), "\"\(mem)\" is not a memory size such as 4G, 500M or 4096")
    }
    if let maxConcurrent, maxConcurrent < 1 {
      return (name("max_concurrent"), "\(maxConcurrent) must be at least 1")
    }
    if let maxArraySize, maxArraySize < 1 {
      return (name("max_array_size"), "\(maxArraySize) must be at least 1")
    }
    for arg in sbatchArgs where !arg.hasPrefix("-") || arg.contains("\n") {
      return (
        name("sbatch_args"),
        "\"\(arg)\" must be one sbatch option starting with '-' (e.g. --account=lab)"
      )
    }
    return nil
  }

  /// `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`, or `UNLIMITED`/`INFINITE`.
  static func isSlurmTime(_ text: String) -> Bool {
    if text == "UNLIMITED" || text == "INFINITE" { return true }
    let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard dayParts.count <= 2 else { return false }
    func numbers(_ part: Substring) -> Int? {
      let fields = part.split(separator: ":", omittingEmptySubsequences: false)
      guard fields.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil })
      else { return nil }
      return fields.count
    }
    if dayParts.count == 2 {
      guard Int(dayParts[0]) != nil, let count = numbers(dayParts[1]) else { return false }
      return count <= 3
    }
    guard let count = numbers(dayParts[0]) else { return false }
    return count <= 3
  }

  /// Digits with an optional K, M, G or T suffix.
  static func isSlurmMemory(_ text: String) -> Bool {
    var digits = Substring(text)
    if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
  }
}
