import Autodiff
import Transformer

extension Trainer {
  /// Forward and backward over `batch` cut into `parts` micro-batches, run at the same time
  /// (one per thread, each on a single thread), leaving the whole batch's gradient in the
  /// parameters' `grad`s: each part's gradient, scaled by its share of the batch's weight,
  /// summed in part order. With `residualGradients`, each part captures its residual states
  /// and their gradients, joined into one capture of the whole batch for the gradient probes.
  /// Returns the batch's loss, its predictions (empty unless `predictions`), that capture, and
  /// the global norm of the summed gradient. The norm's terms are taken as each parameter's sum
  /// is made, on the thread that made it and while it is still in that core's cache; the value
  /// is the one `globalGradientNorm` gives.
  func microBatchStep(
    _ batch: Batch, parts: Int, residualGradients: Bool, predictions wantsPredictions: Bool
  ) -> (loss: Double, predictions: [Int32], capture: ForwardCapture?, gradientNorm: Double) {
    let pieces = batch.split(into: parts)
    let total = batch.totalWeight
    // Part 0 continues the dropout stream; the others get generators seeded from it.
    let seeds = (1..<parts).map { _ in dropoutRandom.next() }
    var generators = [dropoutRandom] + seeds.map { SeededRandom(seed: $0) }
    var losses = [Double](repeating: 0, count: parts)
    var predictions = [[Int32]](repeating: [], count: parts)
    let sinks = (0..<parts).map { _ in LeafGradients() }
    let captures =
      residualGradients ? (0..<parts).map { _ in ForwardCapture(residualGradients: true) } : nil
    let vocabulary = model.config.vocabSize
    generators.withUnsafeMutableBufferPointer { generators in
      losses.withUnsafeMutableBufferPointer { losses in
        predictions.withUnsafeMutableBufferPointer { predictions in
          Parallel.forEachCarryingTapeState(parts) { s in
            let piece = pieces[s]
            let ctx = model.makeContext(
              length: piece.length, training: true, dropoutRandom: generators[s],
              capture: captures?[s])
            let logits = model.logits(
              tokens: piece.inputs, batch: piece.size, length: piece.length, context: ctx)
            generators[s] = ctx.dropoutRandom
            let loss = logits.crossEntropy(targets: piece.targets, weights: piece.weights)
            let share = total > 0 ? Float(piece.totalWeight / total) : 0
            loss.backward(gradient: Tensor(scalar: share), into: sinks[s])
            losses[s] = Double(share) * Double(loss.item)
            if wantsPredictions {
              predictions[s] = argmaxRows(logits.scalars, vocabularySize: vocabulary)
            }
          }
        }
      }
    }
    dropoutRandom = generators[0]
    var squaredSums = [Double](repeating: 0, count: parameters.count)
    let sums = [Tensor?](unsafeUninitializedCapacity: parameters.count) { sums, count in
      squaredSums.withUnsafeMutableBufferPointer { squaredSums in
        Parallel.forEach(parameters.count) { i in
          let gradients = sinks.compactMap { $0.gradient(of: parameters[i].tensor) }
          for g in gradients.dropFirst() {
            Kernels.addInPlace(gradients[0].pointer, g.pointer, g.count)
          }
          (sums.baseAddress! + i).initialize(to: gradients.first)
          if let sum = gradients.first {
            squaredSums[i] = Kernels.sumOfSquares(sum.pointer, sum.count)
          }
        }
      }
      count = parameters.count
    }
    for (p, sum) in zip(parameters, sums) { p.tensor.grad = sum }
    return (
      losses.reduce(0, +), predictions.flatMap { $0 },
      captures.map(ForwardCapture.joiningResiduals),
      globalGradientNorm(squaredSums: squaredSums)
    )
  }
}
