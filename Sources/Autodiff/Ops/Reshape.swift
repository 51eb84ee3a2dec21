/// Reshaping, axis permutation, concatenation and slicing.
extension Tensor {
  /// The same values with a new shape of equal element count; one axis may be -1 (inferred).
  /// Shares storage with `self` (no copy).
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var target = newShape
    if let inferred = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) {
        $0 * $1.element
      }
      precondition(
        known > 0 && count % known == 0, "reshaped: cannot infer -1 in \(newShape) from \(shape)")
      target[inferred] = count / known
    }
    precondition(
      Shape.count(target) == count,
      "reshaped: shape \(shape) (\(count) elements) cannot become \(newShape)")
    let out = Tensor(shape: target, storage: storage)
    let inShape = shape
    return Tensor.record(out, [self]) { g in
      self.accumulateGradient(Tensor(shape: inShape, storage: g.storage), shared: true)
    }
  }

  /// The axes reordered: result axis `i` is input axis `axes[i]`.
  public func permuted(_ axes: [Int]) -> Tensor {
    precondition(
      axes.count == rank
        && Set(axes.map { Shape.axis($0, rank: rank, op: "permuted") }).count == rank,
      "permuted: \(axes) is not a permutation of the axes of shape \(shape)")
    let perm = axes.map { Shape.axis($0, rank: rank, op: "permuted") }
    let out = Tensor.permuteCopy(self, perm)
    var inverse = [Int](repeating: 0, count: rank)
    for (i, p) in perm.enumerated() { inverse[p] = i }
    return Tensor.record(out, [self]) { g in
      self.accumulateGradient(Tensor.permuteCopy(g, inverse), shared: false)
    }
  }

  /// Two axes swapped (by default the last two).
  public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
    var axes = Array(0..<rank)
    axes.swapAt(
      Shape.axis(a, rank: rank, op: "transposed"), Shape.axis(b, rank: rank, op: "transposed"))
    return permuted(axes)
  }

  static func permuteCopy(_ x: Tensor, _ perm: [Int]) -> Tensor {
    let outShape = perm.map { x.shape[$0] }
    let out = Tensor(uninitializedShape: outShape)
    if x.count == 0 { return out }
    let inStrides = Shape.strides(x.shape)
    let strides = perm.map { inStrides[$0] }
    let rank = outShape.count
    if rank == 0 {
      out.pointer[0] = x.pointer[0]
      return out
    }
    let n = outShape[rank - 1]
    let s = strides[rank - 1]
    let (xp, op) = (x.pointer, out.pointer)
    // Output rows (runs along the last axis) in chunks; each chunk finds its first source offset
    // from its row index, then walks the axes like an odometer.
    let rows = out.count / n
    let rowsPerChunk = Swift.max(1, 16384 / n)
    Parallel.forEach((rows + rowsPerChunk - 1) / rowsPerChunk, grain: 2) { c in
      let first = c * rowsPerChunk
      let last = Swift.min(rows, first + rowsPerChunk)
      var index = [Int](repeating: 0, count: rank)
      var src = 0
      var remaining = first
      for axis in stride(from: rank - 2, through: 0, by: -1) {
        index[axis] = remaining % outShape[axis]
        remaining /= outShape[axis]
        src += index[axis] * strides[axis]
      }
      var o = first * n
      for _ in first..<last {
        if s == 1 {
          Kernels.copy(xp + src, op + o, n)
        } else {
          for i in 0..<n { op[o + i] = xp[src + i * s] }
        }
        o += n
        var axis = rank - 2
        while axis >= 0 {
          index[axis] += 1
          src += strides[axis]
          if index[axis] < outShape[axis] { break }
          src -= strides[axis] * outShape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
    return out
  }

  /// Tensors joined along `axis`; all other axes must agree.
  public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
    precondition(!parts.isEmpty, "concat: no tensors")
    let rank = parts[0].rank
    let ax = Shape.axis(axis, rank: rank, op: "concat")
    for p in parts {
      precondition(
        p.rank == rank && (0..<rank).allSatisfy { $0 == ax || p.shape[$0] == parts[0].shape[$0] },
        "concat: shapes \(parts.map(\.shape)) differ off axis \(axis)")
    }
    var outShape = parts[0].shape
    outShape[ax] = parts.reduce(0) { $0 + $1.shape[ax] }
    let outer = Shape.count(Array(outShape[..<ax]))
    let inner = Shape.count(Array(outShape[(ax + 1)...]))
    let out = Tensor(uninitializedShape: outShape)
    var offset = 0
    for p in parts {
      let width = p.shape[ax] * inner
      for o in 0..<outer {
        (out.pointer + o * outShape[ax] * inner + offset).update(
          from: p.pointer + o * width, count: width)
      }
      offset += width
    }
    return record(out, parts) { g in
      var start = 0
      for p in parts {
        let len = p.shape[ax]
        if p.requiresGrad {
          p.accumulateGradient(sliceCopy(g, axis: ax, start: start, length: len), shared: false)
        }
        start += len
      }
    }
  }

  /// Elements `range` along `axis`.
  public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
    let ax = Shape.axis(axis, rank: rank, op: "slice")
    precondition(
      range.lowerBound >= 0 && range.upperBound <= shape[ax],
      "slice: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
    let out = Tensor.sliceCopy(self, axis: ax, start: range.lowerBound, length: range.count)
    return Tensor.record(out, [self]) { g in
      self.accumulateSliceGradient(g, axis: ax, range)
    }
  }

  /// Consecutive pieces along `axis` with the given sizes (which must add up to the axis).
  public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
    let ax = Shape.axis(axis, rank: rank, op: "split")
    precondition(
      sizes.reduce(0, +) == shape[ax] && sizes.allSatisfy { $0 >= 0 },
      "split: sizes \(sizes) do not add up to axis \(axis) of shape \(shape)")
    var start = 0
    return sizes.map { size in
      defer { start += size }
      return slice(axis: ax, start..<(start + size))
    }
  }

  static func sliceCopy(_ x: Tensor, axis ax: Int, start: Int, length: Int) -> Tensor {
    var outShape = x.shape
    outShape[ax] = length
    let outer = Shape.count(Array(x.shape[..<ax]))
    let inner = Shape.count(Array(x.shape[(ax + 1)...]))
    let out = Tensor(uninitializedShape: outShape)
    let width = length * inner
    let (xp, op) = (x.pointer, out.pointer)
    let along = x.shape[ax]
    Parallel.forEach(outer, grain: Swift.max(1, 16384 / Swift.max(width, 1))) { o in
      Kernels.copy(xp + (o * along + start) * inner, op + o * width, width)
    }
    return out
  }
}
