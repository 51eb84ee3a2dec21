import Autodiff
import Foundation
import Probes
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
/// `steps` steps after `warmup`. With `probes`, every family of it that is enabled runs at
/// every step inside the timed region, exactly as the trainer runs them (residual gradients
/// kept, gradient rows before clipping, update ratios after the update, attention and sphere
/// on a one-sequence probe batch).
public func trainBenchmark(
  _ workload: TrainWorkload, steps: Int = 20, warmup: Int = 5, probes: ProbesConfig? = nil
) -> TrainBenchmarkResult {
  let model = GPT(workload.gptConfig)
  var rng = SeededRandom(seed: 0, stream: "init")
  model.initialize(using: &rng)
  let parameters = model.parameters()
  let optimizer = Adam(beta1: 0.9, beta2: 0.95, weightDecay: 0.1, decoupled: true)
  var data = SeededRandom(seed: 0, stream: "data")
  let (b, t, v) = (workload.batch, workload.context, workload.vocab)
  var times: [Double] = []
  var probeRandom = SeededRandom(seed: 1, stream: "probe")
  let probeTokens = (0..<(t + 1)).map { _ in Int32(probeRandom.nextInt(below: v)) }
  let runner = probes.map {
    ProbeRunner(
      config: $0, model: model,
      probeBatch: Batch(
        size: 1, length: t, inputs: Array(probeTokens.dropLast()),
        targets: Array(probeTokens.dropFirst()),
        weights: [Float](repeating: 1, count: t)))
  }
  for step in 0..<(warmup + steps) {
    let tokens = (0..<(b * t)).map { _ in Int32(data.nextInt(below: v)) }
    let targets = (0..<(b * t)).map { _ in Int32(data.nextInt(below: v)) }
    let start = DispatchTime.now().uptimeNanoseconds
    for p in parameters { p.tensor.grad = nil }
    let gradientsDue = runner?.wantsResidualGradients(atStep: step + 1) ?? false
    let capture = gradientsDue ? ForwardCapture(residualGradients: true) : nil
    let ctx = model.makeContext(length: t, training: true, capture: capture)
    let loss = model.logits(tokens: tokens, batch: b, length: t, context: ctx)
      .crossEntropy(targets: targets)
    loss.backward()
    var rows: [ProbeRow] = []
    var snapshot: ParameterSnapshot?
    let norm = globalGradientNorm(parameters)
    if let runner, gradientsDue {
      (rows, snapshot) = runner.gradientRows(
        step: step + 1, parameters: parameters, capture: capture, clip: 1, globalNorm: norm)
    }
    clipGradients(parameters, maxNorm: 1, norm: norm)
    optimizer.step(parameters, lr: 3e-4)
    if let snapshot { rows += snapshot.rows(step: step + 1, parameters: parameters) }
    if let runner { rows += runner.stateRows(step: step + 1, parameters: parameters) }
    precondition(runner == nil || !rows.isEmpty, "trainBenchmark: probes produced no rows")
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

/// The cost of the probes on the `small` workload: step times without probes and with every
/// family but sharpness at every step, measured `rounds` times in alternation.
public func probeCostBenchmark(steps: Int = 20, rounds: Int = 3) -> [(
  plain: Double, probed: Double
)] {
  let workload = TrainWorkload.all.first { $0.name == "small" }!
  var every = ProbesConfig()
  every.sharpness.enabled = false
  return (0..<rounds).map { _ in
    let plain = trainBenchmark(workload, steps: steps)
    let probed = trainBenchmark(workload, steps: steps, probes: every)
    return (plain.millisecondsPerStep, probed.millisecondsPerStep)
  }
}
