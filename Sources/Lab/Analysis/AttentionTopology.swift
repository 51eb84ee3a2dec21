import Autodiff
import Foundation
import Probes
import Topology
import Transformer

/// Options of `betti topology`.
public struct TopologyOptions: Sendable {
  /// The text to read (char tasks); nil = a validation sample of the run's task.
  public var text: String?
  /// Layers and heads to analyse; nil = all.
  public var layers: [Int]?
  public var heads: [Int]?
  /// The filtration threshold (default: the enclosing radius) and the scale of the Rips
  /// 1-skeleton picture (default: the longest finite H0 bar, where the complex connects).
  public var threshold: Float?
  /// Where the JSON and pictures go; nil = `<run>/topology`.
  public var outDirectory: URL?

  public init() {}
}

/// Persistent homology of a trained model's attention (seed paper §4–§7).
public enum AttentionTopology {
  /// PH of one head's Jensen–Shannon matrix over growing prefixes: one entry per prefix length
  /// `k = 2…n`, with the bottleneck distance of its (finite) diagrams to those of `k − 1`
  /// (absent for the first) — the seed's discrete-time reduction of two-parameter persistence.
  public struct PrefixStep: Sendable {
    public var tokens: Int
    public var persistence: RipsPersistence
    public var h0Bottleneck: Double?
    public var h1Bottleneck: Double?
  }

  /// The prefix sequence for attention `rows` (`n × n`, row-major, causal: row `i` supported on
  /// keys `≤ i`, so each `k × k` leading block is row-stochastic), base-2 JSD, unsmoothed.
  public static func prefixSteps(rows: [Float], count n: Int, threshold: Float? = nil) throws
    -> [PrefixStep]
  {
    var steps: [PrefixStep] = []
    for k in 2...max(2, n) where k <= n {
      var block = [Float]()
      block.reserveCapacity(k * k)
      for i in 0..<k { block += rows[(i * n)..<(i * n + k)] }
      let d = try DistanceMatrix.jensenShannon(rows: block, rowCount: k, columnCount: k)
      let p = VietorisRips.persistence(of: d, threshold: threshold)
      var step = PrefixStep(tokens: k, persistence: p)
      if let last = steps.last {
        step.h0Bottleneck = DiagramDistance.bottleneck(finite(last.persistence.h0), finite(p.h0))
        step.h1Bottleneck = DiagramDistance.bottleneck(finite(last.persistence.h1), finite(p.h1))
      }
      steps.append(step)
    }
    return steps
  }

  static func finite(_ d: PersistenceDiagram) -> PersistenceDiagram {
    PersistenceDiagram(dimension: d.dimension, pairs: d.finitePairs)
  }

