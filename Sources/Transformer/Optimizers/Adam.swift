import Autodiff
import Foundation

/// Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019), as PyTorch computes them.
///
/// With `decoupled` (AdamW): `θ ← θ·(1 − lr·wd)` first; otherwise (Adam) `g ← g + wd·θ`. Then
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)`.
public final class Adam: Optimizer {
  public let beta1: Float
  public let beta2: Float
  public let eps: Float
  public let weightDecay: Float
  public let decoupled: Bool
  public let decayRule: DecayRule
  public private(set) var stepCount = 0
  private var moments: [String: (m: [Float], v: [Float])] = [:]

  public init(
    beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0,
    decoupled: Bool, decayRule: DecayRule = DecayRule()
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    self.decoupled = decoupled
    self.decayRule = decayRule
  }

  public func step(_ parameters: [NamedParameter], lr: Float) {
    stepCount += 1
    let t = Double(stepCount)
    let correction1 = 1 - Foundation.pow(Double(beta1), t)
    let correction2 = 1 - Foundation.pow(Double(beta2), t)
    let stepSize = Float(Double(lr) / correction1)
    let rootCorrection2 = Float(correction2.squareRoot())
    let (b1, b2, eps) = (beta1, beta2, self.eps)
    for p in parameters {
      guard let grad = p.tensor.grad else { continue }
      let n = p.tensor.count
      let wd = decayRule.decays(p.role) ? weightDecay : 0
      var state =
        moments[p.name] ?? ([Float](repeating: 0, count: n), [Float](repeating: 0, count: n))
      moments[p.name] = nil  // keep the arrays uniquely referenced while mutating them
      let (theta, g) = (p.tensor.pointer, grad.pointer)
      let decay = decoupled ? 1 - lr * wd : 1
      let l2 = decoupled ? 0 : wd
      state.m.withUnsafeMutableBufferPointer { m in
        state.v.withUnsafeMutableBufferPointer { v in
          let (m, v) = (m.baseAddress!, v.baseAddress!)
          // Elementwise, so chunks on different threads give the same bits as one loop.
          let chunk = 8192
          Parallel.forEach((n + chunk - 1) / chunk, grain: 2) { c in
            let end = Swift.min(n, (c + 1) * chunk)
            var i = c * chunk
            // 16 lanes at a time with the scalar loop's operations in the same order (no fused
            // multiply-adds), so both give the same bits.
            while i + 16 <= end {
              let gi = loadVector(g + i) + l2 * loadVector(theta + i)
              let mi = b1 * loadVector(m + i) + (1 - b1) * gi
              let vi = b2 * loadVector(v + i) + (1 - b2) * gi * gi
              let denom = VectorMath.squareRoot(vi) / rootCorrection2 + eps
              storeVector(mi, m + i)
              storeVector(vi, v + i)
              storeVector(loadVector(theta + i) * decay - stepSize * mi / denom, theta + i)
              i += 16
            }
            while i < end {
              let gi = g[i] + l2 * theta[i]
              m[i] = b1 * m[i] + (1 - b1) * gi
              v[i] = b2 * v[i] + (1 - b2) * gi * gi
              let denom = v[i].squareRoot() / rootCorrection2 + eps
              theta[i] = theta[i] * decay - stepSize * m[i] / denom
              i += 1
            }
          }
        }
      }
      moments[p.name] = state
    }
  }

  public func stateTensors() -> [(name: String, values: [Float])] {
    var list: [(name: String, values: [Float])] = [("step", [Float(stepCount)])]
    for name in moments.keys.sorted() {
      list.append(("exp_avg." + name, moments[name]!.m))
      list.append(("exp_avg_sq." + name, moments[name]!.v))
    }
    return list
  }

  public func loadState(_ state: [String: [Float]], parameters: [NamedParameter]) throws {
    guard let step = state["step"]?.first else {
      throw OptimizerStateError(description: "Adam state has no step")
    }
    stepCount = Int(step)
    moments = [:]
    for p in parameters {
      guard let m = state["exp_avg." + p.name], let v = state["exp_avg_sq." + p.name] else {
        continue
      }
      guard m.count == p.tensor.count && v.count == p.tensor.count else {
        throw OptimizerStateError(
          description: "Adam moments for \(p.name) do not match its \(p.tensor.count) values")
      }
      moments[p.name] = (m, v)
    }
  }
}

@inline(__always) private func loadVector(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) private func loadVector(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) private func storeVector(_ x: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD16<Float>.self)
}
