import Autodiff
import Foundation
import Transformer

/// The operations of a training step other than its matrix products, each timed alone at the
/// shapes of one micro-batch of a config: where a step's time goes beside `betti bench gemm`,
/// and a quiet measure of a change to one of them (a whole training run on a shared machine
/// moves by more than most such changes).
public enum OpBenchmark {
  /// One operation's median times over the repeats.
  public struct Row: Sendable, Equatable {
    public var name: String
    /// The input's shape, as `6x64x128`.
    public var shape: String
    /// Values of the input (for the optimizer: of the parameters).
    public var values: Int
    public var forwardMicroseconds: Double
    /// NaN for the optimizer, which has no backward pass.
    public var backwardMicroseconds: Double
    /// Times the operation runs in one training step of the config (every micro-batch's forward
    /// and backward), so that `calls · (forward + backward)` is its share of a step on one core.
    public var callsPerStep: Int

    /// Forward and backward together, in microseconds.
    public var microseconds: Double {
      forwardMicroseconds + (backwardMicroseconds.isNaN ? 0 : backwardMicroseconds)
    }

    /// Forward and backward nanoseconds per input value.
    public var nanosecondsPerValue: Double { microseconds * 1000 / Double(max(values, 1)) }

    /// The op's core time in one training step: `callsPerStep · microseconds`, in milliseconds.
    public var millisecondsPerStep: Double { Double(callsPerStep) * microseconds / 1000 }
  }

  /// The core time of all `rows` in one training step, in milliseconds.
  public static func millisecondsPerStep(_ rows: [Row]) -> Double {
    rows.reduce(0) { $0 + $1.millisecondsPerStep }
  }

