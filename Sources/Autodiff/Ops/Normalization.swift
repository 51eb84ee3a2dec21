/// Layer norm, RMS norm and projection onto the unit sphere, over the last axis, fused.
extension Tensor {
  /// `(x − mean) / √(var + eps) · weight + bias` over the last axis (biased variance, as
  /// PyTorch). `weight` and `bias` have shape `(C,)` and are optional. Forward caches the
  /// normalized values and reciprocal standard deviations for backward.
  public func layerNorm(weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    let c = shape.last ?? 1
    checkAffine(weight, bias, c, op: "layerNorm")
    let rows = count / Swift.max(c, 1)
    let out = Tensor(uninitializedShape: shape)
    let xhat = Tensor(uninitializedShape: shape)
    var rstd = [Float](repeating: 0, count: rows)
    let (xp, hp, yp) = (pointer, xhat.pointer, out.pointer)
    let (wp, bp) = (weight?.pointer, bias?.pointer)
    rstd.withUnsafeMutableBufferPointer { rs in
      let rsp = rs.baseAddress!
      Parallel.forEach(rows, grain: Swift.max(1, 4096 / c)) { r in
        rsp[r] = Kernels.layerNormRow(xp + r * c, c, eps: eps, wp, bp, hp + r * c, yp + r * c)
      }
    }
    let inputs = [self] + [weight, bias].compactMap { $0 }
    return Tensor.record(out, inputs) { g in
      let gp = g.pointer
      if self.requiresGrad {
        let gx = Tensor(uninitializedShape: self.shape)
        let dp = gx.pointer
        rstd.withUnsafeBufferPointer { rs in
          let rsp = rs.baseAddress!
          Parallel.forEach(rows, grain: Swift.max(1, 4096 / c)) { r in
            Kernels.layerNormBackwardRow(gp + r * c, hp + r * c, wp, rsp[r], c, dp + r * c)
          }
        }
        self.accumulateGradient(gx, shared: false)
      }
      Tensor.affineGradients(g, normalized: xhat, weight: weight, bias: bias, rows: rows, c: c)
    }
  }

  /// `x / √(mean(x²) + eps) · weight` over the last axis; `weight` `(C,)` is optional.
  public func rmsNorm(weight: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    let c = shape.last ?? 1
    checkAffine(weight, nil, c, op: "rmsNorm")
    let rows = count / Swift.max(c, 1)
    let out = Tensor(uninitializedShape: shape)
    let xhat = Tensor(uninitializedShape: shape)
    var rinv = [Float](repeating: 0, count: rows)
    let (xp, hp, yp, wp) = (pointer, xhat.pointer, out.pointer, weight?.pointer)
    for r in 0..<rows {
      let x = xp + r * c
      var ms: Float = 0
      for i in 0..<c { ms += x[i] * x[i] }
      let s = 1 / (ms / Float(c) + eps).squareRoot()
      rinv[r] = s
      for i in 0..<c {
        hp[r * c + i] = x[i] * s
        yp[r * c + i] = x[i] * s * (wp?[i] ?? 1)
      }
    }
    return Tensor.record(out, [self] + [weight].compactMap { $0 }) { g in
      let gp = g.pointer
      if self.requiresGrad {
        let gx = Tensor(uninitializedShape: self.shape)
        for r in 0..<rows {
          // dx = s · (ĝ − x̂ · mean(ĝ ⊙ x̂)), ĝ = g ⊙ weight, s = 1/rms
          let (gr, h) = (gp + r * c, hp + r * c)
          var m: Float = 0
          for i in 0..<c { m += gr[i] * (wp?[i] ?? 1) * h[i] }
          m /= Float(c)
          for i in 0..<c { gx.pointer[r * c + i] = rinv[r] * (gr[i] * (wp?[i] ?? 1) - h[i] * m) }
        }
        self.accumulateGradient(gx, shared: false)
      }
      Tensor.affineGradients(g, normalized: xhat, weight: weight, bias: nil, rows: rows, c: c)
    }
  }

  /// `x / max(‖x‖, eps)` over the last axis: each row projected onto the unit sphere.
  public func normalizedToSphere(eps: Float = 1e-12) -> Tensor {
    let c = shape.last ?? 1
    let rows = count / Swift.max(c, 1)
    let out = Tensor(uninitializedShape: shape)
    var inverseNorms = [Float](repeating: 0, count: rows)
    let (xp, yp) = (pointer, out.pointer)
    for r in 0..<rows {
      var ss: Float = 0
      for i in 0..<c { ss += xp[r * c + i] * xp[r * c + i] }
      let s = 1 / Swift.max(ss.squareRoot(), eps)
      inverseNorms[r] = s
      for i in 0..<c { yp[r * c + i] = xp[r * c + i] * s }
    }
    let saved = out.storage
    return Tensor.record(out, [self]) { g in
      // dx = (g − y (g·y)) / ‖x‖
      let gx = Tensor(uninitializedShape: self.shape)
      let (gp, yp, dp) = (g.pointer, saved.pointer, gx.pointer)
      for r in 0..<rows {
        var d: Float = 0
        for i in 0..<c { d += gp[r * c + i] * yp[r * c + i] }
        for i in 0..<c { dp[r * c + i] = (gp[r * c + i] - yp[r * c + i] * d) * inverseNorms[r] }
      }
      self.accumulateGradient(gx, shared: false)
    }
  }

  private func checkAffine(_ weight: Tensor?, _ bias: Tensor?, _ c: Int, op: String) {
    for p in [weight, bias].compactMap({ $0 }) {
      precondition(
        p.shape == [c], "\(op): weight/bias shape \(p.shape) must be [\(c)] for input \(shape)")
    }
  }

  /// Gradients of the elementwise affine `x̂ ⊙ weight + bias`, summed over rows in row order.
  static func affineGradients(
    _ g: Tensor, normalized: Tensor, weight: Tensor?, bias: Tensor?, rows: Int, c: Int
  ) {
    let (gp, hp) = (g.pointer, normalized.pointer)
    if let weight, weight.requiresGrad {
      let gw = Tensor.zeros([c])
      let wp = gw.pointer
      for r in 0..<rows { Kernels.addProductInPlace(wp, gp + r * c, hp + r * c, c) }
      weight.accumulateGradient(gw, shared: false)
    }
    if let bias, bias.requiresGrad {
      let gb = Tensor.zeros([c])
      let bp = gb.pointer
      for r in 0..<rows { Kernels.addInPlace16(bp, gp + r * c, c) }
      bias.accumulateGradient(gb, shared: false)
    }
  }
}
