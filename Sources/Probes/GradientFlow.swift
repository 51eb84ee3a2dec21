import Autodiff
import Transformer

/// How gradients and updates flow through the model at one step.
///
/// Metric names (stable):
/// - `grad_norm` (per parameter tensor, keyed by its checkpoint name): `‖g‖₂` over the tensor,
///   0 when it has no gradient;
/// - `grad_to_weight` (per tensor): `‖g‖ / ‖θ‖`; omitted when `‖θ‖ = 0` (e.g. zero-initialized
///   biases at step 0), where it is undefined;
/// - `update_ratio` (per tensor, from a `ParameterSnapshot`): `‖θ_after − θ_before‖ / ‖θ_before‖`,
///   omitted when `‖θ_before‖ = 0`;
/// - `residual_grad_norm` (per layer `l`, `l = depth` for the input of the final norm):
///   `‖∂L/∂h_l‖₂` over the whole `(B, T, C)` residual state, from gradients retained by a
///   `ForwardCapture(residualGradients: true)`;
/// - `grad_global_norm` (model level): the global gradient norm before clipping;
/// - `grad_clipped` (model level): 1 when clipping scaled the gradients, else 0.
/// Norms are accumulated in Double.
public enum GradientFlow {
  public static let gradientNormMetric = "grad_norm"
  public static let gradientToWeightMetric = "grad_to_weight"
  public static let updateRatioMetric = "update_ratio"
  public static let residualGradientNormMetric = "residual_grad_norm"
  public static let globalNormMetric = "grad_global_norm"
  public static let clippedMetric = "grad_clipped"

  /// `‖g‖` and `‖θ‖` of every parameter, in parameter order.
  public static func parameterNorms(_ parameters: [NamedParameter]) -> [ParameterNorms] {
    parameters.map { p in
      let t = p.tensor
      let g = t.grad.map { Kernels.sumOfSquares($0.pointer, $0.count).squareRoot() } ?? 0
      return ParameterNorms(
        name: p.name, gradient: g, weight: Kernels.sumOfSquares(t.pointer, t.count).squareRoot())
    }
  }

  /// `‖∂L/∂h_l‖` for each residual state (`ForwardCapture.residuals`), nil where no gradient
  /// was retained (capture without `residualGradients`, or before `backward()`).
  public static func residualGradientNorms(_ residuals: [Tensor]) -> [Double?] {
    residuals.map { h in h.grad.map { Kernels.sumOfSquares($0.pointer, $0.count).squareRoot() } }
  }

  /// The tidy rows at `step` after `backward()` (and clipping, whose outcome is passed in):
  /// `grad_norm` and `grad_to_weight` per tensor, `residual_grad_norm` per layer when a
  /// capture with retained gradients is given, and the global norm and clipping flag when
  /// given.
  public static func rows(
    step: Int, parameters: [NamedParameter], capture: ForwardCapture? = nil,
    globalNorm: Double? = nil, clipped: Bool? = nil
  ) -> [ProbeRow] {
    var rows: [ProbeRow] = []
    for p in parameterNorms(parameters) {
      rows.append(
        ProbeRow(
          step: step, family: .gradients, tensor: p.name, metric: gradientNormMetric,
          value: p.gradient))
      if let ratio = p.gradientToWeight {
        rows.append(
          ProbeRow(
            step: step, family: .gradients, tensor: p.name, metric: gradientToWeightMetric,
            value: ratio))
      }
    }
    if let capture {
      for (l, norm) in residualGradientNorms(capture.residuals).enumerated() {
        guard let norm else { continue }
        rows.append(
          ProbeRow(
            step: step, family: .gradients, layer: l, metric: residualGradientNormMetric,
            value: norm))
      }
    }
    if let globalNorm {
      rows.append(
        ProbeRow(step: step, family: .gradients, metric: globalNormMetric, value: globalNorm))
    }
    if let clipped {
      rows.append(
        ProbeRow(step: step, family: .gradients, metric: clippedMetric, value: clipped ? 1 : 0))
    }
    return rows
  }
}

/// The gradient and weight norms of one parameter tensor.
public struct ParameterNorms: Sendable, Equatable {
  public var name: String
  /// `‖g‖`, 0 without a gradient.
  public var gradient: Double
  /// `‖θ‖`.
  public var weight: Double

  public init(name: String, gradient: Double, weight: Double) {
    self.name = name
    self.gradient = gradient
    self.weight = weight
  }

  /// `‖g‖ / ‖θ‖`, nil when `‖θ‖ = 0`.
  public var gradientToWeight: Double? { weight > 0 ? gradient / weight : nil }
}

/// A copy of parameter values taken before an optimizer step, to measure the step afterwards.
///
/// Take it after `backward()` and before `optimizer.step`, then call `updateRatios` (or `rows`)
/// with the same parameters once the step is done. Memory: one Float per parameter.
public struct ParameterSnapshot {
  public let names: [String]
  let values: [[Float]]

  public init(_ parameters: [NamedParameter]) {
    names = parameters.map(\.name)
    values = parameters.map(\.tensor.scalars)
  }

  /// `‖θ_after − θ_before‖ / ‖θ_before‖` per tensor in parameter order, nil where
  /// `‖θ_before‖ = 0`. `parameters` must be the ones the snapshot was taken of.
  public func updateRatios(_ parameters: [NamedParameter]) -> [(name: String, ratio: Double?)] {
    precondition(
      parameters.map(\.name) == names,
      "ParameterSnapshot.updateRatios: parameters differ from the \(names.count) snapshotted")
    return zip(parameters, values).map { p, before in
      let t = p.tensor
      precondition(
        t.count == before.count,
        "ParameterSnapshot.updateRatios: \(p.name) has \(t.count) values, snapshot \(before.count)")
      var change = 0.0
      var norm = 0.0
      for i in 0..<before.count {
        let b = Double(before[i])
        let d = Double(t.pointer[i]) - b
        change += d * d
        norm += b * b
      }
      return (p.name, norm > 0 ? (change / norm).squareRoot() : nil)
    }
  }

  /// The `update_ratio` rows at `step`.
  public func rows(step: Int, parameters: [NamedParameter]) -> [ProbeRow] {
    updateRatios(parameters).compactMap { name, ratio in
      ratio.map {
        ProbeRow(
          step: step, family: .gradients, tensor: name, metric: GradientFlow.updateRatioMetric,
          value: $0)
      }
    }
  }
}
