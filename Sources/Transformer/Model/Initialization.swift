import Autodiff
import Foundation

extension GPT {
  /// Fills every parameter from `rng`, visiting them in `parameters()` order.
  ///
  /// - `gpt2`: matrices and embeddings `N(0, initStd²)`; the residual projections
  ///   (`attn.c_proj`, `mlp.c_proj`) `N(0, (initStd/√(2·depth))²)`; norm gains 1; biases 0.
  /// - `xavier`: matrices `U(±√(6/(fan_in + fan_out)))`, the rest as `gpt2`.
  /// Learned scales (`sphere`) keep their constructed values.
  public func initialize(using rng: inout SeededRandom) {
    let residualStd = config.initStd / (2 * Float(Swift.max(config.depth, 1))).squareRoot()
    for p in parameters() {
      let t = p.tensor
      switch p.role {
      case .matrix:
        if config.initialization == .xavier {
          let bound = (6 / Float(t.shape[0] + t.shape[1])).squareRoot()
          for i in 0..<t.count { t.pointer[i] = (2 * rng.nextFloat() - 1) * bound }
        } else {
          let std = p.name.hasSuffix("c_proj.weight") ? residualStd : config.initStd
          for i in 0..<t.count { t.pointer[i] = std * Float(rng.nextNormal()) }
        }
      case .embedding:
        for i in 0..<t.count { t.pointer[i] = config.initStd * Float(rng.nextNormal()) }
      case .normWeight:
        t.pointer.update(repeating: 1, count: t.count)
      case .bias:
        t.pointer.update(repeating: 0, count: t.count)
      case .scale:
        break
      }
    }
  }
}
