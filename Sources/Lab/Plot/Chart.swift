import Foundation

/// A 2-d chart with axes, ticks, labels, a legend and any number of layers, rendered to SVG.
///
/// Build one, add layers (`scatter`, `line`, `band`, `segments`, `labels`), then read `svg`.
/// Domains default to the data's extent with a 5% margin. On a log x axis, points with x ≤ 0
/// are not drawn.
public struct Chart: Sendable {
  /// One drawable layer.
  public enum Layer: Sendable {
    case scatter(points: [(Double, Double)], color: String, radius: Double, titles: [String]?)
    case line(points: [(Double, Double)], color: String, width: Double, dash: String?)
    /// A shaded region between `low` and `high` over x (e.g. a spread over seeds); a point
    /// with a non-finite bound breaks the band.
    case band(points: [(x: Double, low: Double, high: Double)], color: String, opacity: Double)
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
  /// Linear or logarithmic (base 10) x axis.
  public var xScale = AxisScale.linear
  /// Tick values and labels for the x axis in place of the automatic ones (e.g. the
  /// categories of a categorical axis placed at 0, 1, 2, …).
  public var xTicks: [(value: Double, label: String)]?
  /// Hide the y tick labels (e.g. for a barcode whose y is only an index).
  public var showsYTicks = true
  /// Where the legend goes: inside the plot's top right corner, in a column to the right of
  /// the plot (which then narrows to make room, so no entry covers data), or in rows below the
  /// x axis (the picture grows taller by the rows it needs; `height` stays the plot's).
  public var legendPlacement = LegendPlacement.inside
  public private(set) var layers: [Layer] = []
  public private(set) var legend: [(label: String, color: String)] = []

  /// How an axis maps values to positions.
  public enum AxisScale: Sendable {
    case linear
    case log
  }

