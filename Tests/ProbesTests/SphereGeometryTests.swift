import Autodiff
import Foundation
import TestSupport
import Testing

@testable import Probes

private func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

/// Runs `SphereGeometry.update` on states given as rows of Doubles.
private func update(_ h: [[Double]], _ g: [[Double]]) -> SphereUpdate {
  let a = h.flatMap { $0.map(Float.init) }
  let b = g.flatMap { $0.map(Float.init) }
  return a.withUnsafeBufferPointer { p in
    b.withUnsafeBufferPointer { q in
      SphereGeometry.update(
        from: p.baseAddress!, to: q.baseAddress!, tokens: h.count, width: h[0].count)
    }
  }
}

@Suite struct SphereGeometryTests {
  @Test func meanCosineIdentityMatchesAllPairs() {
    // Reference: the mean of cos(h_i, h_j) over all ordered pairs i ≠ j.
    for (t, c) in [(2, 3), (9, 5), (33, 16)] {
      let h = randomTensor([t, c], seed: UInt64(t), requiresGrad: false).scalars.enumerated().map {
        Double($1) + ($0 % c == 0 ? 1.5 : 0)  // a shared offset, so cosines are not all ≈ 0
      }
      var sum = 0.0
      for i in 0..<t {
        for j in 0..<t where i != j {
          let (x, y) = (Array(h[(i * c)..<(i * c + c)]), Array(h[(j * c)..<(j * c + c)]))
          sum += zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / (norm(x) * norm(y))
        }
      }
      let brute = sum / Double(t * (t - 1))
      let floats = h.map(Float.init)
      let fast = floats.withUnsafeBufferPointer {
        SphereGeometry.meanCosine($0.baseAddress!, tokens: t, width: c)
      }
      #expect(abs(fast - brute) < 1e-6, "T=\(t) C=\(c): \(fast) vs \(brute)")
    }
    // Identical directions: cos = 1 for every pair.
    let same: [Float] = [1, 2, 2, 2, 4, 4, 0.5, 1, 1]
    let cosine = same.withUnsafeBufferPointer {
      SphereGeometry.meanCosine($0.baseAddress!, tokens: 3, width: 3)
    }
    #expect(abs(cosine - 1) < 1e-12)
  }

  @Test func radialUpdateHasNoTangentPart() {
    // h_{l+1} = 3·h_l: Δ = 2h, all radial; no angle; ‖Δ‖² = 4‖h‖².
    let h: [[Double]] = [[1, 2, 2], [0, -3, 4]]
    let u = update(h, h.map { $0.map { 3 * $0 } })
    #expect(abs(u.tangentFraction) < 1e-7)
    #expect(abs(u.angle) < 1e-7)
    #expect(abs(u.stepSquared - (4 * 9 + 4 * 25) / 2) < 1e-9)
  }

  @Test func orthogonalUpdateIsAllTangent() {
    // Δ ⟂ h: tangent fraction 1, angle atan(‖Δ‖/‖h‖).
    let h: [[Double]] = [[3, 0, 0, 0], [0, 0, 2, 0]]
    let g: [[Double]] = [[3, 4, 0, 0], [0, 0, 2, 2]]
    let u = update(h, g)
    #expect(abs(u.tangentFraction - 1) < 1e-12)
    #expect(abs(u.angle - (atan(4.0 / 3) + atan(1.0)) / 2) < 1e-7)
    #expect(abs(u.stepSquared - (16 + 4) / 2) < 1e-12)
  }

  @Test(arguments: [1e-3, 0.3, 1.0, 2.5, 3.1])
  func rotationByAKnownAngle(_ theta: Double) {
    // Rotating h (norm r) by θ in the plane of h and a unit w ⟂ h: the angle moved is θ,
    // Δ = r((cos θ − 1)ĥ + sin θ w), so ‖Δ‖² = r²(2 − 2cos θ) and the tangent fraction is
    // sin θ / (2 sin(θ/2)) = cos(θ/2).
    let r = 2.0
    let h: [[Double]] = [[r, 0, 0, 0, 0]]
    let g: [[Double]] = [[r * cos(theta), 0, r * sin(theta), 0, 0]]
    let u = update(h, g)
    #expect(abs(u.angle - theta) < 1e-6 * max(1, theta), "angle \(u.angle) vs \(theta)")
    #expect(abs(u.tangentFraction - cos(theta / 2)) < 1e-5)
    #expect(abs(u.stepSquared - r * r * (2 - 2 * cos(theta))) < 1e-5 * r * r)
  }

  @Test func measureSelectsLayersAndSumsTheAction() {
    // Reference: the per-sequence functions, averaged over the two sequences by hand.
    let (b, t, c, depth) = (2, 6, 5, 3)
    let residuals = (0...depth).map {
      randomTensor([b, t, c], seed: UInt64(10 + $0), requiresGrad: false)
    }
    let summary = SphereGeometry.measure(residuals: residuals, layers: [3, 1], sequences: [0, 1])
    #expect(summary.layers.map(\.layer) == [3, 1])
    #expect(summary.layers[0].update == nil && summary.layers[1].update != nil)
    var action = 0.0
    var layerOne = SphereUpdate(tangentFraction: 0, angle: 0, stepSquared: 0)
    for l in 0..<depth {
      for s in 0..<b {
        let u = SphereGeometry.update(
          from: residuals[l].pointer + s * t * c, to: residuals[l + 1].pointer + s * t * c,
          tokens: t, width: c)
        action += u.stepSquared / 2
        if l == 1 {
          layerOne.tangentFraction += u.tangentFraction / 2
          layerOne.angle += u.angle / 2
          layerOne.stepSquared += u.stepSquared / 2
        }
      }
    }
    let got = summary.layers[1].update!
    #expect(abs(got.tangentFraction - layerOne.tangentFraction) < 1e-12)
    #expect(abs(got.angle - layerOne.angle) < 1e-12)
    #expect(abs(got.stepSquared - layerOne.stepSquared) < 1e-12)
    #expect(abs(summary.action - action) < 1e-9 * action)
    let cosine = (0..<b).reduce(0.0) {
      $0 + SphereGeometry.meanCosine(residuals[1].pointer + $1 * t * c, tokens: t, width: c) / 2
    }
    #expect(abs(summary.layers[1].meanCosine - cosine) < 1e-12)
    let rows = summary.rows(step: 3)
    #expect(
      rows.map(\.metric) == [
        "sphere_mean_cosine", "sphere_mean_cosine", "sphere_tangent_fraction", "sphere_angle",
        "sphere_step_sq", "sphere_action",
      ])
    #expect(rows.last!.layer == nil && rows.last!.value == summary.action)
  }
}
