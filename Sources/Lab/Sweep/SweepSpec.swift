import Autodiff
import Foundation

/// A hyperparameter sweep: a base config, the axes to vary and the seeds to repeat it with.
///
/// The trials are the grid's cartesian product × the random samples × the seeds (see
/// `SweepSpec.trials()`). `docs/sweeps.md` describes the JSON form; `SweepSpec.load(from:)`
/// reads it and `json` is the normalized form stored as `sweep.json` in the sweep folder, which
/// `SweepSpec.parse` reads back to an equal spec.
public struct SweepSpec: Equatable, Sendable {
  /// The sweep's folder name under the base config's `runs_dir`.
  public var name: String
  /// The base config as a JSON object (a `base` path is read and inlined).
  public var base: JSONValue
  /// Overrides applied to the base before the axes (`a.b=value`, as `--set`).
  public var overrides: [String]
  /// Grid axes, sorted by field.
  public var grid: [GridAxis]
  /// Random axes and how many points to draw from them; nil for none.
  public var random: RandomSampling?
  /// The seeds each point is trained with; nil = the base config's seed.
  public var seeds: [Int]?
  /// How to submit the trials to Slurm (`betti sweep --backend slurm`); not part of `json`,
  /// since where the trials run does not change them.
  public var slurm: SlurmOptions?

  public init(
    name: String, base: JSONValue = .object([:]), overrides: [String] = [], grid: [GridAxis] = [],
    random: RandomSampling? = nil, seeds: [Int]? = nil
  ) {
    self.name = name
    self.base = base
    self.overrides = overrides
    self.grid = grid
    self.random = random
    self.seeds = seeds
  }

  /// The normalized spec: what `sweep.json` holds.
  public var json: JSONValue {
    var object: [String: JSONValue] = [
      "name": .string(name), "base": base, "set": .array(overrides.map(JSONValue.string)),
      "grid": .object(Dictionary(uniqueKeysWithValues: grid.map { ($0.field, .array($0.values)) })),
    ]
    if let random {
      object["random"] = .object([
        "samples": .integer(random.samples), "seed": .integer(random.seed),
        "axes": .object(
          Dictionary(uniqueKeysWithValues: random.axes.map { ($0.field, $0.distribution.json) })),
      ])
    }
    if let seeds { object["seeds"] = .array(seeds.map(JSONValue.integer)) }
    return .object(object)
  }

  /// The swept fields in column order: grid fields, then random fields.
  public var sweptFields: [String] { grid.map(\.field) + (random?.axes.map(\.field) ?? []) }
}

/// One grid axis: a field and the values it takes.
public struct GridAxis: Equatable, Sendable {
  public var field: String
  public var values: [JSONValue]

  public init(field: String, values: [JSONValue]) {
    self.field = field
    self.values = values
  }
}

/// Random axes: `samples` points drawn from a generator seeded with `seed`.
public struct RandomSampling: Equatable, Sendable {
  public var samples: Int
  public var seed: Int
  /// Sorted by field.
  public var axes: [RandomAxis]

  public init(samples: Int, seed: Int, axes: [RandomAxis]) {
    self.samples = samples
    self.seed = seed
    self.axes = axes
  }
}

/// One random axis: a field and the distribution its values are drawn from.
public struct RandomAxis: Equatable, Sendable {
  public var field: String
  public var distribution: Distribution

  public init(field: String, distribution: Distribution) {
    self.field = field
    self.distribution = distribution
  }
}

/// Where a random axis draws its values from.
public enum Distribution: Equatable, Sendable {
  /// Uniform on [lower, upper); with `integers`, uniform over the integers lower…upper.
  case uniform(lower: Double, upper: Double, integers: Bool)
  /// exp of a uniform on [log lower, log upper] (0 < lower ≤ upper); with `integers`, rounded.
  case logUniform(lower: Double, upper: Double, integers: Bool)
  /// One of the values, each equally likely.
  case choice([JSONValue])

  /// One value drawn with `random`. A degenerate range (lower = upper) gives lower.
  public func sample(using random: inout SeededRandom) -> JSONValue {
    switch self {
    case .uniform(let lower, let upper, let integers):
      if integers {
        let a = Int(lower)
        let b = Int(upper)
        return .integer(a + random.nextInt(below: b - a + 1))
      }
      return .number(min(upper, lower + (upper - lower) * random.nextDouble()))
    case .logUniform(let lower, let upper, let integers):
      let u = random.nextDouble()
      let value = Foundation.exp(
        Foundation.log(lower) + (Foundation.log(upper) - Foundation.log(lower)) * u)
      // exp(log x) can land an ulp outside the range.
      let clamped = Swift.max(lower, Swift.min(upper, value))
      return integers ? .integer(Int(clamped.rounded())) : .number(clamped)
    case .choice(let values):
      return values[random.nextInt(below: values.count)]
    }
  }

  var json: JSONValue {
    func bound(_ x: Double, _ integers: Bool) -> JSONValue {
      integers ? .integer(Int(x)) : .number(x)
    }
    switch self {
    case .uniform(let lower, let upper, let integers):
      return .object(["uniform": .array([bound(lower, integers), bound(upper, integers)])])
    case .logUniform(let lower, let upper, let integers):
      return .object(["log_uniform": .array([bound(lower, integers), bound(upper, integers)])])
    case .choice(let values):
      return .object(["choice": .array(values)])
    }
  }
}
