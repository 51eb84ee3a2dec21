import Autodiff

/// Which parameters weight decay applies to. By default only matrices decay (nanoGPT decays
/// every 2-d tensor, embeddings included: set `embeddings` for that).
public struct DecayRule: Sendable, Equatable {
  public var embeddings: Bool
  public var normsAndBiases: Bool

  public init(embeddings: Bool = false, normsAndBiases: Bool = false) {
    self.embeddings = embeddings
    self.normsAndBiases = normsAndBiases
  }

  public func decays(_ role: ParameterRole) -> Bool {
    switch role {
    case .matrix: return true
    case .embedding: return embeddings
    case .normWeight, .bias, .scale: return normsAndBiases
    }
  }
}

/// An optimizer updates parameters in place from their gradients.
///
/// Its state (moments, step count) is a list of named float arrays so that checkpoints can store
/// it and a resumed run continues bit for bit.
public protocol Optimizer: AnyObject {
  /// One update of every parameter that has a gradient, at learning rate `lr`.
  func step(_ parameters: [NamedParameter], lr: Float)
  /// The number of updates taken.
  var stepCount: Int { get }
  /// The state to checkpoint: `(name, values)` pairs in a fixed order.
  func stateTensors() -> [(name: String, values: [Float])]
  /// Restores state written by `stateTensors()`; throws when something is missing or misshapen.
  func loadState(_ state: [String: [Float]], parameters: [NamedParameter]) throws
}

/// An optimizer state that does not fit the model it is loaded into.
public struct OptimizerStateError: Error, CustomStringConvertible {
  public let description: String
}

/// The global L2 norm from each parameter's `Kernels.sumOfSquares` of its gradient (0 for a
/// parameter without one), added in parameter order.
public func globalGradientNorm(squaredSums: [Double]) -> Double {
  squaredSums.reduce(0, +).squareRoot()
}

/// The global L2 norm of all gradients, accumulated in Double in parameter order.
public func globalGradientNorm(_ parameters: [NamedParameter]) -> Double {
  // Each parameter's sum on one thread, in index order; the sums added in parameter order.
  var sums = [Double](repeating: 0, count: parameters.count)
  sums.withUnsafeMutableBufferPointer { sums in
    Parallel.forEach(parameters.count) { i in
      if let g = parameters[i].tensor.grad { sums[i] = Kernels.sumOfSquares(g.pointer, g.count) }
    }
  }
  return globalGradientNorm(squaredSums: sums)
}

/// Scales all gradients so that their global norm is at most `maxNorm`, as PyTorch's
/// `clip_grad_norm_` (factor `maxNorm / (norm + 1e-6)`, applied only when below 1).
/// `norm` is the gradients' global norm when already known (it is computed otherwise).
/// Returns the norm before clipping and whether clipping fired.
@discardableResult
public func clipGradients(
  _ parameters: [NamedParameter], maxNorm: Double, norm known: Double? = nil
)
  -> (norm: Double, clipped: Bool)
{
  let norm = known ?? globalGradientNorm(parameters)
  let factor = maxNorm / (norm + 1e-6)
  guard factor < 1 else { return (norm, false) }
  Parallel.forEach(parameters.count) { i in
    if let g = parameters[i].tensor.grad {
      Kernels.scale(g.pointer, Float(factor), g.pointer, g.count)
    }
  }
  return (norm, true)
}
