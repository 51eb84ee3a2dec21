import TestSupport
import Testing

@testable import Autodiff
@testable import Transformer

/// Work is split over outputs, never over a reduction, so the thread count must not change a
/// single bit of a training step.
@Suite(.serialized) struct ThreadDeterminismTests {
  /// Loss and every parameter gradient of one forward and backward pass, with `threads` workers.
  /// The shapes (the `tiny` benchmark workload) are large enough that the GEMMs, activations
  /// and softmax rows are split between workers.
  func lossAndGradients(threads: Int, activation: GPTConfig.Activation) -> [[Float]] {
    let saved = Parallel.threadCount
    Parallel.threadCount = threads
    defer { Parallel.threadCount = saved }
    var config = GPTConfig(vocabSize: 65, context: 64, width: 64, depth: 2, heads: 4)
    config.activation = activation
    let model = GPT(config)
    var rng = SeededRandom(seed: 5)
    model.initialize(using: &rng)
    let (b, t) = (32, 64)
    let tokens: [Int32] = (0..<(b * t)).map { (i: Int) -> Int32 in Int32((i * 7 + i / 5) % 65) }
    let targets: [Int32] = (0..<(b * t)).map { (i: Int) -> Int32 in Int32((i * 11 + 3) % 65) }
    let ctx = model.makeContext(length: t, training: false)
    let loss = model.logits(tokens: tokens, batch: b, length: t, context: ctx)
      .crossEntropy(targets: targets)
    loss.backward()
    return [loss.scalars] + model.parameters().map { $0.tensor.grad!.scalars }
  }

  @Test(arguments: [GPTConfig.Activation.gelu, .geluExact])
  func gradientsAreBitIdenticalForOneAndTwoThreads(_ activation: GPTConfig.Activation) {
    let one = lossAndGradients(threads: 1, activation: activation)
    let two = lossAndGradients(threads: 2, activation: activation)
    #expect(one.count == two.count)
    for (i, (x, y)) in zip(one, two).enumerated() {
      expectEqualElements(y.map(\.bitPattern), x.map(\.bitPattern), "tensor \(i)")
    }
  }
}
