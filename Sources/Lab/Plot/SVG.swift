import Foundation

/// A self-contained SVG picture built from primitives (no external styles or fonts beyond a
/// generic family). Coordinates are in pixels, origin top left, y down.
public struct SVG: Sendable {
  public let width: Double
  public let height: Double
  public private(set) var elements: [String] = []

  public init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// The document text.
  public var text: String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" "
      + "viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" font-family=\"sans-serif\">\n"
      + "<rect x=\"0\" y=\"0\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" fill=\"white\"/>\n"
      + elements.joined(separator: "\n") + "\n</svg>\n"
  }

  public mutating func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String = "black",
    width: Double = 1, dash: String? = nil, opacity: Double = 1
  ) {
    elements.append(
      "<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" "
        + "stroke=\"\(Self.escape(color))\" stroke-width=\"\(Self.f(width))\""
        + (dash.map { " stroke-dasharray=\"\(Self.escape($0))\"" } ?? "")
        + (opacity < 1 ? " stroke-opacity=\"\(Self.f(opacity))\"" : "") + "/>")
  }

  public mutating func polyline(
    _ points: [(Double, Double)], color: String = "black", width: Double = 1.5, dash: String? = nil
  ) {
    guard !points.isEmpty else { return }
    let list = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
    elements.append(
      "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(Self.escape(color))\" "
        + "stroke-width=\"\(Self.f(width))\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
        + "/>")
  }

  /// A filled polygon without an outline.
  public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double = 1) {
    guard points.count > 2 else { return }
    let list = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
    elements.append(
      "<polygon points=\"\(list)\" fill=\"\(Self.escape(fill))\" stroke=\"none\""
        + (opacity < 1 ? " fill-opacity=\"\(Self.f(opacity))\"" : "") + "/>")
  }

  public mutating func circle(
    _ x: Double, _ y: Double, radius: Double, fill: String = "black", opacity: Double = 1,
    title: String? = nil
  ) {
    let open =
      "<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(radius))\" fill=\"\(Self.escape(fill))\""
      + (opacity < 1 ? " fill-opacity=\"\(Self.f(opacity))\"" : "")
    if let title {
      elements.append(open + "><title>\(Self.escape(title))</title></circle>")
    } else {
      elements.append(open + "/>")
    }
  }

  public mutating func rect(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String = "none",
    stroke: String? = nil
  ) {
    elements.append(
      "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(max(0, w)))\" height=\"\(Self.f(max(0, h)))\" "
        + "fill=\"\(Self.escape(fill))\"" + (stroke.map { " stroke=\"\(Self.escape($0))\"" } ?? "")
        + "/>")
  }

  /// Text anchored at `(x, y)`: `anchor` is `start`, `middle` or `end`; `rotate` in degrees.
  public mutating func text(
    _ string: String, _ x: Double, _ y: Double, size: Double = 11, anchor: String = "start",
    color: String = "black", rotate: Double = 0
  ) {
    let transform =
      rotate == 0 ? "" : " transform=\"rotate(\(Self.f(rotate)) \(Self.f(x)) \(Self.f(y)))\""
    elements.append(
      "<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" font-size=\"\(Self.f(size))\" "
        + "text-anchor=\"\(anchor)\" fill=\"\(Self.escape(color))\"\(transform)>\(Self.escape(string))</text>"
    )
  }

  /// A number with at most 2 decimals, no trailing zeros: what `%.2f` prints, trimmed.
  ///
  /// Reports print hundreds of thousands of coordinates, and `String(format:)` took most of
  /// their time, so the hundredths are rounded here; only where the product `100·x` lies within
  /// a few ulps of a tie (its own rounding could then pick the other side) does printf decide.
  static func f(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    let scaled = x * 100
    let rounded = scaled.rounded(.toNearestOrEven)
    guard scaled.magnitude < 1e15,
      ((scaled - rounded).magnitude - 0.5).magnitude > 4 * scaled.ulp
    else { return printfHundredths(x) }
    let hundredths = Int(rounded.magnitude)
    let (whole, fraction) = hundredths.quotientAndRemainder(dividingBy: 100)
    var s = x < 0 && hundredths != 0 ? "-" : ""
    s += String(whole)
    if fraction != 0 {
      let digits = fraction % 10 == 0 ? fraction / 10 : fraction
      s += fraction < 10 ? ".0\(digits)" : ".\(digits)"
    }
    return s
  }

  /// `f` by way of `%.2f`.
  static func printfHundredths(_ x: Double) -> String {
    var s = String(format: "%.2f", x)
    while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
    return s == "-0" ? "0" : s
  }

  /// `&`, `<`, `>`, `"`, `'` escaped, and control characters (not allowed in XML 1.0) shown
  /// as `\u{…}`.
  public static func escape(_ s: String) -> String {
    var out = ""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\n": out += "⏎"
      case "\t": out += "⇥"
      default:
        if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
          out += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}

/// A linear map from data values to pixels, with "nice" tick values.
public struct LinearScale: Sendable {
  public var domain: (Double, Double)
  public var range: (Double, Double)

  public init(domain: (Double, Double), range: (Double, Double)) {
    let (a, b) = domain
    self.domain = a == b ? (a - 0.5, b + 0.5) : (a, b)
    self.range = range
  }

  public func callAsFunction(_ x: Double) -> Double {
    range.0 + (x - domain.0) / (domain.1 - domain.0) * (range.1 - range.0)
  }

  /// About `count` round values (1, 2 or 5 × 10^k apart) inside the domain.
  public func ticks(_ count: Int = 5) -> [Double] {
    let (low, high) = (min(domain.0, domain.1), max(domain.0, domain.1))
    let raw = (high - low) / Double(max(1, count))
    guard raw > 0, raw.isFinite else { return [low] }
    let power = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
    // The round step nearest `raw` on a log scale (as d3 picks it), so that the count stays
    // near `count`: always rounding up could leave only two ticks.
    let ratio = raw / power
    let step =
      power
      * (ratio >= 50.squareRoot()
        ? 10 : ratio >= 10.squareRoot() ? 5 : ratio >= 2.squareRoot() ? 2 : 1)
    var ticks: [Double] = []
    var k = (low / step).rounded(.up)
    while k * step <= high + step * 1e-9 {
      // 12 significant digits: 3 × 0.2 is 0.6, not 0.6000000000000001
      ticks.append(k == 0 ? 0 : Double(String(format: "%.12g", k * step))!)
      k += 1
    }
    return ticks
  }

  /// A tick label: up to 4 significant digits.
  public static func label(_ x: Double) -> String {
    if x == 0 { return "0" }
    let s = String(format: "%.4g", x)
    return s
  }
}
