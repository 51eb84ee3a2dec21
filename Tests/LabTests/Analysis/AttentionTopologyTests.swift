import Autodiff
import Foundation
import Testing
import Topology
import Transformer

@testable import Lab

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Parses `text` as XML; returns the element names seen (empty on a parse error).
private func xmlElements(_ text: String) -> [String] {
  final class Collector: NSObject, XMLParserDelegate {
    var names: [String] = []
    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) { names.append(name) }
  }
  let parser = XMLParser(data: Data(text.utf8))
  let collector = Collector()
  parser.delegate = collector
  return parser.parse() ? collector.names : []
}

@Suite struct AttentionTopologyTests {
  /// Reference: MDS of the distances of a known planar configuration reproduces them.
  @Test func mdsRecoversAPlanarConfiguration() throws {
    let points: [(Double, Double)] = [(0, 0), (3, 0), (3, 4), (-1, 2), (1, -2)]
    var rows: [[Float]] = []
    for p in points { rows.append(points.map { Float(hypot(p.0 - $0.0, p.1 - $0.1)) }) }
    for i in 0..<5 { for j in 0..<i { rows[i][j] = rows[j][i] } }
    let d = try DistanceMatrix(rows: rows)
    let x = ClassicalMDS.embed(d)
    for i in 0..<5 {
      for j in 0..<5 {
        #expect(abs(hypot(x[i].x - x[j].x, x[i].y - x[j].y) - Double(d[i, j])) < 1e-4)
      }
    }
  }

  /// Reference: each prefix step against `VietorisRips` and `DiagramDistance` called directly.
  @Test func prefixBottlenecks() throws {
    let n = 6
    var rng = SeededRandom(seed: 2)
    var rows = [Float](repeating: 0, count: n * n)
    for i in 0..<n {
      let w = (0...i).map { _ in Float(Foundation.exp(2 * rng.nextNormal())) }
      let s = w.reduce(0, +)
      for j in 0...i { rows[i * n + j] = w[j] / s }
    }
    let steps = try AttentionTopology.prefixSteps(rows: rows, count: n)
    #expect(steps.map(\.tokens) == [2, 3, 4, 5, 6])
    #expect(steps[0].h0Bottleneck == nil)
    for k in 1..<steps.count {
      let a = AttentionTopology.finite(steps[k - 1].persistence.h0)
      let b = AttentionTopology.finite(steps[k].persistence.h0)
      #expect(steps[k].h0Bottleneck == DiagramDistance.bottleneck(a, b))
    }
  }

  /// The plots are well-formed XML (parsed by Foundation's XMLParser), with escaped labels.
  @Test func svgIsWellFormed() throws {
    let d = try DistanceMatrix(rows: [[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]])
    let p = VietorisRips.persistence(of: d)
    for svg in [
      PersistencePlots.diagram(p, title: "a < b & c"),
      PersistencePlots.barcode(p, title: "bars"),
      PersistencePlots.ripsSkeleton(
        d, coordinates: ClassicalMDS.embed(d), labels: ["<", "&", "\"", "\n"], threshold: 1,
        title: "rips"),
    ] {
      let names = xmlElements(svg)
      #expect(names.first == "svg")
      #expect(names.contains("text") && names.contains("line"))
    }
    #expect(LinearScale(domain: (0, 1), range: (0, 100)).ticks(5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
  }

  /// The report of a tiny model: its JSON structure and the files it writes.
  @Test func analysisJSONStructure() throws {
    let model = GPT(GPTConfig(vocabSize: 5, context: 6, width: 8, depth: 2, heads: 2))
    var options = TopologyOptions()
    options.layers = [1]
    options.heads = [0]
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "topo-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = try AttentionTopology.analyze(
      model: model, tokens: [0, 1, 2, 3, 4, 1], labels: ["a", "b", "c", "d", "e", "b"],
      options: options, directory: dir)
    let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    let heads = json["heads"] as! [[String: Any]]
    #expect(heads.count == 1 && heads[0]["layer"] as? Int == 1 && heads[0]["head"] as? Int == 0)
    #expect((heads[0]["distances"] as! [[Double]]).count == 6)
    #expect((heads[0]["prefixes"] as! [[String: Any]]).count == 5)
    let global = json["global"] as! [String: Any]
    #expect((global["heads"] as! [String]) == ["L0H0", "L0H1", "L1H0", "L1H1"])
    for name in [
      "topology.json", "L1H0_diagram.svg", "L1H0_barcode.svg", "L1H0_rips.svg",
      "global_diagram.svg",
    ] {
      #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path))
    }
    options.heads = [9]
    #expect(throws: PersistenceInputError.self) {
      try AttentionTopology.analyze(
        model: model, tokens: [0, 1], labels: ["a", "b"], options: options, directory: dir)
    }
  }
}
