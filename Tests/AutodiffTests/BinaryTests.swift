import TestSupport
import Testing

@testable import Autodiff

/// Broadcasting pairs: equal shapes, trailing vector, leading size-1 axes, size-1 axes in the
/// middle on either side, scalars, and both sides broadcast at once.
let broadcastPairs: [([Int], [Int])] = [
  ([3, 4], [3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([1, 4], [3, 1]),
  ([2, 1, 4], [1, 3, 1]),
  ([5], []), ([], [2, 3]), ([1], [1]), ([2, 1], [2, 1]), ([3, 1, 2], [3, 2, 2]),
]

@Suite struct BinaryTests {
  @Test(arguments: broadcastPairs.indices)
  func broadcastForwardMatchesIndexFormula(_ i: Int) {
    let (sa, sb) = broadcastPairs[i]
    let a = randomTensor(sa, seed: 1)
    let b = randomTensor(sb, seed: 2)
    let out = Shape.broadcast(sa, sb)!
    // Brute force: map each output multi-index back to each input.
    func value(_ t: Tensor, _ index: [Int]) -> Float {
      let offset = index.count - t.rank
      var flat = 0
      for (axis, d) in t.shape.enumerated() {
        flat = flat * d + (d == 1 ? 0 : index[axis + offset])
      }
      return t.pointer[flat]
    }
    var expectedSum: [Float] = []
    var expectedDiv: [Float] = []
    let strides = Shape.strides(out)
    for flat in 0..<Shape.count(out) {
      let index = strides.enumerated().map { (axis, s) in (flat / s) % out[axis] }
      expectedSum.append(value(a, index) + value(b, index))
      expectedDiv.append(value(a, index) / value(b, index))
    }
    assertClose((a + b).scalars, expectedSum, rtol: 0, atol: 0)
    assertClose((a / b).scalars, expectedDiv, rtol: 0, atol: 0)
    #expect((a * b).shape == out)
  }

  @Test(arguments: broadcastPairs.indices)
  func gradients(_ i: Int) {
    let (sa, sb) = broadcastPairs[i]
    let a = randomTensor(sa, seed: 3)
    let b = randomTensor(sb, seed: 4, range: 0.5...2)
    checkGradients([a, b], "add \(sa) \(sb)") { a + b }
    checkGradients([a, b], "sub \(sa) \(sb)") { a - b }
    checkGradients([a, b], "mul \(sa) \(sb)") { a * b }
    checkGradients([a, b], "div \(sa) \(sb)") { a / b }
  }

  @Test func sameTensorOnBothSides() {
    let x = randomTensor([3, 2], seed: 5, range: 0.5...2)
    checkGradients([x]) { x * x - x / x + x }
  }
}
