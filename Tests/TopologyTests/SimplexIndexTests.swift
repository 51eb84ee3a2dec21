import Testing

@testable import Topology

/// The combinatorial number system against direct enumeration in colexicographic order.
struct SimplexIndexTests {
  @Test func edgesAndTrianglesRoundTrip() {
    let n = 30
    let index = SimplexIndex(pointCount: n)
    var expected: UInt32 = 0
    for i in 1..<n {
      for j in 0..<i {
        #expect(index.edge(i, j) == expected && index.edge(j, i) == expected)
        #expect(index.edgeVertices(expected) == (i, j))
        expected += 1
      }
    }
    expected = 0
    for a in 2..<n {
      for b in 1..<a {
        for c in 0..<b {
          #expect(index.triangleVertices(expected) == (a, b, c))
          expected += 1
        }
      }
    }
  }

  @Test func keysOrderByDiameterThenLargerIndex() {
    #expect(filtrationKey(1, 5) < filtrationKey(2, 0))
    #expect(filtrationKey(1, 5) < filtrationKey(1, 4))
    #expect(keyDiameter(filtrationKey(0.75, 9)) == 0.75 && keyIndex(filtrationKey(0.75, 9)) == 9)
    let big = SimplexIndex(pointCount: SimplexIndex.maximumPointCount)
    let last = UInt32(big.choose3[SimplexIndex.maximumPointCount] - 1)
    #expect(big.triangleVertices(last) == (2949, 2948, 2947))
  }
}
