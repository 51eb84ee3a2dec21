import Autodiff
import Foundation
import Transformer

/// Per-head attention measurements: entropy, the largest pre-softmax logit, and coarse Ricci
/// curvature (`AttentionCurvature`).
///
/// Metric names (stable; one row per layer and head, averaged over the selected sequences):
/// - `attn_entropy_bits`: `(1/n) Σ_i −Σ_j A_ij log₂ A_ij`, with `0 · log 0 = 0`;
/// - `attn_max_logit`: `max z_ij` over the allowed entries (`j ≤ i` when causal) of the
///   pre-softmax scaled logits `z`;
/// - `curv_discrete_mean`, `curv_discrete_min`, `curv_positional_mean`,
///   `curv_positional_min`: see `AttentionCurvature`.
public enum AttentionProbe {
  public static let entropyMetric = "attn_entropy_bits"
  public static let maxLogitMetric = "attn_max_logit"
  public static let discreteMeanMetric = "curv_discrete_mean"
  public static let discreteMinMetric = "curv_discrete_min"
  public static let positionalMeanMetric = "curv_positional_mean"
  public static let positionalMinMetric = "curv_positional_min"

  /// The mean over rows of the Shannon entropy in bits, `(1/n) Σ_i −Σ_j A_ij log₂ A_ij`, of the
  /// `n × n` row-major matrix at `attention`; zero (and negative) entries contribute 0. With
  /// `causal`, only `j ≤ i` is read. Uniform rows over `k` entries give `log₂ k`, one-hot rows 0.
  /// Whole vectors of 16 entries use `log₂` to within ~1e-6 (see `VectorMath`), so the entropy
  /// is accurate to ~1e-6 bits.
  public static func entropyBits(_ attention: UnsafePointer<Float>, count n: Int, causal: Bool)
    -> Double
  {
    guard n > 0 else { return 0 }
    var total = 0.0
    for i in 0..<n {
      let row = attention + i * n
      let length = causal ? i + 1 : n
      let whole = length / 16 * 16
      var h = SIMD16<Float>()
      var k = 0
      while k < whole {
        h += VectorMath.negativeXLog2X(
          UnsafeRawPointer(row + k).loadUnaligned(as: SIMD16<Float>.self))
        k += 16
      }
      var tail: Float = 0
      for j in whole..<length where row[j] > 0 { tail -= row[j] * log2(row[j]) }
      total += Double(VectorMath.total(h) + tail)
    }
    return total / Double(n)
  }

  /// The largest value among the allowed entries of the `n × n` row-major logits at `logits`:
  /// all of them, or `j ≤ i` when `causal` (the captured logits carry no mask). `-infinity` when
  /// `n == 0`.
  public static func maxLogit(_ logits: UnsafePointer<Float>, count n: Int, causal: Bool) -> Double
  {
    var m = -Float.infinity
    for i in 0..<n {
      let row = logits + i * n
      for j in 0..<(causal ? i + 1 : n) { m = max(m, row[j]) }
    }
    return Double(m)
  }

