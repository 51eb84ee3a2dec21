import Foundation
import TestSupport
import Testing

@testable import Autodiff

/// Softmax composed from primitives (max, sub, exp, sum, div): the reference for the fused op.
func composedSoftmax(_ x: Tensor, axis: Int) -> Tensor {
  let shifted = x - Tensor.withoutGradients { x.max(axis: axis, keepDims: true) }
  let e = shifted.exp()
  return e / e.sum(axis: axis, keepDims: true)
}

func composedLogSoftmax(_ x: Tensor, axis: Int) -> Tensor {
  let shifted = x - Tensor.withoutGradients { x.max(axis: axis, keepDims: true) }
  return shifted - shifted.exp().sum(axis: axis, keepDims: true).log()
}

func causalMask(_ t: Int) -> Tensor {
  Tensor((0..<(t * t)).map { ($0 % t) > ($0 / t) ? -Float.infinity : 0 }, shape: [t, t])
}

@Suite struct SoftmaxTests {
  @Test func fusedMatchesComposed() {
    for (k, shape) in [[5], [3, 4], [2, 3, 4], [1, 1, 6]].enumerated() {
      let x = randomTensor(shape, seed: UInt64(70 + k))
      for axis in 0..<shape.count {
        let fused = x.softmax(axis: axis)
        assertClose(fused, composedSoftmax(x, axis: axis), rtol: 1e-5, atol: 1e-7)
        assertClose(
          x.logSoftmax(axis: axis), composedLogSoftmax(x, axis: axis), rtol: 1e-5, atol: 1e-6)
        // Rows sum to one.
        let sums = fused.sum(axis: axis).scalars
        assertClose(sums, [Float](repeating: 1, count: sums.count), rtol: 1e-6, atol: 1e-6)
        checkGradients([x], "softmax axis \(axis)") { x.softmax(axis: axis) }
        checkGradients([x], "logSoftmax axis \(axis)") { x.logSoftmax(axis: axis) }
      }
    }
  }

  @Test func largeLogitsAreStable() {
    let x = Tensor([1000, 1001, 999], shape: [3])
    let expected: [Float] = [Foundation.exp(-1), 1, Foundation.exp(-2)].map {
      $0 / (1 + Foundation.exp(-1) + Foundation.exp(-2))
    }
    assertClose(x.softmax().scalars, expected, rtol: 1e-6)
  }

  @Test func causalMasking() {
    let t = 4
    let x = randomTensor([2, t, t], seed: 80)
    let mask = causalMask(t)
    let y = x.softmax(mask: mask)
    for b in 0..<2 {
      for i in 0..<t {
        // Row i attends to j ≤ i only, and equals the softmax of that prefix.
        let row = Array(x.scalars[((b * t + i) * t)..<((b * t + i) * t + i + 1)])
        let prefix = Tensor(row, shape: [i + 1]).softmax().scalars
        let got = Array(y.scalars[((b * t + i) * t)..<((b * t + i + 1) * t)])
        assertClose(Array(got[0...i]), prefix, rtol: 1e-6)
        #expect(got[(i + 1)...].allSatisfy { $0 == 0 })
      }
    }
    let additive = randomTensor([t, t], seed: 81, requiresGrad: false)
    checkGradients([x], "masked softmax") { x.softmax(mask: mask) }
    checkGradients([x], "additive-mask logSoftmax") { x.logSoftmax(mask: additive) }
    assertClose(
      x.logSoftmax(mask: additive), composedLogSoftmax(x + additive, axis: -1), rtol: 1e-5,
      atol: 1e-6)
  }

  @Test func fullyMaskedRowIsZero() {
    let x = Tensor([1, 2], shape: [1, 2])
    let mask = Tensor([-Float.infinity, -Float.infinity], shape: [1, 2])
    #expect(x.softmax(mask: mask).scalars == [0, 0])
  }
}
