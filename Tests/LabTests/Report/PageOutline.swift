import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The structure of an XHTML page as XMLParser sees it (parsing fails on a page that is not
/// well-formed): every element id, and per `section` whether it holds a note, how many SVG
/// pictures, its text, its links, and the drawn positions that fall outside their picture.
final class PageOutline: NSObject, XMLParserDelegate {
  var ids: [String] = []
  var notes: Set<String> = []
  var svgCount: [String: Int] = [:]
  /// The text of each section, with a space between elements.
  var text: [String: String] = [:]
  /// The `href` of each link, in page order.
  var links: [String] = []
  /// How many elements of each name each section has (`polygon`, `tr`, …).
  var elements: [String: [String: Int]] = [:]
  /// Data marks (circle centres, polyline and polygon vertices) that are not finite or lie on
  /// or outside the edge of their SVG picture; a NaN the SVG writer turned into 0 shows up here.
  var misplacedMarks: [String] = []
  private var section: String?
  private var svgSize: (Double, Double)?

  /// The text of `section` with every run of white space made one space.
  func flatText(_ section: String) -> String {
    (text[section] ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  static func parse(_ data: Data) throws -> PageOutline {
    let outline = PageOutline()
    let parser = XMLParser(data: data)
    parser.delegate = outline
    guard parser.parse() else {
      throw parser.parserError ?? CocoaError(.fileReadCorruptFile)
    }
    return outline
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    if let id = attributes["id"] { ids.append(id) }
    if name == "section" { section = attributes["id"] }
    if name == "a", let href = attributes["href"] { links.append(href) }
    if name == "svg" {
      svgSize = (Double(attributes["width"] ?? "") ?? 0, Double(attributes["height"] ?? "") ?? 0)
    }
    checkMarks(name, attributes)
    guard let section else { return }
    elements[section, default: [:]][name, default: 0] += 1
    text[section, default: ""] += " "
    if name == "p" && attributes["class"] == "note" { notes.insert(section) }
    if name == "svg" { svgCount[section, default: 0] += 1 }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if let section { text[section, default: ""] += string }
  }

  func parser(
    _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
  ) {
    if name == "section" { section = nil }
    if name == "svg" { svgSize = nil }
  }

  private func checkMarks(_ name: String, _ attributes: [String: String]) {
    guard let (width, height) = svgSize else { return }
    var points: [(String, String)] = []
    switch name {
    case "circle": points = [(attributes["cx"] ?? "", attributes["cy"] ?? "")]
    case "polyline", "polygon":
      points = (attributes["points"] ?? "").split(separator: " ").map {
        let xy = $0.split(separator: ",").map(String.init)
        return (xy.first ?? "", xy.count > 1 ? xy[1] : "")
      }
    default: return
    }
    for (xText, yText) in points {
      guard let x = Double(xText), let y = Double(yText), x.isFinite, y.isFinite,
        x > 0, y > 0, x < width, y < height
      else {
        misplacedMarks.append("\(name) at (\(xText), \(yText)) in a \(width)×\(height) picture")
        continue
      }
    }
  }
}
