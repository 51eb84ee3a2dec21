import TestSupport
import Testing

@testable import Autodiff

@Suite struct TensorTests {
  @Test func creation() {
    #expect(Tensor.zeros([2, 3]).scalars == [0, 0, 0, 0, 0, 0])
    #expect(Tensor.ones([2]).scalars == [1, 1])
    #expect(Tensor.full([1, 2], 2.5).scalars == [2.5, 2.5])
    #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
    #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
    let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    #expect(t.shape == [2, 3] && t.count == 6 && t.rank == 2)
    #expect(Tensor(scalar: 3).item == 3)
    #expect(Tensor.zeros([0, 4]).count == 0)
  }

  @Test func seededRandomTensorsRepeat() {
    var a = SeededRandom(seed: 11)
    var b = SeededRandom(seed: 11)
    let x = Tensor.randomNormal([4, 5], mean: 1, std: 2, using: &a)
    let y = Tensor.randomNormal([4, 5], mean: 1, std: 2, using: &b)
    #expect(x.scalars == y.scalars)
    let u = Tensor.randomUniform([100], low: -1, high: 3, using: &a)
    #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 3 })
  }

  @Test func broadcastShapes() {
    #expect(Shape.broadcast([2, 3], [3]) == [2, 3])
    #expect(Shape.broadcast([4, 1, 3], [2, 1]) == [4, 2, 3])
    #expect(Shape.broadcast([], [2]) == [2])
    #expect(Shape.broadcast([2, 3], [2]) == nil)
    #expect(Shape.strides([2, 3, 4]) == [12, 4, 1])
  }

  @Test func zerosAreZeroEvenFromRecycledStorage() {
    do { _ = Tensor.full([1234], 7) }
    #expect(Tensor.zeros([1234]).scalars.allSatisfy { $0 == 0 })
  }
}
