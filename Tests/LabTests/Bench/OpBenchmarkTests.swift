import Foundation
import Testing

@testable import Lab

@Suite struct OpBenchmarkTests {
  func smallConfig() -> Config {
    var config = OpBenchmark.yardstickConfig
    config.model.context = 16
    config.model.width = 32
    config.model.depth = 3
    config.model.heads = 2
    config.training.batchSize = 6
    config.training.microBatches = 3
    return config
  }

  @Test func timesEveryOpAtTheMicroBatchShapes() {
    let rows = OpBenchmark.run(config: smallConfig(), vocabularySize: 11, repeats: 3)
    #expect(
      rows.map(\.name) == ["layer_norm", "gelu_exact", "attention", "cross_entropy", "adamw"])
    // A micro-batch is 6 / 3 = 2 sequences of 16; the model has 2 embeddings, 6 tensors per
    // layer and the final norm.
    #expect(rows.map(\.shape) == ["2x16x32", "2x16x128", "2x16x96", "32x11", "21 tensors"])
    #expect(rows.map(\.values)[0..<4] == [1024, 4096, 3072, 352])
    // Parameters: embeddings (11 + 16)·32, per layer two norms (2·32), QKV, projection and MLP
    // (3·32² + 32² + 2·4·32²), and the final norm.
    #expect(rows[4].values == 27 * 32 + 3 * (2 * 32 + 12 * 32 * 32) + 32)
    // Per step: two norms per layer and the final one, each layer's activation and attention,
    // one loss, in each of the 3 micro-batches; one optimizer step.
    #expect(rows.map(\.callsPerStep) == [21, 9, 9, 3, 1])
    for row in rows {
      #expect(row.forwardMicroseconds > 0 && row.forwardMicroseconds.isFinite, "\(row.name)")
      #expect(row.nanosecondsPerValue > 0 && row.nanosecondsPerValue.isFinite, "\(row.name)")
    }
    for row in rows.dropLast() {
      #expect(row.backwardMicroseconds > 0 && row.backwardMicroseconds.isFinite, "\(row.name)")
    }
    #expect(rows[4].backwardMicroseconds.isNaN)
  }

  @Test func followsTheConfigsActivationMaskAndOptimizer() {
    var config = smallConfig()
    config.model.activation = .relu
    config.model.attention = .bidirectional
    config.optimizer.kind = .sgd
    config.training.microBatches = 1
    let rows = OpBenchmark.run(config: config, vocabularySize: 5, repeats: 1)
    #expect(rows.map(\.name) == ["layer_norm", "relu", "attention", "cross_entropy", "sgd"])
    #expect(rows[0].shape == "6x16x32")
    #expect(rows.map(\.callsPerStep) == [7, 3, 3, 1, 1])
  }
}

@Test func opRowsAddForwardAndBackwardPerCallAndPerStep() {
  let row = OpBenchmark.Row(
    name: "x", shape: "4", values: 500, forwardMicroseconds: 2, backwardMicroseconds: 3,
    callsPerStep: 8)
  #expect(row.microseconds == 5)
  #expect(row.nanosecondsPerValue == 10)
  #expect(row.millisecondsPerStep == 0.04)
  var step = row
  step.backwardMicroseconds = .nan
  #expect(step.microseconds == 2 && step.millisecondsPerStep == 0.016)
  #expect(OpBenchmark.millisecondsPerStep([row, step]) == 0.04 + 0.016)
}

@Test func microBatchesAreCutAsTheTrainerCutsThem() {
  var config = OpBenchmark.yardstickConfig
  #expect(MicroBatching.split(config) == (2, 6))
  config.training.microBatches = 5
  #expect(MicroBatching.split(config) == (5, 3))
  config.training.microBatches = 40
  #expect(MicroBatching.split(config) == (12, 1))
  // The same counts and largest sizes as the batch's own split, for every count up to its size.
  let batch = Batch(
    size: 12, length: 1, inputs: Array(repeating: 0, count: 12),
    targets: Array(repeating: 0, count: 12), weights: Array(repeating: 1, count: 12))
  for parts in 1...12 {
    config.training.microBatches = parts
    let pieces = batch.split(into: parts)
    #expect(MicroBatching.split(config) == (pieces.count, pieces.map(\.size).max()!))
  }
}

@Test func fullBatchStepsTakeTheWholeTrainingSplit() throws {
  let root = repositoryRoot
  var config = try Config.load(
    from: root.appendingPathComponent("Configs/tasks/modular.json"), baseDirectory: root)
  let task = try config.makeTask(baseDirectory: root)
  // Modulus 97, addition, 30% for training: ⌊0.3 · 97²⌋ pairs in every full-batch step.
  #expect(config.training.fullBatch)
  #expect(MicroBatching.sequencesPerStep(config, task: task) == 2822)
  config.training.microBatches = 2
  #expect(MicroBatching.split(config, sequences: 2822) == (2, 1411))
  config.training.fullBatch = false
  config.training.batchSize = 10
  #expect(MicroBatching.sequencesPerStep(config, task: task) == 10)
}

@Test func yardstickConfigIsTheShippedOne() throws {
  // `betti bench ops` times the yardstick without reading its file, so the copy in code must
  // keep the shipped config's model, batch and optimizer, and its task's vocabulary.
  let root = repositoryRoot
  let shipped = try Config.load(
    from: root.appendingPathComponent("Configs/shakespeare_char.json"), baseDirectory: root)
  let copy = OpBenchmark.yardstickConfig
  #expect(copy.model == shipped.model)
  #expect(copy.training.batchSize == shipped.training.batchSize)
  #expect(copy.training.microBatches == shipped.training.microBatches)
  #expect(copy.training.fullBatch == shipped.training.fullBatch)
  #expect(copy.optimizer.kind == shipped.optimizer.kind)
  let task = try shipped.makeTask(baseDirectory: root)
  #expect(task.vocabularySize == OpBenchmark.yardstickVocabularySize)
}
