/// An op defined outside the engine: a value computed by any means, and its backward rule.
extension Tensor {
  /// Connects a precomputed `value` to `inputs` on the tape with a caller-supplied backward
  /// rule, for ops whose forward is not a composition of tensor ops (a persistence diagram, a
  /// fused distance kernel).
  ///
  /// `backward` receives the gradient of the result (the shape of `value`) and returns one
  /// gradient per input, in order, each of that input's shape, or `nil` for "no gradient".
  /// The engine accumulates them. When recording is off or no input requires a gradient,
  /// `value` is returned as is and `backward` is never called.
  ///
  /// - Precondition: `value` is a fresh tensor not yet on the tape (no inputs), and `backward`
  ///   does not capture `value` (that would be a reference cycle; capture its storage or
  ///   copies of what it needs).
  public static func custom(
    _ value: Tensor, inputs: [Tensor], backward: @escaping (_ gradient: Tensor) -> [Tensor?]
  ) -> Tensor {
    precondition(value.inputs.isEmpty, "Tensor.custom: the value is already on the tape")
    return record(value, inputs) { g in
      let grads = backward(g)
      precondition(
        grads.count == inputs.count,
        "Tensor.custom: backward returned \(grads.count) gradients for \(inputs.count) inputs")
      for (input, grad) in zip(inputs, grads) {
        guard let grad else { continue }
        precondition(
          grad.shape == input.shape,
          "Tensor.custom: gradient of shape \(grad.shape) for an input of shape \(input.shape)")
        input.accumulateGradient(grad, shared: true)
      }
    }
  }
}
