import TestSupport
import Testing

@testable import Autodiff

@Suite struct TapeTests {
  @Test func gradientsAccumulateOverRepeatedUse() {
    // y = x·x + x  ⇒  dy/dx = 2x + 1
    let x = Tensor([3, -2], shape: [2], requiresGrad: true)
    let y = (x * x + x).sum()
    y.backward()
    #expect(x.grad?.scalars == [7, -3])
  }

  @Test func gradientsAccumulateAcrossBackwardCalls() {
    let x = Tensor([1, 2], shape: [2], requiresGrad: true)
    (x * 3).sum().backward()
    (x * 2).sum().backward()
    #expect(x.grad?.scalars == [5, 5])
  }

  @Test func noGradModeRecordsNothing() {
    let x = Tensor([1, 2], shape: [2], requiresGrad: true)
    let y = Tensor.withoutGradients { x * 2 }
    #expect(!y.requiresGrad)
    #expect(Tensor.isRecording)
    let z = x * 2
    #expect(z.requiresGrad)
  }

  @Test func constantsGetNoGradient() {
    let x = Tensor([1, 2], shape: [2], requiresGrad: true)
    let c = Tensor([5, 6], shape: [2])
    (x * c).sum().backward()
    #expect(x.grad?.scalars == [5, 6])
    #expect(c.grad == nil)
  }

  @Test func retainedIntermediateGradient() {
    // h = 2x, L = Σ h²  ⇒  dL/dh = 2h = 4x
    let x = Tensor([1, -1, 0.5], shape: [3], requiresGrad: true)
    let h = x * 2
    h.retainGrad()
    let other = x * 3
    (h * h).sum().backward()
    #expect(h.grad?.scalars == [4, -4, 2])
    #expect(x.grad?.scalars == [8, -8, 4])
    #expect(other.grad == nil)
  }

  @Test func unretainedIntermediateGradientsAreReleased() {
    let x = Tensor([1, 2], shape: [2], requiresGrad: true)
    let h = x * 2
    (h * h).sum().backward()
    #expect(h.grad == nil)
  }

  @Test func leafGradientsNeverAlias() {
    // a + b hands the same gradient to both leaves; each must own its copy.
    let a = Tensor([1, 2], shape: [2], requiresGrad: true)
    let b = Tensor([3, 4], shape: [2], requiresGrad: true)
    (a + b).sum().backward()
    a.grad!.pointer[0] = 100
    #expect(b.grad?.scalars == [1, 1])
  }

  @Test func deepChainNeedsNoRecursion() {
    let x = Tensor([1], shape: [1], requiresGrad: true)
    var y = x
    for _ in 0..<20_000 { y = y + 0 }
    y.sum().backward()
    #expect(x.grad?.scalars == [1])
  }

  @Test func backwardWithExplicitGradient() {
    let x = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
    let y = x * x
    y.backward(gradient: Tensor([1, 0, 2], shape: [3]))
    #expect(x.grad?.scalars == [2, 0, 12])
  }

  @Test func backwardIntoASinkLeavesTheLeavesUntouched() {
    // L = Σ (w·x) + Σ w[0..<2]: w gets x from the product and ones over its first two entries
    // from the slice; the slice's gradient reaches the leaf through the sink too.
    let w = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
    let x = Tensor([4, 5, 6], shape: [3])
    let loss = (w * x).sum() + w.slice(axis: 0, 0..<2).sum()
    let sink = LeafGradients()
    loss.backward(gradient: Tensor(scalar: 0.5), into: sink)
    #expect(w.grad == nil)
    #expect(sink.gradient(of: w)?.scalars == [2.5, 3, 3])
    #expect(sink.gradient(of: x) == nil)
  }

  @Test func sinksOnTwoThreadsSumToTheWholeGradient() {
    // Two graphs sharing one leaf, differentiated at the same time on two threads: the sum of
    // their sinks is the gradient of the sum of their losses.
    let w = Tensor((0..<64).map { Float($0) / 7 }, shape: [8, 8], requiresGrad: true)
    let inputs = (0..<2).map { part in
      Tensor((0..<64).map { Float(($0 * 5 + part * 3) % 11) - 5 }, shape: [8, 8])
    }
    func loss(_ x: Tensor) -> Tensor { x.matmul(w).tanh().sum() }
    let sinks = [LeafGradients(), LeafGradients()]
    Parallel.forEach(2, threads: 2) { part in
      loss(inputs[part]).backward(gradient: Tensor(scalar: 1), into: sinks[part])
    }
    (loss(inputs[0]) + loss(inputs[1])).backward()
    let parts = sinks.map { $0.gradient(of: w)!.scalars }
    let summed = zip(parts[0], parts[1]).map { $0 + $1 }
    for (a, b) in zip(summed, w.grad!.scalars) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
  }
}
