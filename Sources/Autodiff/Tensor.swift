/// An n-dimensional array of Float32 in contiguous row-major storage, and a node of the
/// reverse-mode autodiff tape.
///
/// Every op returns a new tensor. When gradient recording is on (see `Tensor.withoutGradients`)
/// and an input requires a gradient, the result remembers its inputs and a backward rule, and
/// `backward()` on a scalar result accumulates `∂result/∂x` into `x.grad` for every leaf `x` that
/// requires a gradient and for every intermediate that asked to `retainGrad()`.
public final class Tensor {
  public let shape: [Int]
  public let count: Int
  public let storage: TensorStorage

  /// The accumulated gradient, same shape as the tensor; nil until `backward()` reaches it.
  public var grad: Tensor?
  /// Whether gradients flow to this tensor. Set it on leaves (parameters); results inherit it.
  public var requiresGrad: Bool
  /// Keep this intermediate's gradient after `backward()` (leaves always keep theirs).
  public private(set) var retainsGrad = false
  /// An optional label, used in error messages and parameter listings.
  public var name: String?

  /// False for the results of recorded ops: true for tensors made directly (parameters, inputs).
  var isLeaf = true
  var inputs: [Tensor] = []
  var backwardRule: ((Tensor) -> Void)?
  /// True while `grad` is a tensor shared with another node and must be copied before mutation.
  var gradIsShared = false

  /// A tensor over existing storage.
  public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
    let n = Shape.count(shape)
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
    precondition(
      storage.count >= n,
      "Tensor: storage of \(storage.count) floats is too small for shape \(shape)")
    self.shape = shape
    self.count = n
    self.storage = storage
    self.requiresGrad = requiresGrad
  }

  /// A tensor with uninitialized contents; every op overwrites all of them.
  public convenience init(uninitializedShape shape: [Int]) {
    self.init(shape: shape, storage: TensorStorage(uninitializedCount: Shape.count(shape)))
  }

  /// A tensor holding `values` in row-major order.
  public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
    precondition(
      values.count == Shape.count(shape),
      "Tensor(_:shape:): \(values.count) values do not fill shape \(shape)")
    self.init(uninitializedShape: shape)
    values.withUnsafeBufferPointer { src in
      if let base = src.baseAddress { storage.pointer.update(from: base, count: values.count) }
    }
    self.requiresGrad = requiresGrad
  }

  /// A scalar (shape `[]`).
  public convenience init(scalar: Float, requiresGrad: Bool = false) {
    self.init([scalar], shape: [], requiresGrad: requiresGrad)
  }

  public var rank: Int { shape.count }
  public var pointer: UnsafeMutablePointer<Float> { storage.pointer }

  /// The contents as an array, in row-major order.
  public var scalars: [Float] {
    Array(UnsafeBufferPointer(start: storage.pointer, count: count))
  }

  /// The single value of a one-element tensor.
  public var item: Float {
    precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements, not 1")
    return storage.pointer[0]
  }

  /// Asks `backward()` to keep this intermediate tensor's gradient.
  public func retainGrad() {
    retainsGrad = true
  }

  /// A copy of the values that is not connected to the tape.
  public func detached() -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    t.pointer.update(from: pointer, count: count)
    return t
  }

  /// Overwrites the values in place (for optimizers and loading); not recorded on the tape.
  public func assign(_ values: [Float]) {
    precondition(values.count == count, "Tensor.assign: \(values.count) values for shape \(shape)")
    values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
  }
}
