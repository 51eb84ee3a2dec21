import Foundation
import TestSupport
import Testing

@testable import Autodiff

@Suite struct CrossEntropyTests {
  @Test func matchesComposedLogSoftmax() {
    let logits = randomTensor([2, 3, 5], seed: 110)
    let targets: [Int32] = [0, 4, 2, 2, 1, 3]
    let weights: [Float] = [1, 0, 2, 1, 0.5, 1]
    let loss = logits.crossEntropy(targets: targets, weights: weights)
    // Reference in Double from the composed log-softmax.
    let logp = composedLogSoftmax(logits, axis: -1).scalars
    var total = 0.0
    for r in 0..<6 { total -= Double(weights[r]) * Double(logp[r * 5 + Int(targets[r])]) }
    #expect(abs(Double(loss.item) - total / 5.5) < 1e-5)
    checkGradients([logits], "weighted") { logits.crossEntropy(targets: targets, weights: weights) }
    checkGradients([logits], "unweighted") { logits.crossEntropy(targets: targets) }
  }

  @Test func uniformLogitsGiveLogV() {
    let logits = Tensor.zeros([4, 7])
    let loss = logits.crossEntropy(targets: [0, 1, 2, 6])
    #expect(abs(loss.item - Foundation.log(7)) < 1e-6)
  }

  @Test func allZeroWeightsGiveZero() {
    let logits = randomTensor([2, 3], seed: 111)
    let loss = logits.crossEntropy(targets: [0, 1], weights: [0, 0])
    #expect(loss.item == 0)
    loss.backward()
    #expect(logits.grad?.scalars.allSatisfy { $0 == 0 } == true)
  }
}
