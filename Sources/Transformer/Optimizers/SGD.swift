import Autodiff

/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight
/// decay added to the gradient, as PyTorch's `SGD`:
/// `g ← g + wd·θ; b ← μ·b + g (b = g at the first step); d = nesterov ? g + μ·b : b; θ ← θ − lr·d`.
public final class SGD: Optimizer {
  public let momentum: Float
  public let nesterov: Bool
  public let weightDecay: Float
  public let decayRule: DecayRule
  public private(set) var stepCount = 0
  private var buffers: [String: [Float]] = [:]

  public init(
    momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
    decayRule: DecayRule = DecayRule()
  ) {
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
    self.decayRule = decayRule
  }

  public func step(_ parameters: [NamedParameter], lr: Float) {
    stepCount += 1
    for p in parameters {
      guard let grad = p.tensor.grad else { continue }
      let (theta, g, n) = (p.tensor.pointer, grad.pointer, p.tensor.count)
      let wd = decayRule.decays(p.role) ? weightDecay : 0
      if momentum == 0 {
        for i in 0..<n { theta[i] -= lr * (g[i] + wd * theta[i]) }
        continue
      }
      let first = buffers[p.name] == nil
      var buffer = buffers[p.name] ?? [Float](repeating: 0, count: n)
      buffer.withUnsafeMutableBufferPointer { b in
        for i in 0..<n {
          let d = g[i] + wd * theta[i]
          b[i] = first ? d : momentum * b[i] + d
          theta[i] -= lr * (nesterov ? d + momentum * b[i] : b[i])
        }
      }
      buffers[p.name] = buffer
    }
  }

  public func stateTensors() -> [(name: String, values: [Float])] {
    [("step", [Float(stepCount)])] + buffers.keys.sorted().map { ("momentum." + $0, buffers[$0]!) }
  }

  public func loadState(_ state: [String: [Float]], parameters: [NamedParameter]) throws {
    guard let step = state["step"]?.first else {
      throw OptimizerStateError(description: "SGD state has no step")
    }
    stepCount = Int(step)
    buffers = [:]
    for p in parameters {
      if let b = state["momentum." + p.name] {
        guard b.count == p.tensor.count else {
          throw OptimizerStateError(
            description:
              "SGD momentum for \(p.name) has \(b.count) values, expected \(p.tensor.count)")
        }
        buffers[p.name] = b
      }
    }
  }
}
