import Foundation

extension SweepSpec {
  /// The fields an axis may not vary: the sweep sets them for every trial.
  static let reservedFields: Set<String> = ["name", "seed", "runs_dir"]

  /// Reads the spec file at `url`. A `base` path is relative to the spec's folder. `overrides`
  /// (`--set a.b=value`) join the spec's own `set` list, after it. An absent `name` becomes the
  /// file's name without its extension; a non-empty `name` replaces the spec's.
  public static func load(from url: URL, overrides: [String] = [], name: String = "") throws
    -> SweepSpec
  {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw SweepError.unreadable(path: url.path, detail: error.localizedDescription)
    }
    var spec = try parse(
      data, source: url.path, directory: url.deletingLastPathComponent(),
      defaultName: url.deletingPathExtension().lastPathComponent, overrides: overrides)
    if !name.isEmpty {
      guard Config.isValidRunName(name) else {
        throw SweepError.malformedSpec(
          source: url.path, path: "name",
          message: "\"\(name)\" must be a folder name (letters, digits, '.', '_', '-')")
      }
      spec.name = name
    }
    return spec
  }

  /// Parses spec JSON (see `docs/sweeps.md`), refusing unknown keys and malformed axes with
  /// the place in the spec. Does not check the config fields the axes name: `Sweep.plan` does,
  /// per trial.
  public static func parse(
    _ data: Data, source: String = "<sweep>", directory: URL? = nil, defaultName: String = "sweep",
    overrides: [String] = []
  ) throws -> SweepSpec {
    func fail(_ path: String, _ message: String) -> SweepError {
      .malformedSpec(source: source, path: path, message: message)
    }
    let tree: JSONValue
    do {
      tree = try JSONValue.parse(data)
    } catch {
      throw fail("", "not JSON: \(error.localizedDescription)")
    }
    guard case .object(let top) = tree else { throw fail("", "the top level must be an object") }
    let known = ["name", "base", "set", "grid", "random", "seeds", "slurm"]
    for key in top.keys.sorted() where !known.contains(key) {
      throw fail(key, "unknown key; a sweep spec has \(known.joined(separator: ", "))")
    }

    var spec = SweepSpec(name: defaultName)
    if let name = top["name"] {
      guard case .string(let text) = name, Config.isValidRunName(text) else {
        throw fail(
          "name", "\(name.displayText) must be a folder name (letters, digits, '.', '_', '-')")
      }
      spec.name = text
    }

    switch top["base"] {
    case nil: spec.base = .object([:])
    case .object?: spec.base = top["base"]!
    case .string(let path)?:
      let url =
        path.hasPrefix("/")
        ? URL(fileURLWithPath: path)
        : (directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
          .appendingPathComponent(path)
      guard let data = try? Data(contentsOf: url) else {
        throw fail("base", "cannot read the base config \(url.path)")
      }
      guard let base = try? JSONValue.parse(data), case .object = base else {
        throw fail("base", "\(url.path) is not a JSON object")
      }
      spec.base = base
    case let other?:
      throw fail(
        "base", "\(other.displayText) must be a config file path or an inline config object")
    }

    if let list = top["set"] {
      guard case .array(let items) = list else {
        throw fail("set", "must be a list of \"a.b=value\"")
      }
      for item in items {
        guard case .string(let text) = item, text.contains("=") else {
          throw fail("set", "\(item.displayText) is not of the form \"a.b=value\"")
        }
        spec.overrides.append(text)
      }
    }
    spec.overrides += overrides

    if let grid = top["grid"] {
      guard case .object(let axes) = grid else {
        throw fail("grid", "must be an object: dotted field → list of values")
      }
      for field in axes.keys.sorted() {
        try checkField(field, at: "grid", fail)
        guard case .array(let values) = axes[field]! else {
          throw fail("grid.\(field)", "\(axes[field]!.displayText) must be a list of values")
        }
        guard !values.isEmpty else {
          throw SweepError.noTrials(source: source, reason: "grid axis \(field) has no values")
        }
        spec.grid.append(GridAxis(field: field, values: values))
      }
    }

    if let random = top["random"] {
      spec.random = try parseRandom(random, source: source, fail)
      for axis in spec.random!.axes where spec.grid.contains(where: { $0.field == axis.field }) {
        throw fail("random.axes.\(axis.field)", "the field is also a grid axis")
      }
    }

    if let seeds = top["seeds"] {
      guard case .array(let items) = seeds else {
        throw fail("seeds", "must be a list of integers")
      }
      var list: [Int] = []
      for item in items {
        guard case .integer(let seed) = item, seed >= 0 else {
          throw fail("seeds", "\(item.displayText) is not a non-negative integer")
        }
        guard !list.contains(seed) else { throw fail("seeds", "seed \(seed) is listed twice") }
        list.append(seed)
      }
      guard !list.isEmpty else {
        throw SweepError.noTrials(source: source, reason: "seeds is an empty list")
      }
      spec.seeds = list
    }

    if let slurm = top["slurm"] { spec.slurm = try SlurmOptions.parse(slurm, fail: fail) }
    return spec
  }

  private static func checkField(
    _ field: String, at section: String, _ fail: (String, String) -> SweepError
  ) throws {
    let keys = field.split(separator: ".", omittingEmptySubsequences: false)
    guard !field.isEmpty, keys.allSatisfy({ !$0.isEmpty }) else {
      throw fail("\(section).\(field)", "not a dotted field path such as model.width")
    }
    guard !reservedFields.contains(field) else {
      throw fail(
        "\(section).\(field)",
        "\(field) is set by the sweep for each trial and cannot be an axis"
          + (field == "seed" ? " (list the seeds in \"seeds\")" : ""))
    }
  }

  private static func parseRandom(
    _ value: JSONValue, source: String, _ fail: (String, String) -> SweepError
  ) throws -> RandomSampling {
    guard case .object(let object) = value else {
      throw fail("random", "must be an object with samples, seed and axes")
    }
    for key in object.keys.sorted() where !["samples", "seed", "axes"].contains(key) {
      throw fail("random.\(key)", "unknown key; random has samples, seed and axes")
    }
    guard case .integer(let samples)? = object["samples"], samples >= 0 else {
      throw fail("random.samples", "must be given, as a non-negative integer")
    }
    var seed = 0
    if let given = object["seed"] {
      guard case .integer(let s) = given, s >= 0 else {
        throw fail("random.seed", "\(given.displayText) is not a non-negative integer")
      }
      seed = s
    }
    guard case .object(let axes)? = object["axes"], !axes.isEmpty else {
      throw fail("random.axes", "must be a non-empty object: dotted field → distribution")
    }
    guard samples > 0 else {
      throw SweepError.noTrials(source: source, reason: "random.samples is 0")
    }
    var parsed: [RandomAxis] = []
    for field in axes.keys.sorted() {
      let path = "random.axes.\(field)"
      try checkField(field, at: "random.axes", fail)
      let kinds = "{\"uniform\": [a, b]}, {\"log_uniform\": [a, b]} or {\"choice\": [v, …]}"
      guard case .object(let body) = axes[field]!, body.count == 1,
        let (kind, argument) = body.first
      else {
        throw fail(path, "\(axes[field]!.displayText) must be one of \(kinds)")
      }
      switch kind {
      case "uniform", "log_uniform":
        guard case .array(let bounds) = argument, bounds.count == 2,
          let a = bounds[0].numberValue, let b = bounds[1].numberValue, a.isFinite, b.isFinite
        else {
          throw fail(
            path, "\(kind) takes two finite numbers [low, high], not \(argument.displayText)")
        }
        guard a <= b else { throw fail(path, "\(kind) bounds [\(a), \(b)] must have low ≤ high") }
        let integers = bounds.allSatisfy { if case .integer = $0 { true } else { false } }
        if kind == "uniform" {
          parsed.append(
            RandomAxis(field: field, distribution: .uniform(lower: a, upper: b, integers: integers))
          )
        } else {
          guard a > 0 else { throw fail(path, "log_uniform bounds must be positive, not \(a)") }
          parsed.append(
            RandomAxis(
              field: field, distribution: .logUniform(lower: a, upper: b, integers: integers)))
        }
      case "choice":
        guard case .array(let values) = argument, !values.isEmpty else {
          throw fail(path, "choice takes a non-empty list of values, not \(argument.displayText)")
        }
        parsed.append(RandomAxis(field: field, distribution: .choice(values)))
      default:
        throw fail(path, "unknown distribution \"\(kind)\"; use \(kinds)")
      }
    }
    return RandomSampling(samples: samples, seed: seed, axes: parsed)
  }
}

extension JSONValue {
  /// The number, for `.integer` and `.number`; nil otherwise.
  var numberValue: Double? {
    switch self {
    case .integer(let value): Double(value)
    case .number(let value): value
    default: nil
    }
  }
}
