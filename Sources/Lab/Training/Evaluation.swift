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
    var weighted = 0.0
    var total = 0.0
    var accuracy = Accuracy(correct: 0, counted: 0)
    Tensor.withoutGradients {
      for batch in list {
        let ctx = makeContext(length: batch.length, training: false)
        let logits = self.logits(
          tokens: batch.inputs, batch: batch.size, length: batch.length, context: ctx)
        let w = batch.weights.reduce(0.0) { $0 + Double($1) }
        let loss = logits.crossEntropy(targets: batch.targets, weights: batch.weights)
        weighted += Double(loss.item) * w
        total += w
        let predictions = argmaxRows(logits.scalars, vocabularySize: config.vocabSize)
        accuracy = accuracy + task.accuracy(predictions: predictions, on: batch)
      }
    }
    return EvaluationResult(loss: total > 0 ? weighted / total : .nan, accuracy: accuracy)
  }
}
