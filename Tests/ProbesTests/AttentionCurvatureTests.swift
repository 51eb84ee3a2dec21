import Testing

@testable import Probes

/// Total variation by its definition, `½ Σ_k |p_k − q_k|`.
private func totalVariation(_ p: [Double], _ q: [Double]) -> Double {
  0.5 * zip(p, q).reduce(0) { $0 + abs($1.0 - $1.1) }
}

/// W1 on positions 0..<n by cumulative distributions, `Σ_k |F_p(k) − F_q(k)|`.
private func lineW1(_ p: [Double], _ q: [Double]) -> Double {
  var (fp, fq, s) = (0.0, 0.0, 0.0)
  for k in 0..<(p.count - 1) {
    fp += p[k]
    fq += q[k]
    s += abs(fp - fq)
  }
  return s
}

/// W1 on positions 0..<n by an explicit transport plan: the north-west corner rule on the
/// sorted supports builds the monotone coupling, which is optimal on a line; its cost is
/// `Σ flow · |x − y|`. Independent of cumulative sums.
private func northWestCornerW1(_ p: [Double], _ q: [Double]) -> Double {
  var (supply, demand) = (p, q)
  var (i, j, cost) = (0, 0, 0.0)
  while i < supply.count && j < demand.count {
    let flow = min(supply[i], demand[j])
    cost += flow * Double(abs(i - j))
    supply[i] -= flow
    demand[j] -= flow
    if supply[i] <= demand[j] { i += 1 } else { j += 1 }
  }
  return cost
}

/// Mean and min of κ over pairs i < j, brute force in Double.
private func bruteCurvature(_ a: [Float], _ n: Int) -> AttentionCurvature {
  var (dSum, dMin, pSum, pMin) = (0.0, Double.infinity, 0.0, Double.infinity)
  for i in 0..<n {
    for j in (i + 1)..<n {
      let (p, q) = (row(a, i, n), row(a, j, n))
      let kd = 1 - totalVariation(p, q)
      let kp = 1 - lineW1(p, q) / Double(j - i)
      dSum += kd
      dMin = min(dMin, kd)
      pSum += kp
      pMin = min(pMin, kp)
    }
  }
  let pairs = Double(n * (n - 1) / 2)
  return AttentionCurvature(
    discreteMean: dSum / pairs, discreteMin: dMin, positionalMean: pSum / pairs,
    positionalMin: pMin)
}

private func expectClose(
  _ a: AttentionCurvature, _ b: AttentionCurvature, tolerance: Double = 2e-5,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    abs(a.discreteMean - b.discreteMean) <= tolerance, "discrete mean \(a) vs \(b)",
    sourceLocation: sourceLocation)
  #expect(
    abs(a.discreteMin - b.discreteMin) <= tolerance, "discrete min \(a) vs \(b)",
    sourceLocation: sourceLocation)
  #expect(
    abs(a.positionalMean - b.positionalMean) <= tolerance * max(1, abs(b.positionalMean)),
    "positional mean \(a) vs \(b)", sourceLocation: sourceLocation)
  #expect(
    abs(a.positionalMin - b.positionalMin) <= tolerance * max(1, abs(b.positionalMin)),
    "positional min \(a) vs \(b)", sourceLocation: sourceLocation)
}

@Suite struct AttentionCurvatureTests {
  @Test func lineW1ByCumulativeSumsMatchesNorthWestCornerTransport() {
    for (k, n) in [2, 3, 7, 16, 40].enumerated() {
      let a = randomKernel(n, causal: k % 2 == 0, seed: UInt64(k))
      // Rows renormalized in Double, so that both distributions carry exactly the same mass.
      func distribution(_ i: Int) -> [Double] {
        let r = row(a, i, n)
        let s = r.reduce(0, +)
        return r.map { $0 / s }
      }
      for i in 0..<n {
        for j in 0..<n {
          let (p, q) = (distribution(i), distribution(j))
          #expect(abs(lineW1(p, q) - northWestCornerW1(p, q)) < 1e-12)
        }
      }
    }
  }

