import Autodiff
import Testing

/// Compares the tape's gradients of `f` with central finite differences.
///
/// The scalar checked is `L = Σ w ⊙ f(inputs)` with fixed random weights `w`, so every output
/// element contributes. Each input element is moved by ±h and ±h/2 with `h = step·2^⌈log₂max(1,|x|)⌉`
/// (powers of two, so the moves are exact in Float32), `L` is summed in Double, and the two
/// central differences are combined by Richardson extrapolation, `(4·D(h/2) − D(h)) / 3`, whose
/// truncation error is O(h⁴). The analytic gradient must satisfy
/// `|analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|)` for every element.
/// Inputs must be leaves with `requiresGrad`; keep them small (4 forward passes per element).
@discardableResult
public func checkGradients(
  _ inputs: [Tensor], rtol: Double = 2e-3, atol: Double = 2e-4, step: Float = 0x1p-6,
  _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation,
  _ f: () -> Tensor
) -> Double {
  for x in inputs { x.grad = nil }
  let out = f()
  var rng = SeededRandom(seed: 7, stream: "gradient-check")
  let w = Tensor.randomNormal(out.shape, using: &rng)
  out.backward(gradient: w)
  let weights = w.scalars.map(Double.init)

  func loss() -> Double {
    let y = Tensor.withoutGradients(f).scalars
    var s = 0.0
    for i in y.indices { s += weights[i] * Double(y[i]) }
    return s
  }

  var worst = 0.0
  for (k, x) in inputs.enumerated() {
    let analytic = x.grad?.scalars ?? [Float](repeating: 0, count: x.count)
    for i in 0..<x.count {
      let original = x.pointer[i]
      var scale: Float = 1
      while scale < abs(original) { scale *= 2 }
      func difference(_ h: Float) -> Double {
        x.pointer[i] = original + h
        let up = loss()
        x.pointer[i] = original - h
        let down = loss()
        x.pointer[i] = original
        return (up - down) / (2 * Double(h))
      }
      let h = step * scale
      let numeric = (4 * difference(h / 2) - difference(h)) / 3
      let a = Double(analytic[i])
      let excess = abs(a - numeric) - (atol + rtol * max(abs(a), abs(numeric)))
      worst = max(worst, abs(a - numeric))
      #expect(
        excess <= 0,
        "\(label) input \(k) (shape \(x.shape)) element \(i): analytic \(a), numeric \(numeric)",
        sourceLocation: sourceLocation)
    }
  }
  return worst
}
