import Testing

@testable import Topology

/// Diagram accessors and Betti curves against counting by hand.
struct DiagramTests {
  @Test func bettiCurveCountsHalfOpenBars() {
    let diagram = PersistenceDiagram(
      dimension: 0,
      pairs: [
        PersistencePair(birth: 0, death: 1), PersistencePair(birth: 0, death: 2),
        PersistencePair(birth: 0, death: .infinity),
      ])
    #expect(diagram.bettiCurve(at: [-1, 0, 0.5, 1, 1.5, 2, 100]) == [0, 3, 3, 2, 2, 1, 1])
    #expect(diagram.essentialPairs.count == 1 && diagram.finitePairs.count == 2)
    #expect(PersistenceDiagram(dimension: 1, pairs: []).bettiCurve(at: [0, 1]) == [0, 0])
  }

  @Test func bettiCurveOfASquare() throws {
    let s = Float(2).squareRoot()
    let d = try DistanceMatrix(rows: [[0, 1, s, 1], [1, 0, 1, s], [s, 1, 0, 1], [1, s, 1, 0]])
    let result = VietorisRips.persistence(of: d)
    #expect(result.h0.bettiCurve(at: [0, 0.5, 1]) == [4, 4, 1])
    #expect(result.h1.bettiCurve(at: [0.5, 1, 1.2, s]) == [0, 1, 1, 0])
  }
}
