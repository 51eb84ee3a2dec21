import TestSupport
import Testing

@testable import Autodiff

@Suite struct ReshapeTests {
  @Test func reshapeAndPermuteValues() {
    let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
    #expect(x.reshaped([6, -1]).shape == [6, 4])
    let p = x.permuted([2, 0, 1])
    #expect(p.shape == [4, 2, 3])
    // p[i, j, k] = x[j, k, i]
    for i in 0..<4 {
      for j in 0..<2 {
        for k in 0..<3 {
          #expect(p.pointer[(i * 2 + j) * 3 + k] == x.pointer[(j * 3 + k) * 4 + i])
        }
      }
    }
    let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).transposed()
    #expect(t.shape == [3, 2] && t.scalars == [1, 4, 2, 5, 3, 6])
  }

  @Test func largePermutesAndSlicesSplitBetweenThreadsMatchBruteForce() {
    // Big enough that the copies are split into several chunks on two threads.
    let shape = [8, 16, 4, 128]
    let x = Tensor((0..<Shape.count(shape)).map(Float.init), shape: shape)
    let strides = Shape.strides(shape)
    for perm in [[0, 2, 1, 3], [0, 3, 2, 1], [3, 1, 0, 2]] {
      let p = x.permuted(perm)
      let outShape = perm.map { shape[$0] }
      var expected = [Float]()
      expected.reserveCapacity(x.count)
      for i0 in 0..<outShape[0] {
        for i1 in 0..<outShape[1] {
          for i2 in 0..<outShape[2] {
            for i3 in 0..<outShape[3] {
              let at = [i0, i1, i2, i3]
              var source = 0
              for axis in 0..<4 { source += at[axis] * strides[perm[axis]] }
              expected.append(Float(source))
            }
          }
        }
      }
      #expect(p.shape == outShape && p.scalars == expected, "perm \(perm)")
    }
    let s = x.slice(axis: 2, 1..<3)
    var expected = [Float]()
    for a in 0..<8 {
      for b in 0..<16 {
        for c in 1..<3 {
          for d in 0..<128 {
            expected.append(Float(((a * 16 + b) * 4 + c) * 128 + d))
          }
        }
      }
    }
    #expect(s.scalars == expected)
  }

  @Test func concatSliceSplitValues() {
    let a = Tensor([1, 2, 3, 4], shape: [2, 2])
    let b = Tensor([5, 6], shape: [2, 1])
    let c = Tensor.concat([a, b], axis: 1)
    #expect(c.shape == [2, 3] && c.scalars == [1, 2, 5, 3, 4, 6])
    #expect(Tensor.concat([a, a], axis: 0).scalars == [1, 2, 3, 4, 1, 2, 3, 4])
    #expect(c.slice(axis: 1, 1..<3).scalars == [2, 5, 4, 6])
    let parts = c.split([2, 1], axis: -1)
    #expect(parts[0].scalars == [1, 2, 3, 4] && parts[1].scalars == [5, 6])
  }

  @Test func gradients() {
    let x = randomTensor([2, 3, 4], seed: 50)
    let y = randomTensor([2, 1, 4], seed: 51)
    checkGradients([x], "reshape") { x.reshaped([4, 6]) * x.reshaped([4, 6]) }
    for perm in [[0, 1, 2], [2, 0, 1], [1, 2, 0], [0, 2, 1]] {
      checkGradients([x], "permute \(perm)") { x.permuted(perm) }
    }
    checkGradients([x], "transpose") { x.transposed(0, 2) }
    checkGradients([x, y], "concat") { Tensor.concat([x, y, x], axis: 1) }
    checkGradients([x], "slice") { x.slice(axis: 2, 1..<3) }
    checkGradients([x], "split") {
      let parts = x.split([1, 2], axis: 1)
      return parts[0] * parts[1].sum(axis: 1, keepDims: true)
    }
    // The slices' gradients land in place in a gradient first adopted, shared, from `x + …`.
    checkGradients([x], "split after a shared gradient") {
      let parts = x.split([1, 2, 1], axis: 2)
      return x
        + Tensor.concat(
          [parts[2], parts[0] * parts[1].sum(axis: 2, keepDims: true), parts[1]], axis: 2)
    }
  }
}
