import Transformer

extension Config {
  /// The learning-rate schedule of `schedule`, with peak `optimizer.lr` over `training.steps`.
  /// `inverse_sqrt` takes its width from `model.width`; `wsd` with `decay_steps = 0` decays over
  /// the last 20% of the steps (at least one).
  public var learningRateSchedule: LearningRateSchedule {
    let s = schedule
    let shape: LearningRateSchedule.Shape
    switch s.kind {
    case .constant: shape = .constant
    case .linear: shape = .linear
    case .cosine: shape = .cosine
    case .inverseSqrt: shape = .inverseSquareRoot(width: model.width)
    case .step: shape = .step(stepSize: s.stepSize, gamma: s.gamma)
    case .exponential: shape = .exponential(gamma: s.gamma)
    case .wsd:
      let decay = s.decaySteps > 0 ? s.decaySteps : max(1, training.steps / 5)
      shape = .warmupStableDecay(decaySteps: decay)
    case .oneCycle:
      shape = .oneCycle(
        pctStart: s.pctStart, divFactor: s.divFactor, finalDivFactor: s.finalDivFactor)
    }
    return LearningRateSchedule(
      shape: shape, peak: optimizer.lr, minimum: s.minLr, warmupSteps: s.warmupSteps,
      totalSteps: training.steps)
  }
}
