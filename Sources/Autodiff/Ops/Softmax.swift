import Foundation

/// Softmax and log-softmax along an axis, fused, with an optional additive mask.
extension Tensor {
  /// `exp(x + mask) / Σ exp(x + mask)` along `axis`.
  ///
  /// `mask` (e.g. 0 on and below the diagonal, −∞ above it for causal attention) is added before
  /// normalizing; its shape must be a suffix of `self`'s shape and it requires `axis` to be the
  /// last axis. A row whose entries are all −∞ gives all zeros (not NaN). Fused forward and
  /// backward; checked against the composed `exp`/`sum`/`/` in the tests.
  public func softmax(axis: Int = -1, mask: Tensor? = nil) -> Tensor {
    softmaxLike(axis: axis, mask: mask, log: false)
  }

  /// `x + mask − log Σ exp(x + mask)` along `axis`; see `softmax(axis:mask:)`.
  public func logSoftmax(axis: Int = -1, mask: Tensor? = nil) -> Tensor {
    softmaxLike(axis: axis, mask: mask, log: true)
  }

  private func softmaxLike(axis: Int, mask: Tensor?, log: Bool) -> Tensor {
    let op = log ? "logSoftmax" : "softmax"
    let ax = Shape.axis(axis, rank: rank, op: op)
    if ax != rank - 1 {
      precondition(
        mask == nil, "\(op): a mask requires the last axis, got axis \(axis) of shape \(shape)")
      return transposed(ax, -1).softmaxLike(axis: -1, mask: nil, log: log).transposed(ax, -1)
    }
    let n = rank == 0 ? 1 : shape[rank - 1]
    let rows = n == 0 ? 0 : count / n
    var maskRows = 0
    if let mask {
      precondition(
        mask.rank <= rank && Array(shape.suffix(mask.rank)) == mask.shape && mask.rank >= 1,
        "\(op): mask shape \(mask.shape) must be a suffix of input shape \(shape)")
      maskRows = mask.count / n
    }
    let out = Tensor(uninitializedShape: shape)
    let (xp, yp) = (pointer, out.pointer)
    let mp = mask?.pointer
    Parallel.forEach(rows, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { r in
      Tensor.softmaxRow(
        xp + r * n, mask: mp.map { $0 + (r % maskRows) * n }, yp + r * n, n, log: log)
    }
    let saved = out.storage
    return Tensor.record(out, [self]) { g in
      let gx = Tensor(uninitializedShape: self.shape)
      let (gp, yp, dp) = (g.pointer, saved.pointer, gx.pointer)
      Parallel.forEach(rows, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { r in
        Tensor.softmaxRowGradient(gp + r * n, yp + r * n, dp + r * n, n, log: log)
      }
      self.accumulateGradient(gx, shared: false)
    }
  }

  /// One row of `softmaxLike`: `y = softmax(x + mask)` (or its log) over `n` values. `y` may
  /// be `x`.
  @inline(__always)
  static func softmaxRow(
    _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
    _ n: Int, log: Bool
  ) {
    if let mask {
      Kernels.map(x, mask, y, n) { $0 + $1 }
    } else if UnsafePointer(y) != x {
      y.update(from: x, count: n)
    }
    let mx = Kernels.maximum(y, n)
    if mx == -.infinity {
      y.update(repeating: log ? -.infinity : 0, count: n)
      return
    }
    if log {
      // Reads x again, so x must not be y here.
      let lse = mx + Foundation.log(Kernels.expShifted(y, y, n, shift: mx))
      if let mask {
        Kernels.map(x, mask, y, n) { $0 + $1 - lse }
      } else {
        Kernels.map(x, y, n) { $0 - lse }
      }
    } else {
      let inv = 1 / Kernels.expShifted(y, y, n, shift: mx)
      Kernels.map(y, y, n) { $0 * inv }
    }
  }

  /// One row of the gradient of `softmaxLike`, given its output `y` and the output's gradient
  /// `g`; `d` may be `g`.
  @inline(__always)
  static func softmaxRowGradient(
    _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>,
    _ n: Int, log: Bool
  ) {
    if log {  // dx = g − softmax · Σg
      let total = Kernels.sum(g, n)
      Kernels.map(g, y, d, n) { g, y in g - VectorMath.exp(y) * total }
    } else {  // dx = y ⊙ (g − Σ g·y)
      let s = Kernels.dotFloat(g, y, n)
      Kernels.map(g, y, d, n) { g, y in y * (g - s) }
    }
  }
}
