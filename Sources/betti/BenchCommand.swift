import Foundation
import Lab

/// `betti bench gemm|train|ops|probes|ph|regularizers [--workloads tiny,small,medium] [--steps N]`
func benchCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(
    words, valued: ["workloads", "steps", "shapes", "threads", "config"], switches: ["cold"])
  let cold = args.flags.contains("cold")
  if cold && args.positional != ["gemm"] {
    throw UsageError(
      "--cold belongs to bench gemm (it times products with their operands out of the caches)")
  }
  switch args.positional {
  case ["gemm"] where args.options["config"] != nil:
    try benchStepProducts(args, cold: cold)
  case ["gemm"]:
    guard args.overrides.isEmpty else {
      throw UsageError("bench gemm: --set needs --config, the file it changes")
    }
    let shapes =
      try args.options["shapes"].map { list in
        try list.split(separator: ",").map {
          guard let shape = GEMMBenchmark.Shape(parsing: String($0)) else {
            throw UsageError(
              "--shapes takes MxKxN or MxKxNxBATCH items, each optionally with :NN, :NT, :TN or :TT (which operands are transposed), separated by commas, e.g. 2048x64x256,384x128x384:NT,64x64x16x128; got '\($0)'"
            )
          }
          return shape
        }
      } ?? GEMMBenchmark.standardShapes
    let threadCounts = try threadList(args, default: "1,2")
    _ = GEMMBenchmark.run(shapes: shapes, threadCounts: threadCounts, cold: cold) { row in
      Terminal.print(
        String(format: "threads=%d %@: %7.1f GFLOPS", row.threads, row.shape.label, row.gflops))
    }
  case ["train"]:
    let names = (args.options["workloads"] ?? "tiny,small,medium").split(separator: ",").map(
      String.init)
    let steps = try args.integer("steps", default: 20)
    for name in names {
      guard let workload = TrainWorkload.all.first(where: { $0.name == name }) else {
        throw UsageError("unknown workload \(name); choose from tiny, small, medium")
      }
      let r = trainBenchmark(workload, steps: steps)
      Terminal.print(
        String(
          format: "%-7@ %10.0f tokens/s  %8.2f ms/step  %9d params  peak RSS %.0f MiB", r.workload,
          r.tokensPerSecond,
          r.millisecondsPerStep, r.parameters, r.peakResidentMiB))
    }
  case ["ops"]:
    try benchOps(args)
  case ["probes"]:
    // All probe families but sharpness at every step, on the small workload.
    var ratios: [Double] = []
    for (round, r) in probeCostBenchmark(steps: try args.integer("steps", default: 20)).enumerated()
    {
      ratios.append(r.probed / r.plain)
      Terminal.print(
        String(
          format:
            "round %d: small step %.2f ms without probes, %.2f ms with all probes every step (+%.1f%%)",
          round + 1, r.plain, r.probed, 100 * (r.probed / r.plain - 1)))
    }
    Terminal.print(
      String(format: "median overhead: +%.1f%%", 100 * (ratios.sorted()[ratios.count / 2] - 1)))
  case ["ph"]:
    for row in phBenchmarkRows(sizes: [32, 64, 128, 256], sharpSizes: [128, 256]) {
      Terminal.print(
        String(
          format: "%@ n=%4d  jsd %8.2f ms  H0+H1 %8.2f ms  pairs H0=%d H1=%d", row.regime, row.n,
          row.distanceMilliseconds, row.persistenceMilliseconds, row.h0Count, row.h1Count))
    }
  case ["regularizers"]:
    let r = regularizerBenchmark(repeats: try args.integer("steps", default: 5))
    Terminal.print(
      String(
        format:
          "small step %.1f ms, with all terms on layer 0 (4 heads, 64 tokens) %.1f ms: +%.1f%% (terms alone %.1f ms)",
        r.stepMilliseconds, r.regularizedStepMilliseconds, 100 * r.overhead, r.termsMilliseconds))
  default:
    throw UsageError("bench takes one of: gemm, train, ops, probes, ph, regularizers")
  }
  return 0
}

/// `--threads` as positive integers separated by commas.
private func threadList(_ args: Arguments, default text: String) throws -> [Int] {
  try (args.options["threads"] ?? text).split(separator: ",", omittingEmptySubsequences: false)
    .map {
      guard let n = Int($0), n > 0 else {
        throw UsageError(
          "--threads takes positive integers separated by commas, e.g. 1,2; got '\($0)'")
      }
      return n
    }
}

