/// Sums, means and maxima over axes.
extension Tensor {
  /// The shape with `axes` set to 1, and the sorted, resolved axes.
  func reducedShape(_ axes: [Int], op: String) -> (keep: [Int], axes: [Int]) {
    let resolved = Array(Set(axes.map { Shape.axis($0, rank: rank, op: op) })).sorted()
    var keep = shape
    for a in resolved { keep[a] = 1 }
    return (keep, resolved)
  }

  static func squeezed(_ keep: [Int], _ axes: [Int]) -> [Int] {
    keep.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
  }

  /// `g` (of a shape that broadcasts to `shape`) repeated along the broadcast axes.
  static func expand(_ g: Tensor, to shape: [Int]) -> Tensor {
    if g.shape == shape { return g }
    let plan = BroadcastPlan(g.shape, shape, op: "expand")
    precondition(plan.outShape == shape, "expand: \(g.shape) does not broadcast to \(shape)")
    let result = Tensor(uninitializedShape: shape)
    let (gp, rp) = (g.pointer, result.pointer)
    plan.forEachRow { o, a, _, n, sa, _ in
      for i in 0..<n { rp[o + i] = gp[a + i * sa] }
    }
    return result
  }

  /// Sum over `axes` (all axes when nil); `keepDims` keeps them as size 1.
  public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
    let (keep, resolved) = reducedShape(axes ?? Array(0..<rank), op: "sum")
    let reduced = Tensor.sumToShape(self, keep)
    let outShape = keepDims ? keep : Tensor.squeezed(keep, resolved)
    let out = reduced === self ? detached() : reduced
    let result = Tensor(shape: outShape, storage: out.storage)
    let inShape = shape
    return Tensor.record(result, [self]) { g in
      self.accumulateGradient(
        Tensor.expand(Tensor(shape: keep, storage: g.storage), to: inShape), shared: true)
    }
  }

  /// Sum over one axis.
  public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
    sum(axes: [axis], keepDims: keepDims)
  }

  /// Mean over `axes` (all axes when nil).
  public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
    let (keep, _) = reducedShape(axes ?? Array(0..<rank), op: "mean")
    let n = count / Swift.max(Shape.count(keep), 1)
    return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
  }

  /// Mean over one axis.
  public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
    mean(axes: [axis], keepDims: keepDims)
  }

  /// Maximum over `axes` (all axes when nil). The gradient goes to the first maximal element in
  /// row-major order; NaN propagates.
  public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
    let (keep, resolved) = reducedShape(axes ?? Array(0..<rank), op: "max")
    precondition(count > 0, "max: cannot reduce an empty tensor of shape \(shape)")
    let out = Tensor.full(keep, -.infinity)
    var argmax = [Int](repeating: -1, count: out.count)
    let plan = BroadcastPlan(keep, shape, op: "max")
    let (xp, op) = (pointer, out.pointer)
    argmax.withUnsafeMutableBufferPointer { am in
      plan.forEachRow { o, a, _, n, sa, _ in
        for i in 0..<n {
          let v = xp[o + i]
          let d = a + i * sa
          if v > op[d] || am[d] < 0 || (v.isNaN && !op[d].isNaN) {
            op[d] = v
            am[d] = o + i
          }
        }
      }
    }
    let result = Tensor(
      shape: keepDims ? keep : Tensor.squeezed(keep, resolved), storage: out.storage)
    let inShape = shape
    return Tensor.record(result, [self]) { g in
      let gx = Tensor.zeros(inShape)
      for (j, i) in argmax.enumerated() { gx.pointer[i] += g.pointer[j] }
      self.accumulateGradient(gx, shared: false)
    }
  }

  /// Maximum over one axis.
  public func max(axis: Int, keepDims: Bool = false) -> Tensor {
    max(axes: [axis], keepDims: keepDims)
  }
}
