import Foundation
import Transformer

/// The matrix products of the linear layers in one training step of a config, at one
/// micro-batch's shapes: what `betti bench gemm --config` times, and the same list as
/// `--shapes` for a reference library (`scripts/gemm_reference.py`), so that the products of a
/// step can be compared with another library's, shape for shape, in the same minutes.
///
/// A layer `y = x·Wᵀ` (W stored `outputs × inputs`, as in nanoGPT) over `tokens` rows runs
/// three products per micro-batch: the forward `x·Wᵀ` (tokens × inputs × outputs, B
/// transposed), the input gradient `dy·W` (tokens × outputs × inputs) and the weight gradient
/// `dyᵀ·x` (outputs × tokens × inputs, A transposed). Attention's own products (scores and
/// their weighted sums) are not among them: `betti bench ops` times attention whole.
public struct StepProduct: Sendable, Equatable {
  /// The layer, as its parameter is named (`c_attn`, `c_proj`, `c_fc`, `mlp.c_proj`, `lm_head`).
  public var layer: String
  /// `forward`, `input gradient` or `weight gradient`.
  public var role: String
  public var shape: GEMMBenchmark.Shape
  /// Times a training step runs it: one per layer of this kind and micro-batch.
  public var callsPerStep: Int

  /// The shape with `*calls`, as `scripts/gemm_reference.py --shapes` takes it:
  /// `384x128x384:NT*8`.
  public var shapesItem: String { "\(shape.text)*\(callsPerStep)" }

  /// Flops of all its calls in one step.
  public var flopsPerStep: Int { shape.flops * callsPerStep }

  /// The products of one training step of a model: `tokens` rows per micro-batch (its
  /// sequences times the context), `microBatches` micro-batches per step, in the order the
  /// forward pass meets the layers; each layer's forward, input gradient and weight gradient.
  public static func ofStep(_ model: GPTConfig, tokens: Int, microBatches: Int) -> [StepProduct] {
    precondition(tokens > 0 && microBatches > 0, "StepProduct.ofStep: tokens and micro-batches ≥ 1")
    let (width, inner, hidden) = (model.width, model.attentionWidth, model.mlpRatio * model.width)
    let layers: [(name: String, inputs: Int, outputs: Int, count: Int)] = [
      ("c_attn", width, 3 * inner, model.depth),
      ("c_proj", inner, width, model.depth),
      ("c_fc", width, hidden, model.depth),
      ("mlp.c_proj", hidden, width, model.depth),
      (model.tiedHead ? "lm_head (tied)" : "lm_head", width, model.vocabSize, 1),
    ]
    return layers.flatMap { layer -> [StepProduct] in
      let calls = layer.count * microBatches
      let (i, o) = (layer.inputs, layer.outputs)
      return [
        StepProduct(
          layer: layer.name, role: "forward",
          shape: .init(m: tokens, k: i, n: o, transposeB: true), callsPerStep: calls),
        StepProduct(
          layer: layer.name, role: "input gradient", shape: .init(m: tokens, k: o, n: i),
          callsPerStep: calls),
        StepProduct(
          layer: layer.name, role: "weight gradient",
          shape: .init(m: o, k: tokens, n: i, transposeA: true), callsPerStep: calls),
      ]
    }
  }

  /// The products of one training step of `config` on `task`, cut into micro-batches as the
  /// trainer cuts a step's sequences (see `MicroBatching.split`), and those micro-batches'
  /// count and sequences.
  public static func ofStep(_ config: Config, task: any SequenceTask) -> (
    products: [StepProduct], microBatches: Int, sequences: Int
  ) {
    let (count, size) = MicroBatching.split(
      config, sequences: MicroBatching.sequencesPerStep(config, task: task))
    let products = ofStep(
      config.gptConfig(vocabularySize: task.vocabularySize), tokens: size * config.model.context,
      microBatches: count)
    return (products, count, size)
  }

  /// One product's median time of one call (as `GEMMBenchmark.medianSeconds` measures it).
  public struct Timing: Sendable {
    public var product: StepProduct
    public var medianSeconds: Double
    public var gflops: Double { Double(product.shape.flops) / medianSeconds / 1e9 }
    /// All its calls in one step.
    public var secondsPerStep: Double { medianSeconds * Double(product.callsPerStep) }
  }

  /// Times every product on `threads` threads, in order, with its operands out of the caches
  /// when `cold` (see `GEMMBenchmark.medianSeconds`); `onRow` sees each as it finishes.
  public static func time(
    _ products: [StepProduct], threads: Int, cold: Bool = false,
    onRow: (Timing) -> Void = { _ in }
  ) -> [Timing] {
    products.map { product in
      let timing = Timing(
        product: product,
        medianSeconds: GEMMBenchmark.medianSeconds(product.shape, threads: threads, cold: cold))
      onRow(timing)
      return timing
    }
  }
}
