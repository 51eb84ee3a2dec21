import Foundation

/// Cross-entropy over integer targets, fused with log-softmax.
extension Tensor {
  /// The weighted mean negative log-likelihood of `targets` under `softmax(self)` along the last
  /// axis: `Σ_i w_i · (logsumexp(x_i) − x_i[t_i]) / Σ_i w_i`.
  ///
  /// `self` is `(…, V)` with `N = count / V` rows; `targets` has N class indices in `0..<V`;
  /// `weights` (optional, N non-negative values; 0 drops a position) defaults to all ones. When
  /// every weight is 0 the loss is 0 with zero gradient.
  public func crossEntropy(targets: [Int32], weights: [Float]? = nil) -> Tensor {
    let v = shape.last ?? 1
    let rows = count / Swift.max(v, 1)
    precondition(
      targets.count == rows,
      "crossEntropy: \(targets.count) targets for logits of shape \(shape) (\(rows) rows)")
    if let weights {
      precondition(weights.count == rows, "crossEntropy: \(weights.count) weights for \(rows) rows")
    }
    var totalWeight = 0.0
    for r in 0..<rows { totalWeight += Double(weights?[r] ?? 1) }
    let scale = totalWeight > 0 ? Float(1 / totalWeight) : 0
    // Per-row log-sum-exp, kept for backward; rows in parallel, summed in row order.
    var lse = [Float](repeating: 0, count: rows)
    var rowLoss = [Double](repeating: 0, count: rows)
    let xp = pointer
    for r in 0..<rows {
      let t = Int(targets[r])
      precondition(
        t >= 0 && t < v, "crossEntropy: target \(t) at row \(r) is out of range 0..<\(v)")
    }
    lse.withUnsafeMutableBufferPointer { lseBuffer in
      rowLoss.withUnsafeMutableBufferPointer { lossBuffer in
        let (lp, rl) = (lseBuffer.baseAddress!, lossBuffer.baseAddress!)
        Parallel.forEach(rows, grain: Swift.max(1, 8192 / Swift.max(v, 1))) { r in
          let x = xp + r * v
          let scratch = UnsafeMutablePointer<Float>.allocate(capacity: v)
          defer { scratch.deallocate() }
          let mx = Kernels.maximum(x, v)
          lp[r] = mx + Foundation.log(Kernels.expShifted(x, scratch, v, shift: mx))
          let w = weights?[r] ?? 1
          rl[r] = w == 0 ? 0 : Double(w) * Double(lp[r] - x[Int(targets[r])])
        }
      }
    }
    var loss = 0.0
    for r in 0..<rows { loss += rowLoss[r] }
    let out = Tensor(scalar: Float(loss) * scale)
    return Tensor.record(out, [self]) { g in
      let gx = Tensor(uninitializedShape: self.shape)
      let (dp, g0) = (gx.pointer, g.pointer[0] * scale)
      Parallel.forEach(rows, grain: Swift.max(1, 8192 / Swift.max(v, 1))) { r in
        let w = (weights?[r] ?? 1) * g0
        let (x, d) = (xp + r * v, dp + r * v)
        if w == 0 {
          d.update(repeating: 0, count: v)
          return
        }
        let shift = lse[r]
        Kernels.map(x, d, v) { w * VectorMath.exp($0 - SIMD16<Float>(repeating: shift)) }
        d[Int(targets[r])] -= w
      }
      self.accumulateGradient(gx, shared: false)
    }
  }
}
