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
  private var moments: [String: Moments] = [:]

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
    // Every parameter's update in chunks, all in one parallel region. Elementwise, so chunks on
    // different threads give the same bits as one loop.
    let chunk = 8192
    var work:
      [(
        theta: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, state: Moments,
        decay: Float, l2: Float, range: Range<Int>
      )] = []
    for p in parameters {
      guard let grad = p.tensor.grad else { continue }
      let n = p.tensor.count
      let wd = decayRule.decays(p.role) ? weightDecay : 0
      let state = moments[p.name] ?? Moments(count: n)
      moments[p.name] = state
      for start in stride(from: 0, to: n, by: chunk) {
        work.append(
          (
            p.tensor.pointer, UnsafePointer(grad.pointer), state, decoupled ? 1 - lr * wd : 1,
            decoupled ? 0 : wd, start..<Swift.min(n, start + chunk)
          ))
      }
    }
    Parallel.forEach(work.count) { w in
      let (theta, g, state, decay, l2, range) = work[w]
      let (m, v) = (state.m, state.v)
      var i = range.lowerBound
      // 16 lanes at a time with the scalar loop's operations in the same order (no fused
      // multiply-adds), so both give the same bits.
      while i + 16 <= range.upperBound {
        let gi = loadVector(g + i) + l2 * loadVector(theta + i)
        let mi = b1 * loadVector(m + i) + (1 - b1) * gi
        let vi = b2 * loadVector(v + i) + (1 - b2) * gi * gi
        let denom = VectorMath.squareRoot(vi) / rootCorrection2 + eps
        storeVector(mi, m + i)
        storeVector(vi, v + i)
        storeVector(loadVector(theta + i) * decay - stepSize * mi / denom, theta + i)
        i += 16
      }
      while i < range.upperBound {
        let gi = g[i] + l2 * theta[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        let denom = v[i].squareRoot() / rootCorrection2 + eps
        theta[i] = theta[i] * decay - stepSize * m[i] / denom
        i += 1
      }
    }
  }

  public func stateTensors() -> [(name: String, values: [Float])] {
    var list: [(name: String, values: [Float])] = [("step", [Float(stepCount)])]
    for name in moments.keys.sorted() {
      list.append(("exp_avg." + name, moments[name]!.values.m))
      list.append(("exp_avg_sq." + name, moments[name]!.values.v))
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
      moments[p.name] = Moments(m: m, v: v)
    }
  }
}

/// One parameter's first and second moments, in buffers that stay put while the update runs.
private final class Moments: @unchecked Sendable {
  let m: UnsafeMutablePointer<Float>
  let v: UnsafeMutablePointer<Float>
  let count: Int

  init(count: Int) {
    self.count = count
    m = .allocate(capacity: count)
    v = .allocate(capacity: count)
    m.initialize(repeating: 0, count: count)
    v.initialize(repeating: 0, count: count)
  }

  convenience init(m: [Float], v: [Float]) {
    self.init(count: m.count)
    self.m.update(from: m, count: m.count)
    self.v.update(from: v, count: v.count)
  }

  var values: (m: [Float], v: [Float]) {
    (
      Array(UnsafeBufferPointer(start: m, count: count)),
      Array(UnsafeBufferPointer(start: v, count: count))
    )
  }

  deinit {
    m.deallocate()
    v.deallocate()
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
