import Autodiff
import Foundation

/// One run of a sweep: a point of the grid and the random samples, with one seed.
public struct Trial: Equatable, Sendable {
  /// The trial's place in the sweep, from 0.
  public var index: Int
  /// The run folder's name, e.g. `t003-model.width_64-optimizer.lr_0.001-seed_1`.
  public var name: String
  /// The swept fields and their values, in `SweepSpec.sweptFields` order.
  public var values: [SweptValue]
  public var seed: Int

  /// The `--set` overrides that make the trial's config from the base (after the spec's own):
  /// one per swept field, then the seed.
  public var overrides: [String] {
    values.map { "\($0.field)=\($0.value.jsonText)" } + ["seed=\(seed)"]
  }
}

/// A field and the value a trial gives it.
public struct SweptValue: Equatable, Sendable {
  public var field: String
  public var value: JSONValue
}

extension SweepSpec {
  /// The trials in order: for each grid point (the last axis, in sorted field order, varying
  /// fastest), each random sample, each seed. Random sample `k` is the same for every grid
  /// point: the generator seeded with `random.seed` draws the samples in order, each axis in
  /// sorted field order, so the values depend only on the seed, the axes and `k`.
  /// `defaultSeed` is used when the spec lists no seeds.
  public func trials(defaultSeed: Int = 0) -> [Trial] {
    var points: [[SweptValue]] = [[]]
    for axis in grid {
      points = points.flatMap { point in
        axis.values.map { point + [SweptValue(field: axis.field, value: $0)] }
      }
    }
    var samples: [[SweptValue]] = [[]]
    if let random {
      var generator = SeededRandom(seed: UInt64(random.seed), stream: "sweep")
      samples = (0..<random.samples).map { _ in
        random.axes.map {
          SweptValue(field: $0.field, value: $0.distribution.sample(using: &generator))
        }
      }
    }
    let seedList = seeds ?? [defaultSeed]
    let count = points.count * samples.count * seedList.count
    let digits = max(3, String(max(count - 1, 0)).count)
    var trials: [Trial] = []
    for point in points {
      for sample in samples {
        for seed in seedList {
          let index = trials.count
          let values = point + sample
          trials.append(
            Trial(
              index: index,
              name: Trial.name(index: index, digits: digits, values: values, seed: seed),
              values: values, seed: seed))
        }
      }
    }
    return trials
  }
}

extension Trial {
  /// `t<index>-<field>_<value>-…-seed_<seed>`, with only the characters a run name allows.
  static func name(index: Int, digits: Int, values: [SweptValue], seed: Int) -> String {
    let number = String(index)
    var parts = ["t" + String(repeating: "0", count: max(0, digits - number.count)) + number]
    parts += values.map { "\($0.field)_\($0.value.nameText)" }
    parts.append("seed_\(seed)")
    let name = parts.joined(separator: "-")
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    let cleaned = String(name.map { allowed.contains($0) ? $0 : "_" })
    return cleaned.count > 150 ? String(cleaned.prefix(150)) : cleaned
  }
}

extension JSONValue {
  /// The value as JSON text (strings quoted and escaped), for a `--set` override.
  var jsonText: String {
    switch self {
    case .number(let value): return String(value)
    case .integer(let value): return String(value)
    default:
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? displayText
    }
  }

  /// The value as it appears in names and tables: strings unquoted, long numbers to 4
  /// significant digits.
  var nameText: String {
    switch self {
    case .string(let text): return text
    case .number(let value):
      let shortest = String(value)
      return shortest.count > 8 ? String(format: "%.4g", value) : shortest
    default: return jsonText
    }
  }

  /// The value as a table cell: strings unquoted, numbers in full.
  var cellText: String {
    if case .string(let text) = self { return text }
    return jsonText
  }
}
