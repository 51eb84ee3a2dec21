import TestSupport
import Testing

@testable import Autodiff

@Suite struct ReduceTests {
  @Test func sumsAndMeansAgainstLoops() {
    let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
    #expect(x.sum().item == 276)
    let expected: [Float] = (0..<12).map { Float($0 * 2 + 12) }
    #expect(x.sum(axis: 0).scalars == expected)
    #expect(x.sum(axis: 2).scalars == [6, 22, 38, 54, 70, 86])
    #expect(x.sum(axes: [0, 2], keepDims: true).shape == [1, 3, 1])
    #expect(x.sum(axes: [0, 2]).scalars == [60, 92, 124])
    #expect(x.mean(axis: 1).scalars == [4, 5, 6, 7, 16, 17, 18, 19])
    #expect(x.mean().item == 11.5)
    #expect(x.sum(axis: -1, keepDims: true).shape == [2, 3, 1])
  }

  @Test func maxAgainstLoops() {
    let x = Tensor([3, 1, 4, 1, 5, 9, 2, 6], shape: [2, 4])
    #expect(x.max(axis: 1).scalars == [4, 9])
    #expect(x.max(axis: 0).scalars == [5, 9, 4, 6])
    #expect(x.max().item == 9)
    let ties = Tensor([2, 2, 1], shape: [3], requiresGrad: true)
    ties.max().backward()
    #expect(ties.grad?.scalars == [1, 0, 0])
  }

  @Test func gradients() {
    for (k, shape) in [[4], [2, 3], [2, 1, 3], [3, 2, 2]].enumerated() {
      let x = randomTensor(shape, seed: UInt64(30 + k))
      checkGradients([x], "sum all") { x.sum() }
      checkGradients([x], "mean all") { x.mean() }
      for axis in 0..<shape.count {
        checkGradients([x], "sum \(axis)") { x.sum(axis: axis) }
        checkGradients([x], "sum keep \(axis)") { x.sum(axis: axis, keepDims: true) * x }
        checkGradients([x], "mean \(axis)") { x.mean(axis: axis) }
        checkGradients([x], "max \(axis)") { x.max(axis: axis) }
      }
      if shape.count >= 2 {
        checkGradients([x], "sum first and last") { x.sum(axes: [0, shape.count - 1]) }
      }
    }
  }
}
