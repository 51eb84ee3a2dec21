import Foundation
import Topology

/// Persistence diagrams as JSON text: `{"h0": [[b, d], …], "h1": …}`, values as the shortest
/// decimal that reads back to the same Float32, an infinite death as `null`.
public enum DiagramJSON {
  /// `[[b, d], …]` for one diagram, in diagram order.
  public static func intervals(_ diagram: PersistenceDiagram) -> String {
    "[" + diagram.pairs.map { "[\(number($0.birth)), \(number($0.death))]" }.joined(separator: ", ")
      + "]"
  }

  /// `{"h0": …, "h1": …, "threshold": t}`.
  public static func object(_ persistence: RipsPersistence) -> String {
    "{\"h0\": \(intervals(persistence.h0)), \"h1\": \(intervals(persistence.h1)), "
      + "\"threshold\": \(number(persistence.threshold))}"
  }

  /// A Float as JSON: `null` for ±∞ and NaN.
  public static func number(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }

  /// A Double as JSON: `null` for ±∞ and NaN.
  public static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
}

/// `betti ph`: the diagrams of a matrix file.
public enum PersistenceCommand {
  /// Options of `betti ph`.
  public struct Options: Sendable {
    /// The filtration stops here (default: the enclosing radius).
    public var threshold: Float?
    /// Treat the rows as points with this metric (default: the file is a distance matrix).
    public var metric: PointMetric?
    /// Logarithm base of the Jensen–Shannon metric: 2 or e.
    public var base = 2.0

    public init() {}
  }

  /// The diagrams of the file at `path`, as JSON text (see `DiagramJSON.object`).
  ///
  /// - Throws: `PersistenceInputError` naming the problem (unreadable, unparsable, empty,
  ///   ragged, not square, not symmetric, negative, NaN, bad threshold).
  public static func run(path: String, options: Options) throws -> String {
    if let t = options.threshold, !(t.isFinite && t >= 0) {
      throw PersistenceInputError.badOption("--threshold \(t) must be a finite number ≥ 0")
    }
    let text: String
    do {
      text = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
    } catch {
      throw PersistenceInputError.unreadable(path: path, detail: error.localizedDescription)
    }
    let rows = try PersistenceInput.parse(text, source: path)
    let matrix = try PersistenceInput.distances(
      rows, metric: options.metric, base: options.base, source: path)
    return DiagramJSON.object(VietorisRips.persistence(of: matrix, threshold: options.threshold))
  }
}
