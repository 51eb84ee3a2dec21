import Autodiff
import TestSupport
import Testing

@testable import Probes
@testable import Transformer

private func tinyModel() -> GPT {
  let model = GPT(GPTConfig(vocabSize: 7, context: 4, width: 8, depth: 2, heads: 2))
  var rng = SeededRandom(seed: 3)
  model.initialize(using: &rng)
  return model
}

private let tokens: [Int32] = [1, 4, 2, 6, 0, 3, 5, 2]
private let targets: [Int32] = [4, 2, 6, 0, 3, 5, 2, 1]

/// The model's forward pass written out block by block (pre-norm, learned positions, tied head)
/// with `perturbation` added to the input of block `layer` (`layer == depth`: the input of the
/// final norm): the residual hook that finite differences need, kept in the test.
private func perturbedLoss(_ model: GPT, layer: Int, _ perturbation: Tensor?) -> Double {
  Tensor.withoutGradients {
    let context = model.makeContext(length: 4, training: false)
    var x = model.wte(tokens, shape: [2, 4]) + model.wpe!([0, 1, 2, 3], shape: [4])
    for (l, block) in model.blocks.enumerated() {
      if l == layer, let perturbation { x = x + perturbation }
      x = block(x, context: context, layer: l)
    }
    if layer == model.blocks.count, let perturbation { x = x + perturbation }
    let logits = model.lnF!(x).matmul(model.wte.weight, transposeB: true)
    return Double(logits.crossEntropy(targets: targets).item)
  }
}

@Suite struct GradientFlowTests {
  @Test func parameterNormsAndRatios() {
    let w = Tensor([3, 4], shape: [2], requiresGrad: true)
    w.grad = Tensor([0.6, 0.8], shape: [2])
    let b = Tensor([0, 0], shape: [2], requiresGrad: true)
    b.grad = Tensor([1, 0], shape: [2])
    let unused = Tensor([1], shape: [1], requiresGrad: true)
    let parameters = [
      NamedParameter("w", w, .matrix), NamedParameter("b", b, .bias),
      NamedParameter("u", unused, .scale),
    ]
    let norms = GradientFlow.parameterNorms(parameters)
    // (0.6, 0.8) in Float32 has norm 1 up to rounding of the stored values.
    #expect(abs(norms[0].gradient - 1) < 1e-7 && norms[1].gradient == 1 && norms[2].gradient == 0)
    #expect(norms.map(\.weight) == [5, 0, 1])
    #expect(abs(norms[0].gradientToWeight! - 0.2) < 1e-7)
    #expect(norms[1].gradientToWeight == nil && norms[2].gradientToWeight == 0)
    let rows = GradientFlow.rows(step: 2, parameters: parameters, globalNorm: 1.5, clipped: true)
    #expect(rows.filter { $0.metric == "grad_norm" }.map(\.tensor) == ["w", "b", "u"])
    #expect(rows.filter { $0.metric == "grad_to_weight" }.map(\.tensor) == ["w", "u"])
    #expect(rows.suffix(2).map(\.metric) == ["grad_global_norm", "grad_clipped"])
    #expect(rows.last!.value == 1 && rows.allSatisfy { $0.family == .gradients })

    // Update ratio: θ moves from (3, 4) by (0.3, −0.4) · … ‖Δθ‖ = 0.5, ‖θ‖ = 5 → 0.1.
    let snapshot = ParameterSnapshot(parameters)
    w.assign([3.3, 3.6])
    b.assign([1, 1])
    let ratios = snapshot.updateRatios(parameters)
    #expect(abs(ratios[0].ratio! - 0.1) < 1e-6)
    #expect(ratios[1].ratio == nil && ratios[2].ratio == 0)
    #expect(snapshot.rows(step: 2, parameters: parameters).map(\.tensor) == ["w", "u"])
  }

  @Test func residualGradientNormsMatchFiniteDifferences() {
    // Reference: the directional derivative of the loss along v at the input of each block,
    // by central differences (Richardson-extrapolated) of the forward pass written out in the
    // test. Along v = g/‖g‖ it equals ‖∂L/∂h_l‖; along a random v it equals g·v.
    let model = tinyModel()
    #expect(
      perturbedLoss(model, layer: 0, nil)
        == Double(
          Tensor.withoutGradients {
            model.logits(
              tokens: tokens, batch: 2, length: 4,
              context: model.makeContext(length: 4, training: false)
            )
            .crossEntropy(targets: targets).item
          }))
    let capture = ForwardCapture(residualGradients: true)
    let context = model.makeContext(length: 4, training: false, capture: capture)
    model.logits(tokens: tokens, batch: 2, length: 4, context: context).crossEntropy(
      targets: targets
    )
    .backward()
    let norms = GradientFlow.residualGradientNorms(capture.residuals)
    #expect(norms.count == 3 && norms.allSatisfy { $0 != nil })

    func derivative(layer: Int, along v: [Double]) -> Double {
      func difference(_ h: Double) -> Double {
        let up = perturbedLoss(
          model, layer: layer, Tensor(v.map { Float(h * $0) }, shape: [2, 4, 8]))
        let down = perturbedLoss(
          model, layer: layer, Tensor(v.map { Float(-h * $0) }, shape: [2, 4, 8]))
        return (up - down) / (2 * h)
      }
      let h = 4e-3
      return (4 * difference(h / 2) - difference(h)) / 3
    }
    for l in 0...2 {
      let g = capture.residuals[l].grad!.scalars.map(Double.init)
      let norm = norms[l]!
      #expect(abs(norm - (g.reduce(0) { $0 + $1 * $1 }).squareRoot()) < 1e-9 * norm)
      let along = derivative(layer: l, along: g.map { $0 / norm })
      #expect(
        abs(along - norm) <= 3e-3 * norm + 1e-5,
        "layer \(l): ‖g‖ \(norm), finite difference \(along)")
      var rng = SeededRandom(seed: UInt64(l), stream: "direction")
      let v = (0..<64).map { _ in rng.nextNormal() / 8 }
      let expected = zip(g, v).reduce(0) { $0 + $1.0 * $1.1 }
      let numeric = derivative(layer: l, along: v)
      #expect(
        abs(numeric - expected) <= 3e-3 * norm + 1e-5,
        "layer \(l): g·v \(expected), finite difference \(numeric)")
    }
    let rows = GradientFlow.rows(step: 0, parameters: model.parameters(), capture: capture)
    let residual = rows.filter { $0.metric == "residual_grad_norm" }
    #expect(residual.map(\.layer) == [0, 1, 2] && residual.map(\.value) == norms.map { $0! })
  }
}
