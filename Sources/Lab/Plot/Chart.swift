import Foundation

/// A 2-d chart with axes, ticks, labels, a legend and any number of layers, rendered to SVG.
///
/// Build one, add layers (`scatter`, `line`, `segments`, `labels`), then read `svg`.
/// Domains default to the data's extent with a 5% margin.
public struct Chart: Sendable {
  /// One drawable layer.
  public enum Layer: Sendable {
    case scatter(points: [(Double, Double)], color: String, radius: Double, titles: [String]?)
    case line(points: [(Double, Double)], color: String, width: Double, dash: String?)
    case segments([((Double, Double), (Double, Double))], color: String, width: Double)
    case labels([(Double, Double, String)], color: String, size: Double)
  }

  public var title = ""
  public var xLabel = ""
  public var yLabel = ""
  public var width = 480.0
  public var height = 400.0
  /// Fixed domains; nil = from the data.
  public var xDomain: (Double, Double)?
  public var yDomain: (Double, Double)?
  /// Hide the y tick labels (e.g. for a barcode whose y is only an index).
  public var showsYTicks = true
  /// Where the legend goes: inside the plot's top right corner, or in a column to the right
  /// of the plot (which then narrows to make room, so no entry covers data).
  public var legendPlacement = LegendPlacement.inside
  public private(set) var layers: [Layer] = []
  public private(set) var legend: [(label: String, color: String)] = []

  /// Where a chart's legend is drawn.
  public enum LegendPlacement: Sendable {
    case inside
    case right
  }

  public init(title: String = "", xLabel: String = "", yLabel: String = "") {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// Adds a layer, with a legend entry when `legend` is given.
  public mutating func add(_ layer: Layer, legend label: String? = nil) {
    layers.append(layer)
    if let label {
      let color: String
      switch layer {
      case .scatter(_, let c, _, _), .line(_, let c, _, _), .segments(_, let c, _),
        .labels(_, let c, _):
        color = c
      }
      legend.append((label, color))
    }
  }

  private var dataPoints: [(Double, Double)] {
    layers.flatMap { layer -> [(Double, Double)] in
      switch layer {
      case .scatter(let p, _, _, _), .line(let p, _, _, _): return p
      case .segments(let s, _, _): return s.flatMap { [$0.0, $0.1] }
      case .labels(let l, _, _): return l.map { ($0.0, $0.1) }
      }
    }.filter { $0.0.isFinite && $0.1.isFinite }
  }

  private static func extent(_ values: [Double]) -> (Double, Double) {
    guard let low = values.min(), let high = values.max() else { return (0, 1) }
    let pad = high > low ? 0.05 * (high - low) : 0.5
    return (low - pad, high + pad)
  }

  /// The chart as a standalone SVG document.
  public var svg: String {
    let legendWidth = 24 + 6.4 * Double(legend.map(\.label.count).max() ?? 0)
    let right = legendPlacement == .right && !legend.isEmpty ? 20 + legendWidth : 20.0
    let (left, top, bottom) = (64.0, title.isEmpty ? 16.0 : 34.0, 46.0)
    let points = dataPoints
    let x = LinearScale(
      domain: xDomain ?? Self.extent(points.map(\.0)), range: (left, width - right))
    let y = LinearScale(
      domain: yDomain ?? Self.extent(points.map(\.1)), range: (height - bottom, top))
    var svg = SVG(width: width, height: height)
    if !title.isEmpty { svg.text(title, width / 2, 20, size: 14, anchor: "middle") }
    svg.rect(left, top, width - left - right, height - top - bottom, stroke: "#444")
    for t in x.ticks() {
      svg.line(x(t), height - bottom, x(t), height - bottom + 4, color: "#444")
      svg.text(LinearScale.label(t), x(t), height - bottom + 16, size: 10, anchor: "middle")
    }
    for t in y.ticks() {
      svg.line(left - 4, y(t), left, y(t), color: "#444")
      if showsYTicks { svg.text(LinearScale.label(t), left - 6, y(t) + 3, size: 10, anchor: "end") }
    }
    if !xLabel.isEmpty {
      svg.text(xLabel, (left + width - right) / 2, height - 10, anchor: "middle")
    }
    if !yLabel.isEmpty {
      svg.text(yLabel, 15, (top + height - bottom) / 2, anchor: "middle", rotate: -90)
    }
    for layer in layers {
      switch layer {
      case .scatter(let p, let color, let radius, let titles):
        for (k, point) in p.enumerated() where point.0.isFinite && point.1.isFinite {
          svg.circle(
            x(point.0), y(point.1), radius: radius, fill: color, opacity: 0.8, title: titles?[k])
        }
      case .line(let p, let color, let w, let dash):
        // A missing (non-finite) value breaks the line rather than dropping it to an edge.
        var run: [(Double, Double)] = []
        for point in p + [(Double.nan, Double.nan)] {
          if point.0.isFinite && point.1.isFinite {
            run.append((x(point.0), y(point.1)))
          } else {
            if run.count == 1 {
              svg.circle(run[0].0, run[0].1, radius: w + 0.5, fill: color)
            } else if run.count > 1 {
              svg.polyline(run, color: color, width: w, dash: dash)
            }
            run = []
          }
        }
      case .segments(let s, let color, let w):
        for (a, b) in s {
          svg.line(x(a.0), y(a.1), x(b.0), y(b.1), color: color, width: w, opacity: 0.7)
        }
      case .labels(let l, let color, let size):
        for (px, py, text) in l { svg.text(text, x(px) + 4, y(py) - 4, size: size, color: color) }
      }
    }
    let legendX = legendPlacement == .right ? width - right + 12 : width - right - 110
    for (k, entry) in legend.enumerated() {
      let ly = top + 14 + Double(k) * 16
      svg.rect(legendX, ly - 9, 10, 10, fill: entry.color)
      svg.text(entry.label, legendX + 15, ly, size: 11)
    }
    return svg.text
  }
}
