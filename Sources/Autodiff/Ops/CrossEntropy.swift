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
    // Per-row log-sum-exp, kept for backward.
    var lse = [Float](repeating: 0, count: rows)
    var loss = 0.0
    let xp = pointer
    for r in 0..<rows {
      let t = Int(targets[r])
      precondition(
        t >= 0 && t < v, "crossEntropy: target \(t) at row \(r) is out of range 0..<\(v)")
      let x = xp + r * v
      var mx = -Float.infinity
      for i in 0..<v { mx = Swift.max(mx, x[i]) }
      var s: Float = 0
      for i in 0..<v { s += Foundation.exp(x[i] - mx) }
      lse[r] = mx + Foundation.log(s)
      let w = weights?[r] ?? 1
      if w != 0 { loss += Double(w) * Double(lse[r] - x[t]) }
    }
    let out = Tensor(scalar: Float(loss) * scale)
    return Tensor.record(out, [self]) { g in
      let gx = Tensor(uninitializedShape: self.shape)
      let (dp, g0) = (gx.pointer, g.pointer[0] * scale)
      for r in 0..<rows {
        let w = (weights?[r] ?? 1) * g0
        let (x, d) = (xp + r * v, dp + r * v)
        if w == 0 {
          d.update(repeating: 0, count: v)
          continue
        }
        for i in 0..<v { d[i] = w * Foundation.exp(x[i] - lse[r]) }
        d[Int(targets[r])] -= w
      }
      self.accumulateGradient(gx, shared: false)
    }
  }
}
