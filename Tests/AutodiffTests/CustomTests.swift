import Autodiff
import TestSupport
import Testing

@Suite struct CustomTests {
  /// Reference: `x²·y` written as a custom op against the same function composed from
  /// `*`, whose gradient the engine derives (and against finite differences).
  @Test func customRuleMatchesComposedOps() {
    var rng = SeededRandom(seed: 1)
    let x = Tensor.randomNormal([3, 4], using: &rng, requiresGrad: true)
    let y = Tensor.randomNormal([3, 4], using: &rng, requiresGrad: true)
    func custom() -> Tensor {
      let (xs, ys) = (x.scalars, y.scalars)
      let value = Tensor(zip(xs, ys).map { $0 * $0 * $1 }, shape: [3, 4])
      return Tensor.custom(value, inputs: [x, y]) { g in
        let gs = g.scalars
        return [
          Tensor((0..<12).map { 2 * xs[$0] * ys[$0] * gs[$0] }, shape: [3, 4]),
          Tensor((0..<12).map { xs[$0] * xs[$0] * gs[$0] }, shape: [3, 4]),
        ]
      }
    }
    checkGradients([x, y]) { custom() }
    x.grad = nil
    y.grad = nil
    custom().sum().backward()
    let (gx, gy) = (x.grad!.scalars, y.grad!.scalars)
    x.grad = nil
    y.grad = nil
    (x * x * y).sum().backward()
    #expect(gx == x.grad!.scalars)
    #expect(gy == y.grad!.scalars)
  }

  /// A `nil` gradient leaves that input untouched; without recording the rule never runs.
  @Test func nilGradientAndNoRecording() {
    let x = Tensor([1, 2], shape: [2], requiresGrad: true)
    let y = Tensor([3, 4], shape: [2], requiresGrad: true)
    Tensor.custom(Tensor([0], shape: []), inputs: [x, y]) { _ in [Tensor([1, 1], shape: [2]), nil] }
      .backward()
    #expect(x.grad?.scalars == [1, 1])
    #expect(y.grad == nil)
    let z = Tensor.withoutGradients {
      Tensor.custom(Tensor([5], shape: []), inputs: [x]) { _ in
        Issue.record("backward must not run")
        return [nil]
      }
    }
    #expect(!z.requiresGrad)
  }
}
