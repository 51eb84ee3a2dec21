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
/// Every value is then averaged over the selected sequences. Sums over the width run in Float32
/// vectors, sums over tokens and sequences in Double.
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
        let norm = Double(sumOfProducts(h, h, width)).squareRoot()
        guard norm > 0 else { continue }
        let inverse = 1 / norm
        for c in 0..<width { s[c] += Double(h[c]) * inverse }
        units += 1
      }
    }
    var total = 0.0
    for v in sum { total += v * v }
    let t = Double(tokens)
    return (total - units) / (t * (t - 1))
  }

  /// Means over tokens of the tangent fraction, the angle moved and `‖Δ‖²` for the update from
  /// `states` to `next` (both `tokens × width`). Sums over the width run in Float32 vectors
  /// (relative error ~1e-7; a purely radial update has a tangent fraction of order 1e-7), the
  /// means over tokens in Double.
  public static func update(
    from states: UnsafePointer<Float>, to next: UnsafePointer<Float>, tokens: Int, width: Int
  ) -> SphereUpdate {
    guard tokens > 0 else { return SphereUpdate(tangentFraction: 0, angle: 0, stepSquared: 0) }
    var tangentSum = 0.0
    var angleSum = 0.0
    var stepSum = 0.0
    let whole = width / 16 * 16
    for i in 0..<tokens {
      let h = states + i * width
      let g = next + i * width
      // Pass 1: ‖h‖², ‖g‖², ‖Δ‖² and Δ·h, with Δ = g − h formed before squaring (no
      // cancellation for small updates).
      var hh = SIMD16<Float>()
      var gg = SIMD16<Float>()
      var dd = SIMD16<Float>()
      var dh = SIMD16<Float>()
      var c = 0
      while c < whole {
        let x = UnsafeRawPointer(h + c).loadUnaligned(as: SIMD16<Float>.self)
        let y = UnsafeRawPointer(g + c).loadUnaligned(as: SIMD16<Float>.self)
        let d = y - x
        hh += x * x
        gg += y * y
        dd += d * d
        dh += d * x
        c += 16
      }
      var (hh1, gg1, dd1, dh1) = (
        VectorMath.total(hh), VectorMath.total(gg), VectorMath.total(dd), VectorMath.total(dh)
      )
      for c in whole..<width {
        let d = g[c] - h[c]
        hh1 += h[c] * h[c]
        gg1 += g[c] * g[c]
        dd1 += d * d
        dh1 += d * h[c]
      }
      let a: Float = hh1 > 0 ? 1 / hh1.squareRoot() : 0  // u = a·h
      let b: Float = gg1 > 0 ? 1 / gg1.squareRoot() : 0  // v = b·g
      let radial = dh1 * a * a  // (Δ·u)u = radial·h
      // Pass 2: ‖u − v‖², ‖u + v‖² and ‖Δ − (Δ·u)u‖², summed directly rather than as
      // differences of squares.
      var minus = SIMD16<Float>()
      var plus = SIMD16<Float>()
      var tangent = SIMD16<Float>()
      c = 0
      while c < whole {
        let x = UnsafeRawPointer(h + c).loadUnaligned(as: SIMD16<Float>.self)
        let y = UnsafeRawPointer(g + c).loadUnaligned(as: SIMD16<Float>.self)
        let u = x * a
        let v = y * b
        let e = (y - x) - x * radial
        minus += (u - v) * (u - v)
        plus += (u + v) * (u + v)
        tangent += e * e
        c += 16
      }
      var (minus1, plus1, tangent1) = (
        VectorMath.total(minus), VectorMath.total(plus), VectorMath.total(tangent)
      )
      for c in whole..<width {
        let (u, v) = (h[c] * a, g[c] * b)
        let e = (g[c] - h[c]) - h[c] * radial
        minus1 += (u - v) * (u - v)
        plus1 += (u + v) * (u + v)
        tangent1 += e * e
      }
      if dd1 > 0 { tangentSum += (Double(tangent1) / Double(dd1)).squareRoot() }
      angleSum += 2 * atan2(Double(minus1).squareRoot(), Double(plus1).squareRoot())
      stepSum += Double(dd1)
    }
    let t = Double(tokens)
    return SphereUpdate(
      tangentFraction: tangentSum / t, angle: angleSum / t, stepSquared: stepSum / t)
  }

  /// `Σ x_c·y_c` over `width` values, in Float32 vectors.
  private static func sumOfProducts(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ width: Int
  )
    -> Float
  {
    let whole = width / 16 * 16
    var acc = SIMD16<Float>()
    var c = 0
    while c < whole {
      acc +=
        UnsafeRawPointer(x + c).loadUnaligned(as: SIMD16<Float>.self)
        * UnsafeRawPointer(y + c).loadUnaligned(as: SIMD16<Float>.self)
      c += 16
    }
    var s = VectorMath.total(acc)
    for c in whole..<width { s += x[c] * y[c] }
    return s
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
