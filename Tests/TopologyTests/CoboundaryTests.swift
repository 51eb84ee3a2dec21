import Testing

@testable import Topology

/// The implicit coboundary against enumeration by hand: every cofacet `{i, j, k}` with its
/// diameter and colexicographic index, and the pivot as the minimum of those keys.
struct CoboundaryTests {
  @Test(arguments: 0..<12)
  func cofacetsAndPivotMatchEnumeration(seed: Int) {
    let n = 5 + seed
    let d = randomMatrix(n, levels: seed % 2 == 0 ? 3 : 0, seed: UInt64(70 + seed))
    let index = SimplexIndex(pointCount: n)
    let threshold: Float = seed % 3 == 0 ? d.maximum : d.enclosingRadius * 0.8
    d.entries.withUnsafeBufferPointer { entries in
      index.choose2.withUnsafeBufferPointer { choose2 in
        index.choose3.withUnsafeBufferPointer { choose3 in
          let coboundary = EdgeCoboundary(
            distances: entries.baseAddress!, pointCount: n, choose2: choose2.baseAddress!,
            choose3: choose3.baseAddress!, threshold: threshold)
          var out = [UInt64](repeating: 0, count: n)
          for i in 1..<n {
            for j in 0..<i {
              var expected: [UInt64] = []
              for k in 0..<n where k != i && k != j {
                let v = [i, j, k].sorted(by: >)
                let t = index.choose3[v[0]] + index.choose2[v[1]] + UInt32(v[2])
                let diameter = max(d[i, j], d[i, k], d[j, k])
                if diameter <= threshold { expected.append(filtrationKey(diameter, t)) }
              }
              let (count, minimum) = out.withUnsafeMutableBufferPointer {
                coboundary.write(i, j, into: $0.baseAddress!)
              }
              #expect(Array(out[0..<count]).sorted() == expected.sorted())
              #expect(minimum == (expected.min() ?? .max))
              #expect(coboundary.minimalCofacet(i, j) == (expected.min() ?? .max))
            }
          }
        }
      }
    }
  }
}
