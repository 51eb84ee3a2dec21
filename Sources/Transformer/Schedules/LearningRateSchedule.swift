import Foundation

/// A learning-rate schedule: the learning rate as a function of the optimizer step.
///
/// Steps count from 0 (the first update uses `learningRate(at: 0)`). Every shape except
/// `inverseSquareRoot` and `oneCycle` starts with the same linear warmup, nanoGPT's form:
///
///     lr(step) = peak · (step + 1) / (warmupSteps + 1)      for step < warmupSteps
///
/// so the first update is small but not zero and the warmup meets `peak` at `step = warmupSteps`.
/// After the warmup, `decayProgress(step) = (step − warmupSteps) / (totalSteps − warmupSteps)`,
/// clamped to [0, 1], drives the decaying shapes. Built from plain numbers so that any caller
/// (a config, a test, a sweep) can make one.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
  /// The shape after the warmup.
  public enum Shape: Sendable, Equatable, Codable {
    /// `peak` for every step.
    case constant
    /// Linear from `peak` down to `minimum` at `totalSteps`.
    case linear
    /// nanoGPT's cosine: `minimum + ½(1 + cos(π·progress))·(peak − minimum)`.
    case cosine
    /// The Transformer paper's rule with steps counted from 1 (`s = step + 1`), as a multiplier
    /// of `peak`: `peak · width^−½ · min(s^−½, s · warmupSteps^−1.5)`. With `warmupSteps = 0` the
    /// second term is dropped. This shape has its own warmup and ignores the shared one.
    case inverseSquareRoot(width: Int)
    /// `peak · gamma^⌊(step − warmupSteps) / stepSize⌋`.
    case step(stepSize: Int, gamma: Double)
    /// `peak · gamma^(step − warmupSteps)`.
    case exponential(gamma: Double)
    /// Warmup–stable–decay: `peak` until `totalSteps − decaySteps`, then linear down to `minimum`
    /// at `totalSteps`: `minimum + (peak − minimum) · (1 − t)`, with
    /// `t = (step − (totalSteps − decaySteps)) / decaySteps` clamped to [0, 1].
    case warmupStableDecay(decaySteps: Int)
    /// PyTorch's `OneCycleLR` with its defaults `anneal_strategy="cos"` and `three_phase=False`:
    /// from `peak / divFactor` up to `peak` over the first `pctStart · totalSteps − 1` steps, then
    /// down to `peak / divFactor / finalDivFactor` at step `totalSteps − 1`, both halves by
    /// cosine annealing `end + (start − end)/2 · (1 + cos(π·t))`. Ignores the shared warmup
    /// and `minimum`.
    case oneCycle(pctStart: Double, divFactor: Double, finalDivFactor: Double)
  }

  /// The shape after the warmup.
  public var shape: Shape
  /// The largest learning rate (the configured `lr`).
  public var peak: Double
  /// The floor reached by `linear`, `cosine` and `warmupStableDecay`.
  public var minimum: Double
  /// Length of the linear warmup (0 = none).
  public var warmupSteps: Int
  /// The number of optimizer steps in the run; decays end here.
  public var totalSteps: Int

  /// A schedule; see `Shape` for each formula.
  public init(
    shape: Shape, peak: Double, minimum: Double = 0, warmupSteps: Int = 0, totalSteps: Int
  ) {
    self.shape = shape
    self.peak = peak
    self.minimum = minimum
    self.warmupSteps = warmupSteps
    self.totalSteps = totalSteps
  }

  /// The learning rate for the update at `step` (0-based). Steps past `totalSteps` keep the
  /// value the shape has there (the floor for the decaying shapes).
  public func learningRate(at step: Int) -> Double {
    switch shape {
    case .inverseSquareRoot(let width):
      let s = Double(max(step, 0) + 1)
      var factor = 1 / s.squareRoot()
      if warmupSteps > 0 {
        factor = min(factor, s * pow(Double(warmupSteps), -1.5))
      }
      return peak * factor / Double(width).squareRoot()
    case .oneCycle(let pctStart, let divFactor, let finalDivFactor):
      return oneCycleRate(
        step: step, pctStart: pctStart, divFactor: divFactor, finalDivFactor: finalDivFactor)
    default:
      break
    }
    if step < warmupSteps {
      return peak * Double(step + 1) / Double(warmupSteps + 1)
    }
    let progress: Double
    if totalSteps > warmupSteps {
      progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
    } else {
      progress = 1
    }
    switch shape {
    case .constant:
      return peak
    case .linear:
      return minimum + (peak - minimum) * (1 - progress)
    case .cosine:
      return minimum + 0.5 * (1 + cos(Double.pi * progress)) * (peak - minimum)
    case .step(let stepSize, let gamma):
      return peak * pow(gamma, Double((step - warmupSteps) / max(stepSize, 1)))
    case .exponential(let gamma):
      return peak * pow(gamma, Double(step - warmupSteps))
    case .warmupStableDecay(let decaySteps):
      let decayStart = totalSteps - decaySteps
      guard step >= decayStart, decaySteps > 0 else { return peak }
      let t = min(1, Double(step - decayStart) / Double(decaySteps))
      return minimum + (peak - minimum) * (1 - t)
    case .inverseSquareRoot, .oneCycle:
      preconditionFailure("LearningRateSchedule: handled above")
    }
  }

  private func oneCycleRate(
    step: Int, pctStart: Double, divFactor: Double, finalDivFactor: Double
  ) -> Double {
    let initial = peak / divFactor
    let final = initial / finalDivFactor
    let upEnd = pctStart * Double(totalSteps) - 1
    let downEnd = Double(totalSteps) - 1
    let s = Double(min(max(step, 0), totalSteps - 1))
    func anneal(_ start: Double, _ end: Double, _ t: Double) -> Double {
      end + (start - end) / 2 * (1 + cos(Double.pi * t))
    }
    if s <= upEnd {
      return anneal(initial, peak, upEnd > 0 ? s / upEnd : 1)
    }
    let span = downEnd - upEnd
    return anneal(peak, final, span > 0 ? (s - upEnd) / span : 1)
  }
}
