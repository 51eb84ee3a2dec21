/// How the trainer takes a step's sequences and cuts them into micro-batches; the benchmarks
/// that time one step's work ask here too, so that they time the step the trainer runs.
public enum MicroBatching {
  /// The sequences one training step of `config` takes: `batch_size`, or under `full_batch`
  /// the whole training split of `task`.
  public static func sequencesPerStep(_ config: Config, task: any SequenceTask) -> Int {
    guard config.training.fullBatch, let all = task.allExamples(.train) else {
      return config.training.batchSize
    }
    return all.size
  }

  /// The micro-batches a step of `sequences` is cut into: `micro_batches`, at most one per
  /// sequence (see `Batch.split(into:)`).
  public static func parts(_ config: Config, sequences: Int) -> Int {
    max(1, min(config.training.microBatches, sequences))
  }

  /// The micro-batches of a step of `sequences` (default `batch_size`) and the sequences in the
  /// largest of them, as `Batch.split(into:)` cuts it.
  public static func split(_ config: Config, sequences: Int? = nil) -> (count: Int, size: Int) {
    let batch = max(1, sequences ?? config.training.batchSize)
    let count = parts(config, sequences: batch)
    return (count, (batch + count - 1) / count)
  }
}