/// `betti bench gemm --config C [--set a.b=v]… [--threads 1,2] [--cold]`: the linear layers'
/// products of one training step of C at one micro-batch's shapes (see `StepProduct`), each
/// timed as `bench gemm` times a shape, with its share of a step's core time; then the same
/// shapes as a `--shapes` list for `scripts/gemm_reference.py`.
private func benchStepProducts(_ args: Arguments, cold: Bool) throws {
  guard args.options["shapes"] == nil else {
    throw UsageError(
      "bench gemm: --shapes and --config exclude each other (--config times the products of the config's training step)"
    )
  }
  let config = try Config.load(
    from: URL(fileURLWithPath: args.options["config"]!), overrides: args.overrides)
  let step = StepProduct.ofStep(config, task: try config.makeTask())
  let threadCounts = try threadList(args, default: "1")
  for threads in threadCounts {
    Terminal.print(
      "\(config.name): the linear layers' products of one training step, \(step.microBatches) "
        + "micro-batch\(step.microBatches == 1 ? "" : "es") of \(step.sequences)×\(config.model.context) "
        + "tokens; \(threads) thread\(threads == 1 ? "" : "s"), median of each"
        + (cold ? ", operands out of the caches" : ""))
    let timings = StepProduct.time(step.products, threads: threads, cold: cold) { t in
      Terminal.print(
        padded(t.product.layer, 15) + padded(t.product.role, 16) + padded(t.product.shape.text, 17)
          + String(
            format: "×%-3d %6.1f GFLOPS  %6.2f ms/step", t.product.callsPerStep, t.gflops,
            t.secondsPerStep * 1000))
    }
    let flops = step.products.reduce(0) { $0 + $1.flopsPerStep }
    let seconds = timings.reduce(0) { $0 + $1.secondsPerStep }
    Terminal.print(
      String(
        format: "all %d products: %.2f GFLOP per step, %.2f ms on %d thread%@ (%.1f GFLOPS)",
        timings.count, Double(flops) / 1e9, seconds * 1000, threads, threads == 1 ? "" : "s",
        Double(flops) / seconds / 1e9))
  }
  Terminal.print(
    "the same products in PyTorch: scripts/gemm_reference.py --threads "
      + threadCounts.map(String.init).joined(separator: ",") + (cold ? " --cold" : "")
      + " --shapes "
      + step.products.map(\.shapesItem).joined(separator: ","))
}

/// `betti bench ops [--config C] [--set a.b=v]… [--threads N] [--steps N]`: the operations beside
/// the matrix products at one micro-batch's shapes (default: the yardstick's config).
private func benchOps(_ args: Arguments) throws {
  let config: Config
  let vocabularySize: Int
  var sequences: Int? = nil
  if let path = args.options["config"] {
    config = try Config.load(from: URL(fileURLWithPath: path), overrides: args.overrides)
    let task = try config.makeTask()
    vocabularySize = task.vocabularySize
    sequences = MicroBatching.sequencesPerStep(config, task: task)
  } else {
    guard args.overrides.isEmpty else {
      throw UsageError("bench ops: --set needs --config, the file it changes")
    }
    (config, vocabularySize) = (OpBenchmark.yardstickConfig, OpBenchmark.yardstickVocabularySize)
  }
  let threads = try args.integer("threads", default: 1)
  let repeats = try args.integer("steps", default: 50)
  guard threads > 0, repeats > 0 else {
    throw UsageError(
      "bench ops: --threads and --steps must be positive (got \(threads), \(repeats))")
  }
  let rows = OpBenchmark.run(
    config: config, vocabularySize: vocabularySize, sequences: sequences, repeats: repeats,
    threads: threads)
  let m = config.model
  let microBatch = MicroBatching.split(config, sequences: sequences).size
  Terminal.print(
    "\(config.name): micro-batches of \(microBatch)×\(m.context) tokens, "
      + "width \(m.width), depth \(m.depth); \(threads) thread\(threads == 1 ? "" : "s"), "
      + "median of \(repeats)")
  for r in rows {
    let backward =
      r.backwardMicroseconds.isNaN ? "—" : String(format: "%.1f", r.backwardMicroseconds)
    Terminal.print(
      padded(r.name, 14) + padded(r.shape, 12)
        + String(format: "fwd %7.1f µs  bwd ", r.forwardMicroseconds)
        + padded(backward, 7, left: true)
        + String(
          format: " µs  %5.2f ns/value  ×%-3d %5.2f ms/step", r.nanosecondsPerValue, r.callsPerStep,
          r.millisecondsPerStep))
  }
  Terminal.print(
    String(
      format: "these ops: %.2f ms of core time per step", OpBenchmark.millisecondsPerStep(rows)))
}

private func padded(_ text: String, _ width: Int, left: Bool = false) -> String {
  let pad = String(repeating: " ", count: max(0, width - text.count))
  return left ? pad + text : text + pad
}