  /// Times, on `threads` threads (1: a micro-batch has a core to itself), the normalization,
  /// the activation, the attention (with the config's mask), the cross-entropy of the logits
  /// and the optimizer step over the model's parameters, each `repeats` times after two
  /// warm-up calls, with inputs drawn from a fixed seed. `vocabularySize` is the task's;
  /// `sequences` those of a step (default `batch_size`; see `MicroBatching.sequencesPerStep`).
  public static func run(
    config: Config, vocabularySize: Int, sequences: Int? = nil, repeats: Int = 50,
    threads: Int = 1
  ) -> [Row] {
    precondition(repeats > 0 && threads > 0, "OpBenchmark.run: repeats and threads must be ≥ 1")
    let m = config.model
    let (microBatches, b) = MicroBatching.split(config, sequences: sequences)
    let (t, c) = (m.context, m.width)
    let hidden = m.mlpRatio * c
    let saved = Parallel.threadCount
    Parallel.threadCount = threads
    defer { Parallel.threadCount = saved }
    var rng = SeededRandom(seed: 7, stream: "op-benchmark")
    func input(_ shape: [Int]) -> Tensor {
      Tensor.randomNormal(shape, using: &rng, requiresGrad: true)
    }
    let perLayer = m.depth * microBatches
    var rows: [Row] = []

    let x = input([b, t, c])
    let gain = Tensor.ones([c], requiresGrad: true)
    rows.append(
      time("layer_norm", x, calls: (2 * m.depth + 1) * microBatches, repeats) {
        $0.layerNorm(weight: gain)
      })

    let h = input([b, t, hidden])
    let activation: (Tensor) -> Tensor
    switch m.activation {
    case .gelu: activation = { $0.gelu() }
    case .geluExact: activation = { $0.geluExact() }
    case .relu: activation = { $0.relu() }
    }
    rows.append(time(m.activation.rawValue, h, calls: perLayer, repeats, activation))

    let gpt = config.gptConfig(vocabularySize: vocabularySize)
    let (heads, headDim) = (gpt.heads, gpt.resolvedHeadDim)
    let qkv = input([b, t, 3 * heads * headDim])
    // The model's mask: −∞ above the diagonal.
    let mask =
      gpt.causal
      ? Tensor((0..<(t * t)).map { ($0 % t) > ($0 / t) ? -Float.infinity : 0 }, shape: [t, t])
      : nil
    rows.append(
      time("attention", qkv, calls: perLayer, repeats) {
        $0.multiHeadAttention(
          heads: heads, headDim: headDim, scale: 1 / Float(headDim).squareRoot(), mask: mask)
      })

    let logits = input([b * t, vocabularySize])
    let targets = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: vocabularySize)) }
    rows.append(
      time("cross_entropy", logits, calls: microBatches, repeats) {
        $0.crossEntropy(targets: targets)
      })

    rows.append(optimizerRow(config, vocabularySize: vocabularySize, repeats: repeats))
    return rows
  }

  /// Median forward and backward times of `op(x)`, the backward from a fixed gradient of the
  /// output's shape into `x` (and any parameter the op reads).
  static func time(
    _ name: String, _ x: Tensor, calls: Int, _ repeats: Int, _ op: (Tensor) -> Tensor
  ) -> Row {
    var rng = SeededRandom(seed: 11, stream: name)
    let probe = op(x)
    let seed = Tensor.randomNormal(probe.shape, using: &rng)
    probe.backward(gradient: seed)
    var forward: [Double] = []
    var backward: [Double] = []
    for i in 0..<(repeats + 2) {
      x.grad = nil
      let start = DispatchTime.now().uptimeNanoseconds
      let y = op(x)
      let middle = DispatchTime.now().uptimeNanoseconds
      y.backward(gradient: seed)
      let end = DispatchTime.now().uptimeNanoseconds
      if i >= 2 {
        forward.append(Double(middle - start) / 1000)
        backward.append(Double(end - middle) / 1000)
      }
    }
    return Row(
      name: name, shape: x.shape.map(String.init).joined(separator: "x"), values: x.count,
      forwardMicroseconds: median(forward), backwardMicroseconds: median(backward),
      callsPerStep: calls)
  }

  /// The config's optimizer stepping over its model's parameters, each with a gradient.
  static func optimizerRow(_ config: Config, vocabularySize: Int, repeats: Int) -> Row {
    let model = GPT(config.gptConfig(vocabularySize: vocabularySize))
    var rng = SeededRandom(seed: 13, stream: "op-benchmark-optimizer")
    model.initialize(using: &rng)
    let parameters = model.parameters()
    for p in parameters {
      p.tensor.grad = Tensor.randomNormal(p.tensor.shape, std: 1e-3, using: &rng)
    }
    let optimizer = config.makeOptimizer()
    var times: [Double] = []
    for i in 0..<(repeats + 2) {
      let start = DispatchTime.now().uptimeNanoseconds
      optimizer.step(parameters, lr: 1e-4)
      if i >= 2 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000) }
    }
    let count = parameters.reduce(0) { $0 + $1.tensor.count }
    return Row(
      name: config.optimizer.kind.rawValue, shape: "\(parameters.count) tensors", values: count,
      forwardMicroseconds: median(times), backwardMicroseconds: .nan, callsPerStep: 1)
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
      ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  }
}

extension OpBenchmark {
  /// The character vocabulary of tiny Shakespeare, the yardstick's task.
  public static let yardstickVocabularySize = 65

  /// `Configs/shakespeare_char.json`'s model, batch and optimizer: 4 layers of 4 heads, width
  /// 128, context 64, exact GELU, batches of 12 in two micro-batches, AdamW.
  public static var yardstickConfig: Config {
    var config = Config()
    config.name = "shakespeare_char"
    config.model.context = 64
    config.model.width = 128
    config.model.depth = 4
    config.model.heads = 4
    config.model.activation = .geluExact
    config.model.bias = false
    config.training.batchSize = 12
    config.training.microBatches = 2
    config.optimizer.kind = .adamw
    return config
  }
}