  /// Analyses `model` on `tokens` (labelled `labels`): writes `topology.json` and SVG pictures
  /// into `directory` (created if needed) and returns the JSON text.
  public static func analyze(
    model: GPT, tokens: [Int32], labels: [String], options: TopologyOptions, directory: URL
  ) throws -> String {
    let depth = model.config.depth
    let nh = model.config.heads
    let layers = options.layers ?? Array(0..<depth)
    let heads = options.heads ?? Array(0..<nh)
    for l in layers where l < 0 || l >= depth {
      throw PersistenceInputError.badOption("--layers: layer \(l) is not in [0, \(depth))")
    }
    for h in heads where h < 0 || h >= nh {
      throw PersistenceInputError.badOption("--heads: head \(h) is not in [0, \(nh))")
    }
    let n = tokens.count
    let capture = ForwardCapture(keepAttention: true)
    Tensor.withoutGradients {
      let ctx = model.makeContext(length: n, training: false, capture: capture)
      _ = model.logits(tokens: tokens, batch: 1, length: n, context: ctx)
    }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    func write(_ name: String, _ text: String) throws {
      try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    func matrixJSON(_ d: DistanceMatrix) -> String {
      "["
        + (0..<d.count).map { i in
          "[" + (0..<d.count).map { DiagramJSON.number(d[i, $0]) }.joined(separator: ", ") + "]"
        }.joined(separator: ", ") + "]"
    }
    func string(_ s: String) -> String {
      String(data: try! JSONEncoder().encode(s), encoding: .utf8)!
    }
    var headEntries: [String] = []
    for l in layers {
      let a = capture.attention[l]!.scalars  // (1, nh, n, n)
      for h in heads {
        let rows = Array(a[(h * n * n)..<((h + 1) * n * n)])
        let d = try DistanceMatrix.jensenShannon(rows: rows, rowCount: n, columnCount: n)
        let p = VietorisRips.persistence(of: d, threshold: options.threshold)
        let name = "L\(l)H\(h)"
        let scale = options.threshold ?? (p.h0.finitePairs.map(\.death).max() ?? 0)
        try write(
          "\(name)_diagram.svg", PersistencePlots.diagram(p, title: "\(name) persistence diagram"))
        try write("\(name)_barcode.svg", PersistencePlots.barcode(p, title: "\(name) barcode"))
        try write(
          "\(name)_rips.svg",
          PersistencePlots.ripsSkeleton(
            d, coordinates: ClassicalMDS.embed(d), labels: labels, threshold: scale,
            title: "\(name) Rips 1-skeleton at \(scale)"))
        let prefixes = try prefixSteps(rows: rows, count: n, threshold: options.threshold).map {
          s in
          "{\"tokens\": \(s.tokens), \"h0\": \(DiagramJSON.intervals(s.persistence.h0)), "
            + "\"h1\": \(DiagramJSON.intervals(s.persistence.h1)), "
            + "\"bottleneck_h0\": \(s.h0Bottleneck.map { DiagramJSON.number($0) } ?? "null"), "
            + "\"bottleneck_h1\": \(s.h1Bottleneck.map { DiagramJSON.number($0) } ?? "null")}"
        }
        headEntries.append(
          "{\"layer\": \(l), \"head\": \(h), \"distances\": \(matrixJSON(d)), "
            + "\"h0\": \(DiagramJSON.intervals(p.h0)), \"h1\": \(DiagramJSON.intervals(p.h1)), "
            + "\"threshold\": \(DiagramJSON.number(p.threshold)), \"skeleton_threshold\": \(DiagramJSON.number(scale)), "
            + "\"prefixes\": [\(prefixes.joined(separator: ", "))], "
            + "\"pictures\": [\(string("\(name)_diagram.svg")), \(string("\(name)_barcode.svg")), \(string("\(name)_rips.svg"))]}"
        )
      }
    }
    // Global PH: every head of the model, compared token by token.
    var all: [Float] = []
    var names: [String] = []
    for l in 0..<depth {
      all += capture.attention[l]!.scalars
      names += (0..<nh).map { "L\(l)H\($0)" }
    }
    let global = AttentionTerms.headDistanceMatrix(heads: Tensor(all, shape: [depth * nh, n, n]))
    let gp = VietorisRips.persistence(of: global, threshold: options.threshold)
    try write(
      "global_diagram.svg", PersistencePlots.diagram(gp, title: "head distances: persistence"))
    try write(
      "global_rips.svg",
      PersistencePlots.ripsSkeleton(
        global, coordinates: ClassicalMDS.embed(global), labels: names,
        threshold: options.threshold ?? (gp.h0.finitePairs.map(\.death).max() ?? 0),
        title: "heads (MDS of head distances)"))
    let json =
      "{\"tokens\": [\(labels.map(string).joined(separator: ", "))], "
      + "\"heads\": [\(headEntries.joined(separator: ",\n  "))],\n"
      + "\"global\": {\"heads\": [\(names.map(string).joined(separator: ", "))], "
      + "\"distances\": \(matrixJSON(global)), \"h0\": \(DiagramJSON.intervals(gp.h0)), "
      + "\"h1\": \(DiagramJSON.intervals(gp.h1)), "
      + "\"pictures\": [\"global_diagram.svg\", \"global_rips.svg\"]}}\n"
    try write("topology.json", json)
    return json
  }

  /// `betti topology RUN`: loads the run's latest checkpoint, encodes `options.text` (char
  /// tasks) or takes one validation sample of the task, and analyses it (see the other
  /// `analyze`). Returns the JSON text and the output folder.
  public static func analyze(run path: String, options: TopologyOptions) throws -> (
    json: String, directory: URL
  ) {
    let runURL = URL(fileURLWithPath: path)
    let config = try RunFolder(url: runURL).readConfig()
    let task = try config.makeTask()
    var tokens: [Int32]
    if let text = options.text {
      guard let charTask = task as? CharTask else {
        throw SampleError.notCharacterTask(kind: config.task.kind.rawValue)
      }
      guard let encoded = charTask.encode(text), encoded.count >= 2 else {
        throw SampleError.badSetting(
          "--text must have at least 2 characters, all in the model's vocabulary")
      }
      tokens = encoded
    } else {
      var rng = SeededRandom(seed: 0, stream: "topology")
      tokens = Array(task.batch(.validation, size: 1, using: &rng).inputRow(0))
    }
    tokens = Array(tokens.prefix(config.model.context))
    let model = GPT(config.gptConfig(vocabularySize: task.vocabularySize))
    let weights = try TrainingCheckpoint.modelFile(for: path)
    try model.load(stateDict: TrainingCheckpoint.readModel(weights).tensors, path: weights.path)
    let labels = tokens.map { task.decode([$0]) }
    let directory = options.outDirectory ?? runURL.appendingPathComponent("topology")
    let json = try analyze(
      model: model, tokens: tokens, labels: labels, options: options, directory: directory)
    return (json, directory)
  }
}
