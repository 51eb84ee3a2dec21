import Autodiff
import Foundation
import Transformer

/// Geometry of the token states on the unit hypersphere, layer by layer.
///
/// For the states `h_l` (input of block `l`; `h_depth` is the input of the final norm) of one
/// sequence of `T` tokens, with `u = h/‖h‖` (a zero state is taken as `u = 0`):
/// - `sphere_mean_cosine` (layers `0...depth`): `mean_{i≠j} u_i·u_j`, computed as
///   `(‖Σ_i u_i‖² − T) / (T(T−1))` in O(T·C); 1 when `T < 2`;
/// - for the update `Δ = h_{l+1} − h_l` of block `l` (layers `0..<depth`), means over tokens of
///   - `sphere_tangent_fraction`: `‖Δ − (Δ·u_l)u_l‖ / ‖Δ‖` (0 when `Δ = 0`): 0 for a purely
///     radial update, 1 for one orthogonal to the state;
///   - `sphere_angle`: the angle in radians between `u_l` and `u_{l+1}`, `arccos(u_l·u_{l+1})`,
///     evaluated as `2·atan2(‖u_l − u_{l+1}‖, ‖u_l + u_{l+1}‖)` (the same angle, accurate
///     near 0 and π where `arccos` loses digits);
///   - `sphere_step_sq`: `‖Δ‖²`;
/// - `sphere_action` (model level): the discrete action `Σ_{l<depth} mean_tokens ‖Δ_l‖²` over
///   every block, whatever the layer selection.
/// Every value is then averaged over the selected sequences. Sums run in Double.
public enum SphereGeometry {
  public static let meanCosineMetric = "sphere_mean_cosine"
  public static let tangentFractionMetric = "sphere_tangent_fraction"
  public static let angleMetric = "sphere_angle"
  public static let stepSquaredMetric = "sphere_step_sq"
  public static let actionMetric = "sphere_action"

  /// The mean pairwise cosine similarity of the `tokens` states of `width` values at `states`.
  public static func meanCosine(_ states: UnsafePointer<Float>, tokens: Int, width: Int) -> Double {
    guard tokens >= 2 else { return 1 }
    var sum = [Double](repeating: 0, count: width)
    var units = 0.0  // Σ‖u_i‖²: T, less any zero states
    sum.withUnsafeMutableBufferPointer { s in
      for i in 0..<tokens {
        let h = states + i * width
        let norm = Kernels.sumOfSquares(h, width).squareRoot()
        guard norm > 0 else { continue }
        let inverse = 1 / norm
        var squares = 0.0
        for c in 0..<width {
          let u = Double(h[c]) * inverse
          s[c] += u
          squares += u * u
        }
        units += squares
      }
    }
    var total = 0.0
    for v in sum { total += v * v }
    let t = Double(tokens)
    return (total - units) / (t * (t - 1))
  }

  /// Means over tokens of the tangent fraction, the angle moved and `‖Δ‖²` for the update from
  /// `states` to `next` (both `tokens × width`).
  public static func update(
    from states: UnsafePointer<Float>, to next: UnsafePointer<Float>, tokens: Int, width: Int
  ) -> SphereUpdate {
    guard tokens > 0 else { return SphereUpdate(tangentFraction: 0, angle: 0, stepSquared: 0) }
    var tangentSum = 0.0
    var angleSum = 0.0
    var stepSum = 0.0
    for i in 0..<tokens {
      let h = states + i * width
      let g = next + i * width
      let hNorm = Kernels.sumOfSquares(h, width).squareRoot()
      let gNorm = Kernels.sumOfSquares(g, width).squareRoot()
      let hInverse = hNorm > 0 ? 1 / hNorm : 0
      let gInverse = gNorm > 0 ? 1 / gNorm : 0
      var step = 0.0  // ‖Δ‖²
      var radial = 0.0  // Δ·u
      var difference = 0.0  // ‖u_l − u_{l+1}‖²
      var sum = 0.0  // ‖u_l + u_{l+1}‖²
      for c in 0..<width {
        let d = Double(g[c]) - Double(h[c])
        let u = Double(h[c]) * hInverse
        let v = Double(g[c]) * gInverse
        step += d * d
        radial += d * u
        difference += (u - v) * (u - v)
        sum += (u + v) * (u + v)
      }
      var tangent = 0.0  // ‖Δ − (Δ·u)u‖², summed directly rather than as ‖Δ‖² − (Δ·u)²
      for c in 0..<width {
        let e = (Double(g[c]) - Double(h[c])) - radial * Double(h[c]) * hInverse
        tangent += e * e
      }
      if step > 0 { tangentSum += (tangent / step).squareRoot() }
      angleSum += 2 * atan2(difference.squareRoot(), sum.squareRoot())
      stepSum += step
    }
    let t = Double(tokens)
    return SphereUpdate(
      tangentFraction: tangentSum / t, angle: angleSum / t, stepSquared: stepSum / t)
  }

