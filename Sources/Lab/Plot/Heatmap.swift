import Foundation

/// A grid of colored cells (rows × columns) with row labels, an x axis over the columns'
/// positions and a color bar, rendered to SVG.
///
/// Columns sit at increasing x values (steps, say) that need not be evenly spaced: each cell
/// reaches halfway to its neighbours. Values that are NaN or infinite — and, on a log scale,
/// values ≤ 0 — are drawn as empty (light gray) cells. Colors follow the viridis map.
public struct Heatmap: Sendable {
  public var title = ""
  public var xLabel = ""
  /// The quantity the colors encode, written beside the color bar (e.g. `log10 ‖g‖`).
  public var colorLabel = ""
  /// Color by `log10(value)` instead of the value.
  public var logScale = false
  public var width = 900.0
  /// The height of one row in pixels; the chart grows with the number of rows.
  public var rowHeight = 12.0
  /// Fixed color domain (in log10 units when `logScale`); nil = the data's extent.
  public var colorDomain: (Double, Double)?
  public let rowLabels: [String]
  public let columns: [Double]
  /// `values[row][column]`.
  public let values: [[Double]]

  /// A heatmap of `values[row][column]`; every row must have one value per column.
  public init(rowLabels: [String], columns: [Double], values: [[Double]]) {
    precondition(
      values.count == rowLabels.count && values.allSatisfy { $0.count == columns.count },
      "Heatmap: values must be \(rowLabels.count) rows × \(columns.count) columns")
    self.rowLabels = rowLabels
    self.columns = columns
    self.values = values
  }

  /// The value a cell is colored by, or nil when it has none.
  private func colorValue(_ v: Double) -> Double? {
    guard v.isFinite else { return nil }
    if logScale { return v > 0 ? Foundation.log10(v) : nil }
    return v
  }

  /// The standalone SVG document.
  public var svg: String {
    let longest = rowLabels.map(\.count).max() ?? 0
    let left = max(50, 12 + 6.2 * Double(longest))
    let (top, bottom, right) = (title.isEmpty ? 12.0 : 34.0, 46.0, 96.0)
    let plotHeight = rowHeight * Double(max(rowLabels.count, 1))
    // The color bar keeps a readable height even beside a few rows.
    let barHeight = max(plotHeight, 120)
    let height = top + barHeight + bottom
    var svg = SVG(width: width, height: height)
    if !title.isEmpty { svg.text(title, width / 2, 20, size: 14, anchor: "middle") }

    // Cell edges in data units: halfway between neighbouring columns.
    var edges: [Double] = []
    if let first = columns.first {
      let gap = columns.count > 1 ? columns[1] - columns[0] : 1
      edges.append(first - gap / 2)
      for k in 1..<max(1, columns.count) { edges.append((columns[k - 1] + columns[k]) / 2) }
      let lastGap = columns.count > 1 ? columns[columns.count - 1] - columns[columns.count - 2] : 1
      edges.append(columns[columns.count - 1] + lastGap / 2)
    }
    let x = LinearScale(
      domain: (edges.first ?? 0, edges.last ?? 1), range: (left, width - right))

    let colored = values.flatMap { $0.compactMap(colorValue) }
    let domain =
      colorDomain ?? (colored.min().map { ($0, colored.max()!) } ?? (0, 1))
    let color = LinearScale(domain: domain, range: (0, 1))

    for (r, row) in values.enumerated() {
      let y = top + rowHeight * Double(r)
      for (c, v) in row.enumerated() {
        let fill = colorValue(v).map { Self.viridis(color($0)) } ?? "#e8e8e8"
        // A hair of overlap hides the seams browsers draw between adjacent rectangles.
        svg.rect(x(edges[c]), y, x(edges[c + 1]) - x(edges[c]) + 0.3, rowHeight + 0.3, fill: fill)
      }
      svg.text(
        rowLabels[r], left - 6, y + rowHeight / 2 + 3.5, size: min(11, rowHeight - 1),
        anchor: "end")
    }
    svg.rect(left, top, width - left - right, plotHeight, stroke: "#444")
    for t in x.ticks(8) {
      svg.line(x(t), top + plotHeight, x(t), top + plotHeight + 4, color: "#444")
      svg.text(LinearScale.label(t), x(t), top + plotHeight + 16, size: 10, anchor: "middle")
    }
    if !xLabel.isEmpty {
      svg.text(xLabel, (left + width - right) / 2, top + plotHeight + 36, anchor: "middle")
    }

    // Color bar: a vertical gradient of thin bands with ticks in the colored unit.
    let barX = width - right + 14
    let bands = 48
    for k in 0..<bands {
      let t = (Double(k) + 0.5) / Double(bands)
      svg.rect(
        barX, top + barHeight * (1 - Double(k + 1) / Double(bands)), 12,
        barHeight / Double(bands) + 0.3, fill: Self.viridis(t))
    }
    svg.rect(barX, top, 12, barHeight, stroke: "#444")
    let barScale = LinearScale(domain: domain, range: (top + barHeight, top))
    for t in barScale.ticks(max(2, min(5, Int(barHeight / 24)))) {
      svg.line(barX + 12, barScale(t), barX + 16, barScale(t), color: "#444")
      svg.text(LinearScale.label(t), barX + 18, barScale(t) + 3.5, size: 10)
    }
    if !colorLabel.isEmpty {
      svg.text(
        colorLabel, width - 8, top + barHeight / 2, size: 11, anchor: "middle", rotate: -90)
    }
    return svg.text
  }

  /// The viridis color map at `t ∈ [0, 1]` (clamped), as `#rrggbb`: piecewise linear between
  /// nine samples of matplotlib's table.
  public static func viridis(_ t: Double) -> String {
    let stops: [(Double, Double, Double)] = [
      (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
      (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]
    let s = (t.isFinite ? min(max(t, 0), 1) : 0) * Double(stops.count - 1)
    let k = min(Int(s), stops.count - 2)
    let f = s - Double(k)
    let (a, b) = (stops[k], stops[k + 1])
    func channel(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
    return String(
      format: "#%02x%02x%02x", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
  }
}
