/// Row gathering (embedding lookup), selection by a condition, and masked fill.
extension Tensor {
  /// Rows of a `(V, D)` table picked by integer indices of any shape: result `indexShape + [D]`.
  /// The gradient scatter-adds into the rows, in index order (repeated indices accumulate).
  public func gatherRows(_ indices: [Int32], shape indexShape: [Int]) -> Tensor {
    precondition(rank == 2, "gatherRows: the table must be 2-d, got shape \(shape)")
    precondition(
      indices.count == Shape.count(indexShape),
      "gatherRows: \(indices.count) indices do not fill index shape \(indexShape)")
    let (rows, d) = (shape[0], shape[1])
    let out = Tensor(uninitializedShape: indexShape + [d])
    for (i, r) in indices.enumerated() {
      precondition(
        r >= 0 && Int(r) < rows,
        "gatherRows: index \(r) is out of range for a table of \(rows) rows")
      (out.pointer + i * d).update(from: pointer + Int(r) * d, count: d)
    }
    let tableShape = shape
    return Tensor.record(out, [self]) { g in
      let gt = Tensor.zeros(tableShape)
      for (i, r) in indices.enumerated() {
        Kernels.addInPlace(gt.pointer + Int(r) * d, g.pointer + i * d, d)
      }
      self.accumulateGradient(gt, shared: false)
    }
  }

  /// `a` where `condition` is nonzero, else `b`. `a` and `b` have the same shape; `condition`
  /// broadcasts to it. No gradient flows to `condition`.
  public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(
      a.shape == b.shape, "where: branches have different shapes \(a.shape) and \(b.shape)")
    let plan = BroadcastPlan(a.shape, condition.shape, op: "where")
    precondition(
      plan.outShape == a.shape,
      "where: condition \(condition.shape) does not broadcast to \(a.shape)")
    let out = Tensor(uninitializedShape: a.shape)
    let (ap, bp, cp, op) = (a.pointer, b.pointer, condition.pointer, out.pointer)
    plan.forEachRow { o, _, c, n, _, sc in
      for i in 0..<n { op[o + i] = cp[c + i * sc] != 0 ? ap[o + i] : bp[o + i] }
    }
    return record(out, [a, b]) { g in
      for (target, keep) in [(a, true), (b, false)] where target.requiresGrad {
        let gt = Tensor(uninitializedShape: a.shape)
        let (gp, tp) = (g.pointer, gt.pointer)
        plan.forEachRow { o, _, c, n, _, sc in
          for i in 0..<n { tp[o + i] = (cp[c + i * sc] != 0) == keep ? gp[o + i] : 0 }
        }
        target.accumulateGradient(gt, shared: false)
      }
    }
  }

  /// `value` where `mask` is nonzero, `self` elsewhere; `mask` broadcasts to `self`'s shape.
  public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
    Tensor.where(mask, Tensor.full(shape, value), self)
  }
}