  /// Measures residual states `(B, T, C)`, one per layer `0...depth` (as `ForwardCapture` keeps
  /// them), for the selected `layers` (nil: all) and `sequences` (batch indices).
  public static func measure(residuals: [Tensor], layers: [Int]? = nil, sequences: [Int] = [0])
    -> SphereGeometrySummary
  {
    guard let shape = residuals.first?.shape else {
      return SphereGeometrySummary(layers: [], action: 0)
    }
    precondition(
      shape.count == 3, "SphereGeometry.measure: residual shape \(shape) is not (B, T, C)")
    let (b, t, c) = (shape[0], shape[1], shape[2])
    let depth = residuals.count - 1
    precondition(!sequences.isEmpty, "SphereGeometry.measure: no sequences selected")
    for r in residuals {
      precondition(
        r.shape == shape, "SphereGeometry.measure: residual shapes \(r.shape) ≠ \(shape)")
    }
    for s in sequences {
      precondition(s >= 0 && s < b, "SphereGeometry.measure: sequence \(s) outside batch of \(b)")
    }
    let selected = layers ?? Array(0...depth)
    for l in selected {
      precondition(l >= 0 && l <= depth, "SphereGeometry.measure: layer \(l) outside 0...\(depth)")
    }
    let scale = 1 / Double(sequences.count)
    var updates = [SphereUpdate](
      repeating: SphereUpdate(tangentFraction: 0, angle: 0, stepSquared: 0), count: depth)
    for l in 0..<depth {
      for s in sequences {
        let u = update(
          from: residuals[l].pointer + s * t * c, to: residuals[l + 1].pointer + s * t * c,
          tokens: t, width: c)
        updates[l].tangentFraction += u.tangentFraction * scale
        updates[l].angle += u.angle * scale
        updates[l].stepSquared += u.stepSquared * scale
      }
    }
    var summaries: [SphereLayerSummary] = []
    for l in selected {
      var cosine = 0.0
      for s in sequences {
        cosine += meanCosine(residuals[l].pointer + s * t * c, tokens: t, width: c) * scale
      }
      summaries.append(
        SphereLayerSummary(layer: l, meanCosine: cosine, update: l < depth ? updates[l] : nil))
    }
    return SphereGeometrySummary(
      layers: summaries, action: updates.reduce(0) { $0 + $1.stepSquared })
  }

  /// Measures a capture's residual states with a probe config's selection.
  public static func measure(_ capture: ForwardCapture, config: ProbeConfig)
    -> SphereGeometrySummary
  {
    measure(residuals: capture.residuals, layers: config.layers, sequences: config.sequences)
  }
}

/// Token-averaged geometry of one block's update (see `SphereGeometry`).
public struct SphereUpdate: Sendable, Equatable {
  public var tangentFraction: Double
  /// Radians.
  public var angle: Double
  public var stepSquared: Double

  public init(tangentFraction: Double, angle: Double, stepSquared: Double) {
    self.tangentFraction = tangentFraction
    self.angle = angle
    self.stepSquared = stepSquared
  }
}

/// The sphere measurements of one layer: the clustering of its input states and, below the
/// final norm, the update its block makes.
public struct SphereLayerSummary: Sendable, Equatable {
  public var layer: Int
  public var meanCosine: Double
  /// The update `h_{layer+1} − h_layer`; nil for `layer == depth`.
  public var update: SphereUpdate?

  public init(layer: Int, meanCosine: Double, update: SphereUpdate?) {
    self.layer = layer
    self.meanCosine = meanCosine
    self.update = update
  }
}

/// All sphere measurements of one step.
public struct SphereGeometrySummary: Sendable, Equatable {
  public var layers: [SphereLayerSummary]
  /// `Σ_l mean_tokens ‖Δ_l‖²` over every block.
  public var action: Double

  public init(layers: [SphereLayerSummary], action: Double) {
    self.layers = layers
    self.action = action
  }

  /// The tidy rows at `step`: per layer, then the model-level action (no layer).
  public func rows(step: Int) -> [ProbeRow] {
    var rows: [ProbeRow] = []
    for s in layers {
      rows.append(
        ProbeRow(
          step: step, family: .sphere, layer: s.layer, metric: SphereGeometry.meanCosineMetric,
          value: s.meanCosine))
      guard let u = s.update else { continue }
      for (metric, value) in [
        (SphereGeometry.tangentFractionMetric, u.tangentFraction),
        (SphereGeometry.angleMetric, u.angle), (SphereGeometry.stepSquaredMetric, u.stepSquared),
      ] {
        rows.append(
          ProbeRow(step: step, family: .sphere, layer: s.layer, metric: metric, value: value))
      }
    }
    rows.append(
      ProbeRow(step: step, family: .sphere, metric: SphereGeometry.actionMetric, value: action))
    return rows
  }
}