  /// Where a chart's legend is drawn.
  public enum LegendPlacement: Sendable {
    case inside
    case right
    case below
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
      case .scatter(_, let c, _, _), .line(_, let c, _, _), .band(_, let c, _),
        .segments(_, let c, _), .labels(_, let c, _):
        color = c
      }
      legend.append((label, color))
    }
  }

  private var dataPoints: [(Double, Double)] {
    layers.flatMap { layer -> [(Double, Double)] in
      switch layer {
      case .scatter(let p, _, _, _), .line(let p, _, _, _): return p
      case .band(let b, _, _): return b.flatMap { [($0.x, $0.low), ($0.x, $0.high)] }
      case .segments(let s, _, _): return s.flatMap { [$0.0, $0.1] }
      case .labels(let l, _, _): return l.map { ($0.0, $0.1) }
      }
    }.filter(drawable)
  }

  /// Whether a point has a place on the chart: finite, and x > 0 on a log axis.
  private func drawable(_ point: (Double, Double)) -> Bool {
    point.0.isFinite && point.1.isFinite && (xScale == .linear || point.0 > 0)
  }

  /// The x scale onto the pixels `range`, over the fixed domain or the data's (on a log
  /// axis with its 5% margin in log space).
  private func xAxis(_ points: [(Double, Double)], range: (Double, Double)) -> any PlotScale {
    let xs = points.map(\.0)
    switch xScale {
    case .linear:
      return LinearScale(domain: xDomain ?? Self.extent(xs), range: range)
    case .log:
      let logs = Self.extent(xs.map(Foundation.log10))
      let domain = xDomain ?? (Foundation.pow(10, logs.0), Foundation.pow(10, logs.1))
      return LogScale(domain: domain, range: range)
    }
  }

  private static func extent(_ values: [Double]) -> (Double, Double) {
    guard let low = values.min(), let high = values.max() else { return (0, 1) }
    let pad = high > low ? 0.05 * (high - low) : 0.5
    return (low - pad, high + pad)
  }

  /// The chart as a standalone SVG document.
  public var svg: String {
    let (left, top, bottom) = (64.0, title.isEmpty ? 16.0 : 34.0, 46.0)
    // A column of entries taller than the plot would run off the picture: rows below instead.
    var legendPlacement = self.legendPlacement
    if legendPlacement == .right && top + 16 * Double(legend.count) > height - 8 {
      legendPlacement = .below
    }
    let legendWidth = 24 + 6.4 * Double(legend.map(\.label.count).max() ?? 0)
    let right = legendPlacement == .right && !legend.isEmpty ? 20 + legendWidth : 20.0
    let points = dataPoints
    let x = xAxis(points, range: (left, width - right))
    let y = LinearScale(
      domain: yDomain ?? Self.extent(points.map(\.1)), range: (height - bottom, top))
    let below = legendPlacement == .below ? belowLegendLayout(left: left) : []
    let extra = below.isEmpty ? 0 : 16 * Double((below.map(\.row).max() ?? 0) + 1) + 8
    var svg = SVG(width: width, height: height + extra)
    if !title.isEmpty { svg.text(title, width / 2, 20, size: 14, anchor: "middle") }
    svg.rect(left, top, width - left - right, height - top - bottom, stroke: "#444")
    // A label that would run into the previous one is left out (its tick mark stays).
    var labelledUpTo = -Double.infinity
    // About one tick per 60 px across and 40 px up, at most 5: small charts stay legible.
    let xCount = min(5, max(2, Int((width - left - right) / 60)))
    let yCount = min(5, max(2, Int((height - top - bottom) / 40)))
    for (t, label) in xTicks ?? x.ticks(xCount).map({ ($0, LinearScale.label($0)) }) {
      let position = x(t)
      guard position.isFinite else { continue }
      svg.line(position, height - bottom, position, height - bottom + 4, color: "#444")
      let halfWidth = 3 * Double(label.count)
      guard position - halfWidth > labelledUpTo + 4 else { continue }
      svg.text(label, position, height - bottom + 16, size: 10, anchor: "middle")
      labelledUpTo = position + halfWidth
    }
    for t in y.ticks(yCount) {
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
        for (k, point) in p.enumerated() where drawable(point) {
          svg.circle(
            x(point.0), y(point.1), radius: radius, fill: color, opacity: 0.8, title: titles?[k])
        }
      case .line(let p, let color, let w, let dash):
        // A missing (non-finite) value breaks the line rather than dropping it to an edge.
        var run: [(Double, Double)] = []
        for point in p + [(Double.nan, Double.nan)] {
          if drawable(point) {
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
      case .band(let b, let color, let opacity):
        var run: [(x: Double, low: Double, high: Double)] = []
        for point in b + [(x: Double.nan, low: Double.nan, high: Double.nan)] {
          if drawable((point.x, point.low)) && drawable((point.x, point.high)) {
            run.append((x(point.x), y(point.low), y(point.high)))
          } else {
            if run.count > 1 {
              let outline = run.map { ($0.x, $0.high) } + run.reversed().map { ($0.x, $0.low) }
              svg.polygon(outline, fill: color, opacity: opacity)
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
    for (entry, place) in zip(legend, below) {
      let ly = height + 10 + 16 * Double(place.row)
      svg.rect(place.x, ly - 9, 10, 10, fill: entry.color)
      svg.text(entry.label, place.x + 15, ly, size: 11)
    }
    let legendX = legendPlacement == .right ? width - right + 12 : width - right - 110
    for (k, entry) in legend.enumerated() where legendPlacement != .below {
      let ly = top + 14 + Double(k) * 16
      svg.rect(legendX, ly - 9, 10, 10, fill: entry.color)
      svg.text(entry.label, legendX + 15, ly, size: 11)
    }
    return svg.text
  }

  /// Where each legend entry goes in rows below the plot: entries flow left to right from the
  /// plot's left edge and wrap at the picture's right edge.
  private func belowLegendLayout(left: Double) -> [(x: Double, row: Int)] {
    var places: [(x: Double, row: Int)] = []
    var (x, row) = (left, 0)
    for entry in legend {
      let entryWidth = 24 + 6.4 * Double(entry.label.count)
      if x > left && x + entryWidth > width - 10 {
        (x, row) = (left, row + 1)
      }
      places.append((x, row))
      x += entryWidth
    }
    return places
  }
}