  /// Measures the selected layers, heads and sequences of captured attention.
  ///
  /// `attention[l]` and `logits[l]` are `(B, nh, T, T)` (as `ForwardCapture` keeps them);
  /// `layers` nil means every captured layer (ascending), `heads` nil every head. Each value is
  /// the mean over `sequences` (batch indices) of the per-matrix value. Heads are measured in
  /// parallel (`Parallel.forEach`); results are in layer-then-head order.
  public static func measure(
    attention: [Int: Tensor], logits: [Int: Tensor], layers: [Int]? = nil, heads: [Int]? = nil,
    sequences: [Int] = [0], causal: Bool
  ) -> [AttentionHeadSummary] {
    let layerList = layers ?? attention.keys.sorted()
    guard let first = layerList.first else { return [] }
    guard let shape = attention[first]?.shape, shape.count == 4 else {
      preconditionFailure("AttentionProbe.measure: no (B, nh, T, T) attention for layer \(first)")
    }
    let (b, nh, t) = (shape[0], shape[1], shape[2])
    let headList = heads ?? Array(0..<nh)
    precondition(!sequences.isEmpty, "AttentionProbe.measure: no sequences selected")
    for s in sequences {
      precondition(s >= 0 && s < b, "AttentionProbe.measure: sequence \(s) outside batch of \(b)")
    }
    for h in headList {
      precondition(h >= 0 && h < nh, "AttentionProbe.measure: head \(h) outside 0..<\(nh)")
    }
    var matrices: [(a: UnsafePointer<Float>, z: UnsafePointer<Float>)] = []
    for l in layerList {
      guard let a = attention[l], let z = logits[l] else {
        preconditionFailure("AttentionProbe.measure: layer \(l) was not captured")
      }
      precondition(
        a.shape == shape && z.shape == shape,
        "AttentionProbe.measure: layer \(l) attention \(a.shape) and logits \(z.shape) ≠ \(shape)")
      for h in headList {
        for s in sequences {
          let offset = ((s * nh) + h) * t * t
          matrices.append((UnsafePointer(a.pointer + offset), UnsafePointer(z.pointer + offset)))
        }
      }
    }
    // One slot per (layer, head, sequence), filled independently.
    var values = [HeadValues](repeating: HeadValues(), count: matrices.count)
    values.withUnsafeMutableBufferPointer { out in
      Parallel.forEach(matrices.count) { k in
        let (a, z) = matrices[k]
        out[k] = HeadValues(
          entropy: entropyBits(a, count: t, causal: causal),
          maxLogit: maxLogit(z, count: t, causal: causal),
          curvature: AttentionCurvature(attention: a, count: t, causal: causal))
      }
    }
    var summaries: [AttentionHeadSummary] = []
    var k = 0
    let scale = 1 / Double(sequences.count)
    for l in layerList {
      for h in headList {
        var sum = HeadValues()
        for _ in sequences {
          sum.add(values[k])
          k += 1
        }
        let c = sum.curvature
        summaries.append(
          AttentionHeadSummary(
            layer: l, head: h, entropyBits: sum.entropy * scale, maxLogit: sum.maxLogit * scale,
            curvature: AttentionCurvature(
              discreteMean: c.discreteMean * scale, discreteMin: c.discreteMin * scale,
              positionalMean: c.positionalMean * scale, positionalMin: c.positionalMin * scale)))
      }
    }
    return summaries
  }

  /// The tidy rows of `measure(attention:logits:layers:heads:sequences:causal:)` at `step`:
  /// six per layer and head, in layer-then-head order.
  public static func rows(
    step: Int, attention: [Int: Tensor], logits: [Int: Tensor], layers: [Int]? = nil,
    heads: [Int]? = nil, sequences: [Int] = [0], causal: Bool
  ) -> [ProbeRow] {
    measure(
      attention: attention, logits: logits, layers: layers, heads: heads, sequences: sequences,
      causal: causal
    ).flatMap { $0.rows(step: step) }
  }

  /// Measures a capture's attention with a probe config's selection.
  public static func measure(_ capture: ForwardCapture, config: ProbeConfig, causal: Bool)
    -> [AttentionHeadSummary]
  {
    measure(
      attention: capture.attention, logits: capture.attentionLogits, layers: config.layers,
      heads: config.heads, sequences: config.sequences, causal: causal)
  }

  private struct HeadValues {
    var entropy = 0.0
    var maxLogit = 0.0
    var curvature = AttentionCurvature(
      discreteMean: 0, discreteMin: 0, positionalMean: 0, positionalMin: 0)

    mutating func add(_ v: HeadValues) {
      entropy += v.entropy
      maxLogit += v.maxLogit
      curvature.discreteMean += v.curvature.discreteMean
      curvature.discreteMin += v.curvature.discreteMin
      curvature.positionalMean += v.curvature.positionalMean
      curvature.positionalMin += v.curvature.positionalMin
    }
  }
}

/// The attention measurements of one layer and head (see `AttentionProbe` for the formulas).
public struct AttentionHeadSummary: Sendable, Equatable {
  public var layer: Int
  public var head: Int
  public var entropyBits: Double
  public var maxLogit: Double
  public var curvature: AttentionCurvature

  public init(
    layer: Int, head: Int, entropyBits: Double, maxLogit: Double, curvature: AttentionCurvature
  ) {
    self.layer = layer
    self.head = head
    self.entropyBits = entropyBits
    self.maxLogit = maxLogit
    self.curvature = curvature
  }

  /// The six tidy rows of this head at `step`.
  public func rows(step: Int) -> [ProbeRow] {
    let values: [(String, Double)] = [
      (AttentionProbe.entropyMetric, entropyBits),
      (AttentionProbe.maxLogitMetric, maxLogit),
      (AttentionProbe.discreteMeanMetric, curvature.discreteMean),
      (AttentionProbe.discreteMinMetric, curvature.discreteMin),
      (AttentionProbe.positionalMeanMetric, curvature.positionalMean),
      (AttentionProbe.positionalMinMetric, curvature.positionalMin),
    ]
    return values.map {
      ProbeRow(step: step, family: .attention, layer: layer, head: head, metric: $0.0, value: $0.1)
    }
  }
}
