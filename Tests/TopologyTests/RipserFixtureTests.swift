import Foundation
import Testing

@testable import Topology

/// Conformance with ripser.py 0.6: the fixtures in `Fixtures/ripser_fixtures.json` hold Float32
/// distance matrices (random attention JSD: soft, sharp, causal; duplicate rows; all-equal; one
/// thresholded run) and the diagrams ripser.py returned, written by
/// `scripts/make_ripser_fixtures.py`. Diagrams must agree as multisets, bit for bit in Float32,
/// and in ripser.py's order where that order is determined by the values. The edges that create
/// and destroy each finite bar must equal giotto-ph's generators (`return_generators=True`).
struct RipserFixtureTests {
  struct Case: Decodable {
    let name: String
    let n: Int
    let threshold: String?
    let upper: String
    let h0: [String]
    let h1: [String]
    let h0edges: [String]
    let h1edges: [String]
  }

  struct File: Decodable {
    let cases: [Case]
  }

  static let fixtures: [Case] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/ripser_fixtures.json")
    let data = try! Data(contentsOf: url)
    return try! JSONDecoder().decode(File.self, from: data).cases
  }()

  static func parse(_ s: String) -> Float {
    s == "inf" ? .infinity : Float(s)!
  }

  static func matrix(_ c: Case) throws -> DistanceMatrix {
    let values = c.upper.split(separator: " ").map { parse(String($0)) }
    var d = [Float](repeating: 0, count: c.n * c.n)
    var k = 0
    for i in 0..<c.n {
      for j in (i + 1)..<c.n {
        d[i * c.n + j] = values[k]
        d[j * c.n + i] = values[k]
        k += 1
      }
    }
    #expect(k == values.count)
    return try DistanceMatrix(entries: d, count: c.n)
  }

  static func intervals(_ rows: [String]) -> [[Float]] {
    rows.map { $0.split(separator: " ").map { parse(String($0)) } }
  }

  @Test(arguments: fixtures.map(\.name))
  func diagramsEqualRipser(name: String) throws {
    let c = Self.fixtures.first { $0.name == name }!
    let d = try Self.matrix(c)
    let result = VietorisRips.persistence(of: d, threshold: c.threshold.map(Self.parse))
    let h0 = Self.intervals(c.h0)
    let h1 = Self.intervals(c.h1)
    #expect(sortedIntervals(result.h0) == h0.sorted { $0.lexicographicallyPrecedes($1) })
    #expect(sortedIntervals(result.h1) == h1.sorted { $0.lexicographicallyPrecedes($1) })
    // H0 in Kruskal order (deaths ascending, essential last), H1 births descending
    #expect(result.h0.pairs.map(\.death) == h0.map { $0[1] })
    #expect(result.h1.pairs.map(\.birth) == h1.map { $0[0] })
  }

  /// "i j" or "i j k l" with each vertex pair written smaller first, sorted.
  static func normalizedEdges(_ rows: [String]) -> [String] {
    rows.map { row in
      let v = row.split(separator: " ").map { Int($0)! }
      return Swift.stride(from: 0, to: v.count, by: 2).map { k in
        "\(min(v[k], v[k + 1])) \(max(v[k], v[k + 1]))"
      }.joined(separator: " ")
    }.sorted()
  }

  @Test(arguments: fixtures.map(\.name))
  func edgesEqualGiottoGenerators(name: String) throws {
    let c = Self.fixtures.first { $0.name == name }!
    let result = VietorisRips.persistence(
      of: try Self.matrix(c), threshold: c.threshold.map(Self.parse))
    let h0 = result.h0.finitePairs.map { "\($0.deathEdge!.i) \($0.deathEdge!.j)" }
    let h1 = result.h1.finitePairs.map { p in
      "\(p.birthEdge!.i) \(p.birthEdge!.j) \(p.deathEdge!.i) \(p.deathEdge!.j)"
    }
    #expect(h0.sorted() == Self.normalizedEdges(c.h0edges))
    #expect(h1.sorted() == Self.normalizedEdges(c.h1edges))
  }

  @Test func fixturesAreSmallAndVaried() {
    #expect(Self.fixtures.count >= 10)
    #expect(Self.fixtures.contains { $0.threshold != nil })
    #expect(Self.fixtures.contains { $0.n >= 128 })
  }
}
