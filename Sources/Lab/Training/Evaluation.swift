import Autodiff
import Transformer

/// Loss and accuracy of a model on a task's data.
public struct EvaluationResult: Sendable, Equatable {
  /// Mean cross-entropy over the weighted positions of all batches (nats).
  public var loss: Double
  public var accuracy: Accuracy
}

extension GPT {
  /// Next-token loss and accuracy of `task` on `split`: all examples when the task has a finite
  /// set (in batches of `batchSize`), else `batches` batches drawn from `random`. No gradients.
  public func evaluate(
    on task: any SequenceTask, split: DataSplit, batches: Int, batchSize: Int,
    random: SeededRandom
  ) -> EvaluationResult {
    var rng = random
    var list: [Batch] = []
    if let all = task.allExamples(split) {
      var start = 0
      while start < all.size {
        let size = Swift.min(batchSize, all.size - start)
        let range = (start * all.length)..<((start + size) * all.length)
        list.append(
          Batch(
            size: size, length: all.length, inputs: Array(all.inputs[range]),
            targets: Array(all.targets[range]), weights: Array(all.weights[range])))
        start += size
      }
    } else {
      list = (0..<batches).map { _ in task.batch(split, size: batchSize, using: &rng) }
    }
    // Batches run at the same time, one per thread, each on a single thread (the same values
    // as one at a time); their results are summed in batch order.
    var results = [(loss: Double, accuracy: Accuracy)](
      repeating: (0, Accuracy(correct: 0, counted: 0)), count: list.count)
    results.withUnsafeMutableBufferPointer { results in
      Parallel.forEach(list.count) { i in
        Tensor.withoutGradients {
          let batch = list[i]
          let ctx = makeContext(length: batch.length, training: false)
          let logits = self.logits(
            tokens: batch.inputs, batch: batch.size, length: batch.length, context: ctx)
          let loss = logits.crossEntropy(targets: batch.targets, weights: batch.weights)
          let predictions = argmaxRows(logits.scalars, vocabularySize: config.vocabSize)
          results[i] = (Double(loss.item), task.accuracy(predictions: predictions, on: batch))
        }
      }
    }
    var weighted = 0.0
    var total = 0.0
    var accuracy = Accuracy(correct: 0, counted: 0)
    for (batch, result) in zip(list, results) {
      let w = batch.totalWeight
      weighted += result.loss * w
      total += w
      accuracy = accuracy + result.accuracy
    }
    return EvaluationResult(loss: total > 0 ? weighted / total : .nan, accuracy: accuracy)
  }
}
