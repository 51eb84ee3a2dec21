import Autodiff
import Dispatch

/// Timings of the per-step probes on synthetic tensors of a workload's shapes.
public enum ProbeBenchmark {
  /// Wall-clock times of one probe evaluation, in seconds.
  public struct Cost: Sendable, Equatable {
    public var median: Double
    public var minimum: Double
    public var repetitions: Int
  }

  /// Times all attention probes (entropy, largest logit, both curvatures) on every layer and
  /// head plus all sphere probes on every layer, for `sequences` probe sequences of `length`
  /// tokens. Inputs are seeded: logits `N(0, 2²)`, causal softmax attention, normal residual
  /// states. Defaults are the `small` workload (T = 128, 4 layers × 4 heads, width 128).
  /// Runs one untimed warm-up, then `repetitions` timed evaluations.
  public static func attentionProbeCost(
    length: Int = 128, layers: Int = 4, heads: Int = 4, width: Int = 128, sequences: Int = 1,
    repetitions: Int = 21
  ) -> Cost {
    precondition(repetitions >= 1, "attentionProbeCost: repetitions \(repetitions) < 1")
    var rng = SeededRandom(seed: 0, stream: "probe-benchmark")
    let t = length
    let mask = Tensor(
      (0..<(t * t)).map { ($0 % t) > ($0 / t) ? -Float.infinity : 0 }, shape: [t, t])
    var logits: [Int: Tensor] = [:]
    var attention: [Int: Tensor] = [:]
    Tensor.withoutGradients {
      for l in 0..<layers {
        let z = Tensor.randomNormal([sequences, heads, t, t], std: 2, using: &rng)
        logits[l] = z
        attention[l] = z.softmax(mask: mask)
      }
    }
    let residuals = (0...layers).map { _ in
      Tensor.randomNormal([sequences, t, width], using: &rng)
    }
    let selected = Array(0..<sequences)
    var times: [Double] = []
    for r in 0...repetitions {
      let start = DispatchTime.now().uptimeNanoseconds
      let summaries = AttentionProbe.measure(
        attention: attention, logits: logits, sequences: selected, causal: true)
      let sphere = SphereGeometry.measure(residuals: residuals, sequences: selected)
      let end = DispatchTime.now().uptimeNanoseconds
      // Using the results keeps the measurements from being optimized away.
      precondition(summaries.count == layers * heads && sphere.layers.count == layers + 1)
      if r > 0 { times.append(Double(end - start) * 1e-9) }
    }
    times.sort()
    return Cost(median: times[times.count / 2], minimum: times[0], repetitions: repetitions)
  }
}
