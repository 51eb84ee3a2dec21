import Foundation
import TestSupport
import Testing

@testable import Autodiff

@Suite struct UnaryTests {
  let shapes: [[Int]] = [[7], [2, 1, 3], [1]]

  @Test func valuesAgainstClosedForms() {
    let v: [Float] = [-2, -0.5, 0.25, 1, 3]
    let x = Tensor(v, shape: [5])
    assertClose(x.exp().scalars, v.map { Foundation.exp($0) })
    assertClose(x.tanh().scalars, v.map { Foundation.tanh($0) })
    assertClose(x.sigmoid().scalars, v.map { 1 / (1 + Foundation.exp(-$0)) })
    assertClose(x.relu().scalars, [0, 0, 0.25, 1, 3])
    assertClose((-x).scalars, v.map { -$0 })
    assertClose((x * 2 + 1).scalars, v.map { 2 * $0 + 1 })
    assertClose((1 - x).scalars, v.map { 1 - $0 })
    // GELU against Double-precision formulas.
    let erfForm = v.map { x -> Float in
      Float(0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot())))
    }
    let tanhForm = v.map { x -> Float in
      let d = Double(x)
      return Float(
        0.5 * d * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d))))
    }
    assertClose(x.geluExact().scalars, erfForm, rtol: 1e-6, atol: 1e-7)
    assertClose(x.gelu().scalars, tanhForm, rtol: 1e-6, atol: 1e-7)
    let p = Tensor([0.25, 1, 4], shape: [3])
    assertClose(p.sqrt().scalars, [0.5, 1, 2])
    assertClose(p.log().scalars, [Foundation.log(0.25), 0, Foundation.log(4)])
    assertClose(p.pow(1.5).scalars, [0.125, 1, 8])
    assertClose((2 / p).scalars, [8, 2, 0.5])
  }

  @Test func gradients() {
    for (k, shape) in shapes.enumerated() {
      let x = randomTensor(shape, seed: UInt64(10 + k))
      let pos = randomTensor(shape, seed: UInt64(20 + k), range: 0.3...3)
      checkGradients([x], "neg") { -x }
      checkGradients([x], "scalar ops") { (x * 3 - 2) / 4 + 1 }
      checkGradients([x], "exp") { x.exp() }
      checkGradients([x], "tanh") { x.tanh() }
      checkGradients([x], "sigmoid") { x.sigmoid() }
      checkGradients([x], "gelu tanh") { x.gelu() }
      checkGradients([x], "gelu erf") { x.geluExact() }
      checkGradients([pos], "log") { pos.log() }
      checkGradients([pos], "sqrt") { pos.sqrt() }
      checkGradients([pos], "pow") { pos.pow(2.5) }
      checkGradients([pos], "reciprocal") { 3 / pos }
    }
  }

  @Test func exactGeluKeepsItsForwardValuesForTheGradient() {
    // The recorded path keeps the derivative from the forward pass; it must give the same bits
    // as recomputing it (the unrecorded value path and `GELU.exactDerivative`). 1,000 values:
    // whole 64-value blocks and a 40-value tail.
    let x = randomTensor([1000], seed: 31, range: -6...6)
    x.requiresGrad = true
    let y = x.geluExact()
    y.backward(gradient: Tensor.ones([1000]))
    let plain = Tensor.withoutGradients { x.geluExact() }
    #expect(y.scalars == plain.scalars)
    let (values, gradient) = (x.scalars, x.grad!.scalars)
    for start in stride(from: 0, to: 1000, by: 16) {
      var v = SIMD16<Float>(repeating: 0)
      for j in 0..<min(16, 1000 - start) { v[j] = values[start + j] }
      let d = GELU.exactDerivative(v)
      for j in 0..<min(16, 1000 - start) { #expect(gradient[start + j] == d[j]) }
    }
  }

  @Test func reluGradientAwayFromKink() {
    // Values at least 0.1 from 0, beyond the finite-difference step.
    let x = Tensor([-2, -0.5, -0.1, 0.1, 0.7, 3], shape: [6], requiresGrad: true)
    checkGradients([x]) { x.relu() }
  }
}
