import Foundation
import Testing

@testable import Transformer

/// Each schedule against its closed form, evaluated independently here.
struct LearningRateScheduleTests {
  let peak = 1e-3
  let minimum = 1e-4

  func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-15 + 1e-12 * abs(b) }

  @Test func warmupIsNanoGPTLinearForm() {
    // nanoGPT: lr · (it + 1) / (warmup_iters + 1) for it < warmup_iters.
    let s = LearningRateSchedule(shape: .constant, peak: peak, warmupSteps: 10, totalSteps: 100)
    for step in 0..<10 {
      #expect(close(s.learningRate(at: step), peak * Double(step + 1) / 11))
    }
    #expect(s.learningRate(at: 10) == peak)
    #expect(s.learningRate(at: 99) == peak)
  }

  @Test func constantWithoutWarmupIsPeakEverywhere() {
    let s = LearningRateSchedule(shape: .constant, peak: peak, totalSteps: 50)
    #expect([0, 1, 49, 1000].allSatisfy { s.learningRate(at: $0) == peak })
  }

  @Test func linearDecaysToMinimum() {
    let s = LearningRateSchedule(
      shape: .linear, peak: peak, minimum: minimum, warmupSteps: 10, totalSteps: 110)
    for step in [10, 35, 60, 109, 110, 500] {
      let progress = min(1, Double(step - 10) / 100)
      #expect(close(s.learningRate(at: step), minimum + (peak - minimum) * (1 - progress)))
    }
    #expect(s.learningRate(at: 110) == minimum)
  }

  @Test func cosineMatchesNanoGPTGetLR() {
    let s = LearningRateSchedule(
      shape: .cosine, peak: peak, minimum: minimum, warmupSteps: 20, totalSteps: 220)
    for step in [20, 70, 120, 170, 219, 220, 300] {
      let ratio = min(1, Double(step - 20) / 200)
      let expected = minimum + 0.5 * (1 + cos(Double.pi * ratio)) * (peak - minimum)
      #expect(close(s.learningRate(at: step), expected))
    }
    #expect(close(s.learningRate(at: 120), (peak + minimum) / 2))
  }

  @Test func inverseSquareRootIsTheTransformerPaperRule() {
    let width = 512
    let s = LearningRateSchedule(
      shape: .inverseSquareRoot(width: width), peak: 2.0, warmupSteps: 4000, totalSteps: 100_000)
    for step in [0, 1, 999, 3999, 4000, 50_000] {
      let n = Double(step + 1)
      let expected = 2.0 * pow(512.0, -0.5) * min(pow(n, -0.5), n * pow(4000.0, -1.5))
      #expect(close(s.learningRate(at: step), expected))
    }
    // The peak of the rule is at s = warmup: width^-½ · warmup^-½.
    #expect(close(s.learningRate(at: 3999), 2.0 / (512.0 * 4000.0).squareRoot()))
    let noWarmup = LearningRateSchedule(
      shape: .inverseSquareRoot(width: 64), peak: 1, totalSteps: 10)
    #expect(close(noWarmup.learningRate(at: 8), 1 / 8 / 3))
  }

  @Test func stepDecayMultipliesByGammaEveryStepSize() {
    let s = LearningRateSchedule(
      shape: .step(stepSize: 30, gamma: 0.5), peak: peak, warmupSteps: 5, totalSteps: 200)
    #expect(s.learningRate(at: 5) == peak)
    #expect(s.learningRate(at: 34) == peak)
    #expect(close(s.learningRate(at: 35), peak * 0.5))
    #expect(close(s.learningRate(at: 95), peak * 0.125))
  }

  @Test func exponentialDecaysEveryStep() {
    let s = LearningRateSchedule(
      shape: .exponential(gamma: 0.99), peak: peak, warmupSteps: 3, totalSteps: 200)
    for step in [3, 4, 50, 199] {
      #expect(close(s.learningRate(at: step), peak * pow(0.99, Double(step - 3))))
    }
  }

  @Test func warmupStableDecayHasThreePhases() {
    let s = LearningRateSchedule(
      shape: .warmupStableDecay(decaySteps: 40), peak: peak, minimum: minimum, warmupSteps: 10,
      totalSteps: 200)
    #expect(close(s.learningRate(at: 4), peak * 5 / 11))
    #expect(s.learningRate(at: 10) == peak)
    #expect(s.learningRate(at: 159) == peak)
    for step in [160, 170, 199, 200, 250] {
      let t = min(1, Double(step - 160) / 40)
      #expect(close(s.learningRate(at: step), minimum + (peak - minimum) * (1 - t)))
    }
    #expect(s.learningRate(at: 200) == minimum)
  }

  @Test func oneCycleMatchesPyTorchOneCycleLR() {
    // PyTorch OneCycleLR(max_lr=1e-3, total_steps=100, pct_start=0.3, div_factor=25,
    // final_div_factor=1e4, anneal_strategy="cos"): phase ends at 29 and 99.
    let s = LearningRateSchedule(
      shape: .oneCycle(pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4), peak: peak,
      totalSteps: 100)
    let initial = peak / 25
    let final = initial / 1e4
    func anneal(_ a: Double, _ b: Double, _ t: Double) -> Double {
      b + (a - b) / 2 * (1 + cos(Double.pi * t))
    }
    #expect(close(s.learningRate(at: 0), initial))
    #expect(close(s.learningRate(at: 29), peak))
    #expect(close(s.learningRate(at: 99), final))
    for step in [1, 10, 28] {
      #expect(close(s.learningRate(at: step), anneal(initial, peak, Double(step) / 29)))
    }
    for step in [30, 64, 98] {
      #expect(close(s.learningRate(at: step), anneal(peak, final, Double(step - 29) / 70)))
    }
  }

  @Test func schedulesRoundTripThroughCodable() throws {
    let s = LearningRateSchedule(
      shape: .oneCycle(pctStart: 0.25, divFactor: 10, finalDivFactor: 100), peak: 0.1,
      totalSteps: 40)
    let back = try JSONDecoder().decode(
      LearningRateSchedule.self, from: JSONEncoder().encode(s))
    #expect(back == s)
  }
}
