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
}
