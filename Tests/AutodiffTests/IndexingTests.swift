import TestSupport
import Testing

@testable import Autodiff

@Suite struct IndexingTests {
  @Test func gatherRowsValuesAndRepeatedIndexGradient() {
    let table = Tensor([0, 1, 10, 11, 20, 21], shape: [3, 2], requiresGrad: true)
    let rows = table.gatherRows([2, 0, 2, 1], shape: [2, 2])
    #expect(rows.shape == [2, 2, 2])
    #expect(rows.scalars == [20, 21, 0, 1, 20, 21, 10, 11])
    rows.sum().backward()
    #expect(table.grad?.scalars == [1, 1, 1, 1, 2, 2])
    let t = randomTensor([4, 3], seed: 60)
    checkGradients([t]) { t.gatherRows([3, 3, 0, 1, 3], shape: [5]) }
  }

  @Test func whereAndMaskedFill() {
    let c = Tensor([1, 0, 0, 1], shape: [2, 2])
    let a = randomTensor([2, 2], seed: 61)
    let b = randomTensor([2, 2], seed: 62)
    let w = Tensor.where(c, a, b)
    #expect(w.scalars == [a.scalars[0], b.scalars[1], b.scalars[2], a.scalars[3]])
    checkGradients([a, b]) { Tensor.where(c, a, b) }
    let row = Tensor([0, 1], shape: [2])  // broadcast over rows
    let x = randomTensor([3, 2], seed: 63)
    let filled = x.maskedFill(row, -5)
    #expect(
      filled.scalars.enumerated().allSatisfy {
        $0.offset % 2 == 1 ? $0.element == -5 : $0.element == x.scalars[$0.offset]
      })
    checkGradients([x]) { x.maskedFill(row, 0) }
  }
}