  @Test(arguments: [2, 3, 15, 16, 17, 33, 64, 128])
  func matchesBruteForce(_ n: Int) {
    for causal in [false, true] {
      for spread in [0.5, 4.0] {
        let a = randomKernel(n, causal: causal, spread: spread, seed: UInt64(n))
        expectClose(
          AttentionCurvature(attention: a, count: n, causal: causal), bruteCurvature(a, n))
      }
    }
  }

  @Test func identicalRowsHaveCurvatureOne() {
    let n = 20
    let base = randomKernel(n, causal: false, seed: 4)
    let a = (0..<n).flatMap { _ in Array(base[0..<n]) }
    let c = AttentionCurvature(attention: a, count: n, causal: false)
    #expect(
      c == AttentionCurvature(discreteMean: 1, discreteMin: 1, positionalMean: 1, positionalMin: 1))
  }

  @Test func permutationKernelHasDiscreteCurvatureZero() {
    // Rows e_σ(i) for σ(i) = (5i + 3) mod 16: every pair of rows is disjoint, TV = 1.
    let n = 16
    var a = [Float](repeating: 0, count: n * n)
    for i in 0..<n { a[i * n + (5 * i + 3) % n] = 1 }
    let c = AttentionCurvature(attention: a, count: n, causal: false)
    #expect(c.discreteMean == 0 && c.discreteMin == 0)
    // Causal: the identity is the only permutation; under the positional metric
    // W1(δ_i, δ_j) = |i − j|, so κ = 0 there too.
    var identity = [Float](repeating: 0, count: n * n)
    for i in 0..<n { identity[i * n + i] = 1 }
    let d = AttentionCurvature(attention: identity, count: n, causal: true)
    #expect(
      d == AttentionCurvature(discreteMean: 0, discreteMin: 0, positionalMean: 0, positionalMin: 0))
  }

  @Test func shiftKernelUnderPositionalMetric() {
    // Token i attends to i − 1 (token 0 to itself). For 1 ≤ i < j, W1 = j − i: κ = 0. For the
    // pair (0, j), W1(δ_0, δ_{j−1}) = j − 1: κ = 1/j. Mean = H_{n−1} / (n(n−1)/2), min = 0.
    let n = 50
    var a = [Float](repeating: 0, count: n * n)
    for i in 0..<n { a[i * n + max(i - 1, 0)] = 1 }
    let c = AttentionCurvature(attention: a, count: n, causal: true)
    let harmonic = (1..<n).reduce(0.0) { $0 + 1 / Double($1) }
    // κ per pair is formed in Float32: agreement to a few ulps of 1.
    #expect(abs(c.positionalMean - harmonic / Double(n * (n - 1) / 2)) < 1e-7)
    #expect(c.positionalMin == 0)
    // Discrete: rows 0 and 1 coincide (κ = 1), every other pair is disjoint (κ = 0).
    #expect(abs(c.discreteMean - 1 / Double(n * (n - 1) / 2)) < 1e-7)
    #expect(c.discreteMin == 0)
  }

  @Test func distantMassGivesNegativePositionalCurvature() {
    // Neighbours 0 and 1 attending to opposite ends: W1 = n − 1 over d = 1, κ = 2 − n.
    let n = 10
    var a = [Float](repeating: 0, count: n * n)
    a[0] = 1
    for i in 1..<n { a[i * n + n - 1] = 1 }
    let c = AttentionCurvature(attention: a, count: n, causal: false)
    #expect(c.positionalMin == Double(2 - n))
    expectClose(c, bruteCurvature(a, n))
  }

  @Test func tinyMatricesHaveNoPairs() {
    let one = AttentionCurvature(attention: [1], count: 1, causal: true)
    #expect(
      one
        == AttentionCurvature(discreteMean: 1, discreteMin: 1, positionalMean: 1, positionalMin: 1))
  }
}
