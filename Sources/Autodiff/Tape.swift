/// The reverse-mode tape: gradient recording on and off, result nodes, and `backward()`.
///
/// The graph is implicit: each result holds its inputs and a backward rule that receives the
/// result's gradient and accumulates its inputs' gradients. `backward()` orders the nodes
/// iteratively (no recursion limit on deep graphs) by a depth-first walk over inputs in a fixed
/// order, so the order of accumulation, and hence every gradient bit, is the same on every run.
extension Tensor {
  /// Set inside `withoutGradients`; task-local (and thread-local outside tasks), so concurrent
  /// callers do not switch each other's recording off.
  @TaskLocal static var recordingDisabled = false

  /// Whether ops currently record themselves on the tape.
  public static var isRecording: Bool { !recordingDisabled }

  /// Runs `body` without recording ops: results have no inputs and no backward rules.
  public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try $recordingDisabled.withValue(true, operation: body)
  }

  /// Connects `result` to `inputs` with `rule` when recording and any input requires a gradient.
  /// `rule` receives the result's gradient; it must not capture `result` itself (that would be a
  /// reference cycle) — capture its storage instead.
  @inline(__always)
  static func record(_ result: Tensor, _ inputs: [Tensor], _ rule: @escaping (Tensor) -> Void)
    -> Tensor
  {
    if !recordingDisabled && inputs.contains(where: { $0.requiresGrad }) {
      result.requiresGrad = true
      result.isLeaf = false
      result.inputs = inputs
      result.backwardRule = rule
    }
    return result
  }

  /// Set by `backward(gradient:into:)` for the pass it runs.
  @TaskLocal static var leafGradientSink: LeafGradients?

  /// Adds `g` to this tensor's gradient. With `shared`, `g` may be referenced elsewhere and is
  /// never mutated: it is adopted as is when it is the first contribution and copied on the next.
  func accumulateGradient(_ g: Tensor, shared: Bool) {
    precondition(
      g.count == count, "backward: gradient of shape \(g.shape) for a tensor of shape \(shape)")
    guard requiresGrad else { return }
    if isLeaf, let sink = Tensor.leafGradientSink {
      sink.accumulate(g, shared: shared, for: self)
      return
    }
    guard let existing = grad else {
      grad = g.shape == shape ? g : Tensor(shape: shape, storage: g.storage)
      gradIsShared = shared
      return
    }
    if gradIsShared {
      let sum = Tensor(uninitializedShape: shape)
      Kernels.add(existing.pointer, g.pointer, sum.pointer, count)
      grad = sum
      gradIsShared = false
    } else {
      Kernels.addInPlace(existing.pointer, g.pointer, count)
    }
  }

  /// Adds `g`, the gradient of `slice(axis: ax, range)`, into the matching region of this
  /// tensor's gradient: in place when that gradient is already owned, so the pieces of a `split`
  /// build one gradient instead of each allocating, zero-filling and adding a full-size one.
  func accumulateSliceGradient(_ g: Tensor, axis ax: Int, _ range: Range<Int>) {
    guard requiresGrad else { return }
    if isLeaf, let sink = Tensor.leafGradientSink {
      let full = Tensor.zeros(shape)
      full.addSlice(g, axis: ax, range)
      sink.accumulate(full, shared: false, for: self)
      return
    }
    if grad == nil || gradIsShared {
      let owned = Tensor.zeros(shape)
      if let existing = grad { owned.pointer.update(from: existing.pointer, count: count) }
      grad = owned
      gradIsShared = false
    }
    grad!.addSlice(g, axis: ax, range)
  }

  /// Adds `g` into the region `slice(axis: ax, range)` of this tensor's values.
  private func addSlice(_ g: Tensor, axis ax: Int, _ range: Range<Int>) {
    let dst = pointer
    let outer = Shape.count(Array(shape[..<ax]))
    let inner = Shape.count(Array(shape[(ax + 1)...]))
    let width = range.count * inner
    let (along, source) = (shape[ax], g.pointer)
    Parallel.forEach(outer, grain: Swift.max(1, 16384 / Swift.max(width, 1))) { o in
      Kernels.addInPlace16(dst + (o * along + range.lowerBound) * inner, source + o * width, width)
    }
  }

  /// Backpropagates from a one-element tensor (the loss): `∂self/∂x` lands in `x.grad`.
  public func backward() {
    precondition(
      count == 1, "backward(): the result has shape \(shape); pass a gradient for non-scalars")
    backward(gradient: Tensor.ones(shape))
  }

  /// Backpropagates `gradient` (same shape as `self`) through the recorded graph, then releases
  /// the graph. Gradients accumulate into existing `grad`s: clear them between steps.
  public func backward(gradient: Tensor) {
    precondition(
      gradient.shape == shape,
      "backward(gradient:): gradient shape \(gradient.shape) ≠ tensor shape \(shape)")
    let order = topologicalOrder()
    Tensor.withoutGradients {
      accumulateGradient(gradient, shared: true)
      for node in order.reversed() {
        guard let rule = node.backwardRule else { continue }
        if let g = node.grad { rule(g) }
        node.backwardRule = nil
        node.inputs = []
        if !node.retainsGrad { node.grad = nil }
      }
    }
    // A gradient adopted from a shared buffer may alias another tensor's gradient; give every
    // survivor its own storage so that optimizers may scale gradients in place.
    for node in order where node.gradIsShared {
      node.grad = node.grad?.detached()
      node.gradIsShared = false
    }
  }

  /// `backward(gradient:)` with the gradients of leaves (parameters) collected in `sink`
  /// instead of their `grad`s, which stay untouched.
  ///
  /// Graphs that share leaves but nothing else can then be differentiated at the same time on
  /// different threads (one per micro-batch), and the sinks summed in a fixed order.
  public func backward(gradient: Tensor, into sink: LeafGradients) {
    Tensor.$leafGradientSink.withValue(sink) { backward(gradient: gradient) }
  }

  /// Nodes reachable from `self` through inputs that require gradients, inputs before results.
  func topologicalOrder() -> [Tensor] {
    var order: [Tensor] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(node: Tensor, next: Int)] = [(self, 0)]
    visited.insert(ObjectIdentifier(self))
    while !stack.isEmpty {
      let (node, next) = stack[stack.count - 1]
      if next < node.inputs.count {
        stack[stack.count - 1].next += 1
        let child = node.inputs[next]
        if child.requiresGrad && visited.insert(ObjectIdentifier(child)).inserted {
          stack.append((child, 0))
        }
      } else {
        order.append(node)
        stack.removeLast()
      }
    }
    return order
  }
}

/// The gradients of the leaves reached by one `backward(gradient:into:)` pass, each owned by the
/// sink.
public final class LeafGradients {
  private var gradients: [ObjectIdentifier: Tensor] = [:]

  public init() {}

  /// The gradient that reached `leaf`, or nil when none did.
  public func gradient(of leaf: Tensor) -> Tensor? { gradients[ObjectIdentifier(leaf)] }

  func accumulate(_ g: Tensor, shared: Bool, for leaf: Tensor) {
    let key = ObjectIdentifier(leaf)
    if let existing = gradients[key] {
      Kernels.addInPlace(existing.pointer, g.pointer, g.count)
    } else {
      let owned = shared ? g.detached() : g
      gradients[key] =
        owned.shape == leaf.shape ? owned : Tensor(shape: leaf.shape, storage: owned.storage)
    }
  }
}
