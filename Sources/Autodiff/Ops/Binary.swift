/// Addition, subtraction, multiplication and division with NumPy broadcasting.
extension Tensor {
  /// Applies `f` elementwise over the broadcast of `a` and `b`; `fv` is the same function 16
  /// lanes at a time, used on rows where each input is contiguous or a single repeated value.
  @inline(__always)
  static func broadcastMap(
    _ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float,
    _ fv: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>
  ) -> (Tensor, BroadcastPlan) {
    let plan = BroadcastPlan(a.shape, b.shape, op: op)
    let out = Tensor(uninitializedShape: plan.outShape)
    let ap = a.pointer
    let bp = b.pointer
    let op = out.pointer
    if a.shape == b.shape {
      let n = out.count
      let chunk = 16 * 1024
      Parallel.forEach((n + chunk - 1) / chunk, grain: 4) { c in
        let start = c * chunk
        Kernels.map(ap + start, bp + start, op + start, Swift.min(chunk, n - start), fv)
      }
      return (out, plan)
    }
    plan.forEachRow { o, ao, bo, n, sa, sb in
      if sa == 1 && sb == 1 {
        Kernels.map(ap + ao, bp + bo, op + o, n, fv)
      } else if sa == 1 && sb == 0 {
        let y = SIMD16<Float>(repeating: bp[bo])
        Kernels.map(ap + ao, op + o, n) { fv($0, y) }
      } else if sa == 0 && sb == 1 {
        let x = SIMD16<Float>(repeating: ap[ao])
        Kernels.map(bp + bo, op + o, n) { fv(x, $0) }
      } else {
        for i in 0..<n { op[o + i] = f(ap[ao + i * sa], bp[bo + i * sb]) }
      }
    }
    return (out, plan)
  }

  /// Accumulates `df(g, a, b)` into a tensor of `target`'s shape, summing over broadcast axes:
  /// the gradient of one input of a broadcast binary op.
  @inline(__always)
  static func broadcastGradient(
    _ g: Tensor, _ a: Tensor, _ b: Tensor, plan: BroadcastPlan, into target: Tensor,
    _ df: (Float, Float, Float) -> Float
  ) -> Tensor {
    let grad = Tensor.zeros(target.shape)
    let gp = g.pointer
    let ap = a.pointer
    let bp = b.pointer
    let dp = grad.pointer
    let targetIsA = target === a
    plan.forEachRow { o, ao, bo, n, sa, sb in
      let d = targetIsA ? ao : bo
      let sd = targetIsA ? sa : sb
      if sd == 0 {
        var s: Float = 0
        for i in 0..<n { s += df(gp[o + i], ap[ao + i * sa], bp[bo + i * sb]) }
        dp[d] += s
      } else {
        for i in 0..<n { dp[d + i * sd] += df(gp[o + i], ap[ao + i * sa], bp[bo + i * sb]) }
      }
    }
    return grad
  }

  public static func + (a: Tensor, b: Tensor) -> Tensor {
    let (out, _) = broadcastMap(a, b, op: "add", { $0 + $1 }, { $0 + $1 })
    let (sa, sb) = (a.shape, b.shape)
    return record(out, [a, b]) { g in
      a.accumulateGradient(sumToShape(g, sa), shared: true)
      b.accumulateGradient(sumToShape(g, sb), shared: true)
    }
  }

  public static func - (a: Tensor, b: Tensor) -> Tensor {
    let (out, _) = broadcastMap(a, b, op: "sub", { $0 - $1 }, { $0 - $1 })
    let (sa, sb) = (a.shape, b.shape)
    return record(out, [a, b]) { g in
      a.accumulateGradient(sumToShape(g, sa), shared: true)
      if b.requiresGrad { b.accumulateGradient(sumToShape(g, sb).negatedValues(), shared: false) }
    }
  }

  public static func * (a: Tensor, b: Tensor) -> Tensor {
    let (out, plan) = broadcastMap(a, b, op: "mul", { $0 * $1 }, { $0 * $1 })
    return record(out, [a, b]) { g in
      if a.requiresGrad {
        a.accumulateGradient(
          broadcastGradient(g, a, b, plan: plan, into: a) { g, _, y in g * y }, shared: false)
      }
      if b.requiresGrad {
        b.accumulateGradient(
          broadcastGradient(g, a, b, plan: plan, into: b) { g, x, _ in g * x }, shared: false)
      }
    }
  }

  public static func / (a: Tensor, b: Tensor) -> Tensor {
    let (out, plan) = broadcastMap(a, b, op: "div", { $0 / $1 }, { $0 / $1 })
    return record(out, [a, b]) { g in
      if a.requiresGrad {
        a.accumulateGradient(
          broadcastGradient(g, a, b, plan: plan, into: a) { g, _, y in g / y }, shared: false)
      }
      if b.requiresGrad {
        b.accumulateGradient(
          broadcastGradient(g, a, b, plan: plan, into: b) { g, x, y in -g * x / (y * y) },
          shared: false)
      }
    }
  }

  /// A copy with every value negated (no tape).
  func negatedValues() -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    Kernels.map(pointer, out.pointer, count) { -$0 }
    return out
  }
}
