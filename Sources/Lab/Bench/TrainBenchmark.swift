import Autodiff
import Foundation
import Transformer

/// The reference training workloads of `bench/WORKLOADS.md`, shared with the PyTorch script.
public struct TrainWorkload: Sendable {
  public var name: String
  public var vocab, context, width, heads, depth, batch: Int

  public static let all = [
    TrainWorkload(name: "tiny", vocab: 65, context: 64, width: 64, heads: 4, depth: 2, batch: 32),
    TrainWorkload(
      name: "small", vocab: 65, context: 128, width: 128, heads: 4, depth: 4, batch: 16),
    TrainWorkload(
      name: "medium", vocab: 256, context: 256, width: 256, heads: 8, depth: 6, batch: 8),
  ]

  /// Pre-LN, learned positions, tanh GELU MLP of 4× width, tied head, biases, no dropout.
  public var gptConfig: GPTConfig {
    GPTConfig(
      vocabSize: vocab, context: context, width: width, depth: depth, heads: heads,
      activation: .gelu)
  }
}

/// One workload's measured training throughput.
public struct TrainBenchmarkResult: Sendable {
  public var workload: String
  public var parameters: Int
  public var tokensPerSecond: Double
  public var millisecondsPerStep: Double
  /// The process's peak resident memory so far, in MiB.
  public var peakResidentMiB: Double
}

/// Full training steps (forward, backward, clipping at 1.0, AdamW lr 3e-4, betas 0.9/0.95,
/// weight decay 0.1) on uniformly random tokens: tokens per step over the median step time of
/// `steps` steps after `warmup`. `configure` may adjust the model (e.g. capture for probes) and
/// `extra` runs after each step inside the timed region (e.g. probes).
public func trainBenchmark(
  _ workload: TrainWorkload, steps: Int = 20, warmup: Int = 5,
  capture: (() -> ForwardCapture?)? = nil, extra: ((GPT, ForwardCapture?, Int) -> Void)? = nil
) -> TrainBenchmarkResult {
  let model = GPT(workload.gptConfig)
  var rng = SeededRandom(seed: 0, stream: "init")
  model.initialize(using: &rng)
  let parameters = model.parameters()
  let optimizer = Adam(beta1: 0.9, beta2: 0.95, weightDecay: 0.1, decoupled: true)
  var data = SeededRandom(seed: 0, stream: "data")
  let (b, t, v) = (workload.batch, workload.context, workload.vocab)
  var times: [Double] = []
  for step in 0..<(warmup + steps) {
    let tokens = (0..<(b * t)).map { _ in Int32(data.nextInt(below: v)) }
    let targets = (0..<(b * t)).map { _ in Int32(data.nextInt(below: v)) }
    let start = DispatchTime.now().uptimeNanoseconds
    for p in parameters { p.tensor.grad = nil }
    let probe = capture?()
    let ctx = model.makeContext(length: t, training: true, capture: probe)
    let loss = model.logits(tokens: tokens, batch: b, length: t, context: ctx).crossEntropy(
      targets: targets)
    loss.backward()
    clipGradients(parameters, maxNorm: 1)
    optimizer.step(parameters, lr: 3e-4)
    extra?(model, probe, step)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if step >= warmup { times.append(elapsed) }
  }
  let median = times.sorted()[times.count / 2]
  return TrainBenchmarkResult(
    workload: workload.name, parameters: model.parameterCount,
    tokensPerSecond: Double(b * t) / median,
    millisecondsPerStep: median * 1e3, peakResidentMiB: peakResidentMiB())
}

/// The process's peak resident set size in MiB (`getrusage`).
public func peakResidentMiB() -> Double {
  var usage = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  #if os(Linux)
    return Double(usage.ru_maxrss) / 1024  // kilobytes
  #else
    return Double(usage.ru_maxrss) / 1_048_576  // bytes
  #endif
}
