/// How two shapes broadcast against each other, as rows of an inner loop.
///
/// Adjacent axes that are laid out contiguously in the output and both inputs are merged first,
/// so a same-shape op is one row of `count` elements and a bias add over `(B, T, C)` is `B·T`
/// rows of `C`. Each row has an inner stride of 0 or 1 per input.
struct BroadcastPlan {
  let outShape: [Int]
  let count: Int
  /// Merged dimensions and the inputs' strides along them (0 where broadcast).
  private let dims: [Int]
  private let aStrides: [Int]
  private let bStrides: [Int]

  init(_ a: [Int], _ b: [Int], op: String) {
    guard let out = Shape.broadcast(a, b) else {
      preconditionFailure("\(op): shapes \(a) and \(b) do not broadcast")
    }
    outShape = out
    count = Shape.count(out)
    let rank = out.count
    func stridesFor(_ s: [Int]) -> [Int] {
      let own = Shape.strides(s)
      return (0..<rank).map { i in
        let j = i - (rank - s.count)
        return j < 0 || s[j] == 1 ? 0 : own[j]
      }
    }
    var sa = stridesFor(a)
    var sb = stridesFor(b)
    var dims = out
    // Drop size-1 axes, then merge axis i into i+1 when both inputs are contiguous across them.
    let keep = (0..<rank).filter { dims[$0] != 1 }
    dims = keep.map { dims[$0] }
    sa = keep.map { sa[$0] }
    sb = keep.map { sb[$0] }
    var i = dims.count - 2
    while i >= 0 {
      if sa[i] == sa[i + 1] * dims[i + 1] && sb[i] == sb[i + 1] * dims[i + 1] {
        dims[i] *= dims[i + 1]
        sa[i] = sa[i + 1]
        sb[i] = sb[i + 1]
        dims.remove(at: i + 1)
        sa.remove(at: i + 1)
        sb.remove(at: i + 1)
      }
      i -= 1
    }
    self.dims = dims.isEmpty ? [1] : dims
    self.aStrides = sa.isEmpty ? [0] : sa
    self.bStrides = sb.isEmpty ? [0] : sb
  }

  /// Calls `body(out, a, b, n, sa, sb)` for each row: output offset, input offsets, row length,
  /// and the inputs' inner strides (0 or 1... or any stride for unusual layouts).
  @inline(__always)
  func forEachRow(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
    let rank = dims.count
    let n = dims[rank - 1]
    let sa = aStrides[rank - 1]
    let sb = bStrides[rank - 1]
    if count == 0 { return }
    if rank == 1 {
      body(0, 0, 0, n, sa, sb)
      return
    }
    var index = [Int](repeating: 0, count: rank - 1)
    var ao = 0
    var bo = 0
    var o = 0
    while o < count {
      body(o, ao, bo, n, sa, sb)
      o += n
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        ao += aStrides[axis]
        bo += bStrides[axis]
        if index[axis] < dims[axis] { break }
        ao -= aStrides[axis] * dims[axis]
        bo -= bStrides[axis] * dims[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}

extension Tensor {
  /// Sums `g` (of a broadcast result's shape) down to `shape`, the shape of an input that was
  /// broadcast: the backward of broadcasting. Returns `g` itself when nothing was broadcast.
  static func sumToShape(_ g: Tensor, _ shape: [Int]) -> Tensor {
    if g.shape == shape { return g }
    let out = Tensor.zeros(shape)
    let plan = BroadcastPlan(shape, g.shape, op: "sumToShape")
    precondition(plan.outShape == g.shape, "sumToShape: \(shape) does not broadcast to \(g.shape)")
    let gp = g.pointer
    let op = out.pointer
    plan.forEachRow { o, a, _, n, sa, _ in
      if sa == 0 {
        var s: Float = 0
        for i in 0..<n { s += gp[o + i] }
        op[a] += s
      } else if sa == 1 {
        Kernels.addInPlace16(op + a, gp + o, n)
      } else {
        for i in 0..<n { op[a + i * sa] += gp[o + i] }
      }
    }
    return out
  }
}
