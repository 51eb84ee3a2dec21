import Foundation
import Testing

@testable import Lab

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct HeatmapTests {
  @Test func viridisEndsAndMiddleAreMatplotlibs() {
    #expect(Heatmap.viridis(0) == "#440154")
    #expect(Heatmap.viridis(1) == "#fde725")
    #expect(Heatmap.viridis(0.5) == "#21908d")  // matplotlib: #21918c
    #expect(Heatmap.viridis(-3) == "#440154" && Heatmap.viridis(.nan) == "#440154")
  }

  @Test func cellsAreColoredByLogValueAndGapsAreGray() throws {
    var map = Heatmap(
      rowLabels: ["a", "b"], columns: [0, 10, 30],
      values: [[1, 10, 100], [.nan, 0, 1000]])
    map.logScale = true
    map.colorLabel = "log10 x"
    let svg = map.svg
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    // Domain log10 1 … log10 1000: the ends of the scale, and two empty cells (NaN and 0).
    #expect(svg.contains("fill=\"#440154\"") && svg.contains("fill=\"#fde725\""))
    #expect(svg.components(separatedBy: "fill=\"#e8e8e8\"").count - 1 == 2)
    #expect(svg.contains(">log10 x</text>"))
  }
}
