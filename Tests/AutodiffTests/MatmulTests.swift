import TestSupport
import Testing

@testable import Autodiff

/// A plain triple loop over `op(a)·op(b)` for one pair of matrices.
func naiveProduct(
  _ a: [Float], _ b: [Float], _ ar: Int, _ ac: Int, _ br: Int, _ bc: Int, _ tA: Bool, _ tB: Bool
)
  -> [Float]
{
  let (m, k) = tA ? (ac, ar) : (ar, ac)
  let n = tB ? br : bc
  var c = [Float](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var s = 0.0
      for p in 0..<k {
        let x = tA ? a[p * ac + i] : a[i * ac + p]
        let y = tB ? b[j * bc + p] : b[p * bc + j]
        s += Double(x) * Double(y)
      }
      c[i * n + j] = Float(s)
    }
  }
  return c
}

@Suite struct MatmulTests {
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func twoDimensional(_ flags: (Bool, Bool)) {
    let (tA, tB) = flags
    for (m, k, n) in [(1, 1, 1), (3, 5, 2), (7, 1, 4), (1, 6, 1)] {
      let a = randomTensor(tA ? [k, m] : [m, k], seed: 40)
      let b = randomTensor(tB ? [n, k] : [k, n], seed: 41)
      let c = a.matmul(b, transposeA: tA, transposeB: tB)
      #expect(c.shape == [m, n])
      assertClose(
        c.scalars,
        naiveProduct(a.scalars, b.scalars, a.shape[0], a.shape[1], b.shape[0], b.shape[1], tA, tB),
        rtol: 1e-5, atol: 1e-5)
      checkGradients([a, b], "matmul \(m)x\(k)x\(n) tA \(tA) tB \(tB)") {
        a.matmul(b, transposeA: tA, transposeB: tB)
      }
    }
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func batched(_ flags: (Bool, Bool)) {
    let (tA, tB) = flags
    let (m, k, n) = (3, 4, 2)
    let a = randomTensor([2, 2] + (tA ? [k, m] : [m, k]), seed: 42)
    let b = randomTensor([2, 2] + (tB ? [n, k] : [k, n]), seed: 43)
    let c = a.matmul(b, transposeA: tA, transposeB: tB)
    #expect(c.shape == [2, 2, m, n])
    let (asz, bsz) = (m * k, k * n)
    for i in 0..<4 {
      let ai = Array(a.scalars[(i * asz)..<((i + 1) * asz)])
      let bi = Array(b.scalars[(i * bsz)..<((i + 1) * bsz)])
      let expected = naiveProduct(ai, bi, a.shape[2], a.shape[3], b.shape[2], b.shape[3], tA, tB)
      assertClose(
        Array(c.scalars[(i * m * n)..<((i + 1) * m * n)]), expected, rtol: 1e-5, atol: 1e-5)
    }
    checkGradients([a, b], "batched tA \(tA) tB \(tB)") {
      a.matmul(b, transposeA: tA, transposeB: tB)
    }
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func sharedRightOperand(_ flags: (Bool, Bool)) {
    // (B, T, C) · (C, N): the weight matrix of a linear layer, shared over the batch.
    let (tA, tB) = flags
    let a = randomTensor([3] + (tA ? [4, 2] : [2, 4]), seed: 44)
    let w = randomTensor(tB ? [5, 4] : [4, 5], seed: 45)
    let c = a.matmul(w, transposeA: tA, transposeB: tB)
    #expect(c.shape == [3, 2, 5])
    for i in 0..<3 {
      let ai = Array(a.scalars[(i * 8)..<((i + 1) * 8)])
      let expected = naiveProduct(
        ai, w.scalars, a.shape[1], a.shape[2], w.shape[0], w.shape[1], tA, tB)
      assertClose(Array(c.scalars[(i * 10)..<((i + 1) * 10)]), expected, rtol: 1e-5, atol: 1e-5)
    }
    checkGradients([a, w], "shared tA \(tA) tB \(tB)") {
      a.matmul(w, transposeA: tA, transposeB: tB)
    }
  }

  /// The fused `alpha` and `bias` against the composed `matmul(…) * alpha + bias`: values and
  /// tape gradients, plus a finite-difference check of the fused op itself.
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func fusedScaleAndBiasMatchComposed(_ flags: (Bool, Bool)) {
    let (tA, tB) = flags
    let (m, k, n) = (3, 4, 19)  // n > 16 exercises the 16-lane body and its tail
    for shared in [true, false] {
      let a = randomTensor([2] + (tA ? [k, m] : [m, k]), seed: 46)
      let b = randomTensor((shared ? [] : [2]) + (tB ? [n, k] : [k, n]), seed: 47)
      let bias = randomTensor([n], seed: 48)
      let alpha: Float = 0.37
      let label = "fused tA \(tA) tB \(tB) shared \(shared)"
      let fused = a.matmul(b, transposeA: tA, transposeB: tB, alpha: alpha, bias: bias)
      let composed = a.matmul(b, transposeA: tA, transposeB: tB) * alpha + bias
      assertClose(fused.scalars, composed.scalars, rtol: 1e-6, atol: 1e-6)
      let w = randomTensor(fused.shape, seed: 49)
      func gradients(_ f: () -> Tensor) -> [[Float]] {
        for x in [a, b, bias] { x.grad = nil }
        f().backward(gradient: w)
        return [a, b, bias].map { $0.grad!.scalars }
      }
      let fusedGrads = gradients {
        a.matmul(b, transposeA: tA, transposeB: tB, alpha: alpha, bias: bias)
      }
      let composedGrads = gradients { a.matmul(b, transposeA: tA, transposeB: tB) * alpha + bias }
      for (x, y) in zip(fusedGrads, composedGrads) { assertClose(x, y, rtol: 1e-5, atol: 1e-6) }
      checkGradients([a, b, bias], label) {
        a.matmul(b, transposeA: tA, transposeB: tB, alpha: alpha, bias: bias)
      }
    }
  }
}
