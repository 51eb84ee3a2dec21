import Foundation
import Topology

/// Pictures of persistence: diagrams, barcodes and the 1-skeleton of a Rips complex.
public enum PersistencePlots {
  static let h0Color = "#1f77b4"
  static let h1Color = "#d62728"

  /// A bar `(birth, death)` of a diagram; `death = .infinity` marks an essential bar.
  public typealias Bar = (birth: Double, death: Double)

  private static func label(_ x: Double) -> String { String(format: "%.5g", x) }

  static func bars(_ diagram: PersistenceDiagram) -> [Bar] {
    diagram.pairs.map { (Double($0.birth), $0.isEssential ? .infinity : Double($0.death)) }
  }

  /// H0 and H1 as points `(birth, death)` above the diagonal; essential bars drawn on a dashed
  /// "∞" line above the largest finite value.
  public static func diagram(_ persistence: RipsPersistence, title: String) -> String {
    diagram(h0: bars(persistence.h0), h1: bars(persistence.h1), title: title)
  }

  /// The diagram of bars given as numbers (e.g. read back from `topology.json`), drawn
  /// `width` × `height` pixels.
  public static func diagram(
    h0: [Bar], h1: [Bar], title: String, width: Double = 480, height: Double = 400
  ) -> String {
    let finite = (h0 + h1).filter { $0.death.isFinite }
    let top = max(finite.map(\.death).max() ?? 0, h1.map(\.birth).max() ?? 0, 1e-6)
    let infinity = top * 1.1
    var chart = Chart(title: title, xLabel: "birth", yLabel: "death")
    chart.width = width
    chart.height = height
    chart.legendPlacement = .right  // inside, it would cover the ∞ line's points
    chart.xDomain = (0, top * 1.15)
    chart.yDomain = (0, top * 1.15)
    chart.add(
      .line(points: [(0, 0), (top * 1.15, top * 1.15)], color: "#888", width: 1, dash: nil))
    chart.add(
      .line(points: [(0, infinity), (top * 1.15, infinity)], color: "#888", width: 1, dash: "4 3"))
    chart.add(.labels([(0, infinity, "∞")], color: "#444", size: 11))
    for (bars, color, name) in [(h0, h0Color, "H0"), (h1, h1Color, "H1")] {
      let points = bars.map { ($0.birth, $0.death.isFinite ? $0.death : infinity) }
      let titles = bars.map {
        "\(name) [\(label($0.birth)), \($0.death.isFinite ? label($0.death) : "∞"))"
      }
      chart.add(.scatter(points: points, color: color, radius: 3.5, titles: titles), legend: name)
    }
    return chart.svg
  }

  /// One horizontal bar per interval (H0 then H1, each longest first); essential bars run to
  /// the right edge.
  public static func barcode(_ persistence: RipsPersistence, title: String) -> String {
    barcode(h0: bars(persistence.h0), h1: bars(persistence.h1), title: title)
  }

  /// The barcode of bars given as numbers (e.g. read back from `topology.json`), `width`
  /// pixels wide; the height grows with the number of bars up to `maxHeight`.
  public static func barcode(
    h0: [Bar], h1: [Bar], title: String, width: Double = 480, maxHeight: Double = 900
  ) -> String {
    let finite = (h0 + h1).filter { $0.death.isFinite }
    let right = max(finite.map(\.death).max() ?? 0, 1e-6) * 1.1
    var chart = Chart(title: title, xLabel: "filtration value", yLabel: "bars")
    chart.width = width
    chart.legendPlacement = .right  // inside, it would cover the longest H1 bars
    chart.showsYTicks = false
    var row = 0.0
    for (bars, color, name) in [(h0, h0Color, "H0"), (h1, h1Color, "H1")] {
      let sorted = bars.sorted { $0.death - $0.birth > $1.death - $1.birth }
      var segments: [((Double, Double), (Double, Double))] = []
      for bar in sorted {
        segments.append(((bar.birth, row), (bar.death.isFinite ? bar.death : right, row)))
        row += 1
      }
      chart.add(.segments(segments, color: color, width: 2), legend: name)
    }
    chart.xDomain = (0, right)
    chart.yDomain = (-1, max(row, 1))
    chart.height = max(200, min(maxHeight, 60 + 6 * row))
    return chart.svg
  }

  /// The 1-skeleton of the Rips complex at `threshold`: points placed by `coordinates`, an
  /// edge for every pair at distance ≤ threshold, each point labelled.
  public static func ripsSkeleton(
    _ distances: DistanceMatrix, coordinates: [(x: Double, y: Double)], labels: [String],
    threshold: Float, title: String
  ) -> String {
    var chart = Chart(title: title, xLabel: "MDS 1", yLabel: "MDS 2")
    chart.width = 520
    chart.height = 480
    var edges: [((Double, Double), (Double, Double))] = []
    for i in 0..<distances.count {
      for j in (i + 1)..<max(i + 1, distances.count) where distances[i, j] <= threshold {
        edges.append(((coordinates[i].x, coordinates[i].y), (coordinates[j].x, coordinates[j].y)))
      }
    }
    chart.add(.segments(edges, color: "#999", width: 1), legend: "d ≤ \(threshold)")
    chart.add(
      .scatter(points: coordinates.map { ($0.x, $0.y) }, color: h0Color, radius: 4, titles: labels))
    chart.add(
      .labels(zip(coordinates, labels).map { ($0.0.x, $0.0.y, $0.1) }, color: "black", size: 11))
    return chart.svg
  }
}
