import Foundation
import Testing

@testable import Lab

@Suite struct TrialExpansionTests {
  @Test func gridTimesSeedsInOrder() throws {
    let spec = try SweepSpec.parse(
      Data(
        #"{"grid": {"model.width": [16, 32], "optimizer.lr": [0.001, 0.01, 0.1]}, "seeds": [1, 2]}"#
          .utf8))
    let trials = spec.trials()
    #expect(trials.count == 2 * 3 * 2)
    #expect(trials.map(\.index) == Array(0..<12))
    #expect(Set(trials.map(\.name)).count == 12)
    // The seed varies fastest, then the last grid axis in sorted order.
    #expect(trials[0].name == "t000-model.width_16-optimizer.lr_0.001-seed_1")
    #expect(trials[1].name == "t001-model.width_16-optimizer.lr_0.001-seed_2")
    #expect(trials[2].name == "t002-model.width_16-optimizer.lr_0.01-seed_1")
    #expect(trials[11].name == "t011-model.width_32-optimizer.lr_0.1-seed_2")
    #expect(trials[11].overrides == ["model.width=32", "optimizer.lr=0.1", "seed=2"])
    #expect(trials.allSatisfy { Config.isValidRunName($0.name) })
  }

  @Test func withoutSeedsTheBaseSeedIsUsed() throws {
    let spec = try SweepSpec.parse(Data(#"{"grid": {"model.width": [16, 32]}}"#.utf8))
    #expect(spec.trials(defaultSeed: 9).map(\.seed) == [9, 9])
  }

  @Test func stringValuesAreQuotedInOverridesAndCleanInNames() throws {
    let spec = try SweepSpec.parse(Data(#"{"grid": {"model.norm": ["pre", "a b"]}}"#.utf8))
    let trials = spec.trials()
    #expect(trials[0].overrides[0] == #"model.norm="pre""#)
    #expect(trials[1].name == "t001-model.norm_a_b-seed_0")
  }

  private func randomSpec(seed: Int, samples: Int = 50) throws -> SweepSpec {
    try SweepSpec.parse(
      Data(
        """
        {"grid": {"model.depth": [1, 2]},
         "random": {"samples": \(samples), "seed": \(seed), "axes": {
           "optimizer.lr": {"log_uniform": [1e-4, 1e-1]},
           "optimizer.weight_decay": {"uniform": [0.0, 0.3]},
           "schedule.warmup_steps": {"uniform": [0, 4]},
           "model.activation": {"choice": ["gelu", "relu", "silu"]}}},
         "seeds": [0]}
        """.utf8))
  }

  @Test func randomSamplingIsDeterministicAndWithinBounds() throws {
    let a = try randomSpec(seed: 7).trials()
    let b = try randomSpec(seed: 7).trials()
    let c = try randomSpec(seed: 8).trials()
    #expect(a.count == 2 * 50)
    #expect(a == b)
    #expect(a.map(\.values) != c.map(\.values))
    func values(_ field: String) -> [JSONValue] {
      a.flatMap { $0.values.filter { $0.field == field }.map(\.value) }
    }
    let lrs = values("optimizer.lr").compactMap(\.numberValue)
    #expect(lrs.count == 100 && lrs.allSatisfy { $0 >= 1e-4 && $0 <= 1e-1 })
    // Log-uniform: about a third of the draws in each decade.
    let lowDecade = lrs.filter { $0 < 1e-3 }.count
    #expect(lowDecade > 15 && lowDecade < 55)
    let decays = values("optimizer.weight_decay").compactMap(\.numberValue)
    #expect(decays.allSatisfy { $0 >= 0 && $0 < 0.3 })
    // Integer bounds draw integers, both ends included.
    let warmups = values("schedule.warmup_steps")
    #expect(
      warmups.allSatisfy { if case .integer(let v) = $0 { (0...4).contains(v) } else { false } })
    #expect(Set(warmups.map(\.displayText)).count == 5)
    #expect(
      Set(values("model.activation").map(\.displayText)).isSubset(of: [
        "\"gelu\"", "\"relu\"", "\"silu\"",
      ]))
    // Sample k is the same for every grid point.
    #expect(
      Array(a[0..<50].map { Array($0.values.dropFirst()) })
        == a[50..<100].map { Array($0.values.dropFirst()) })
  }

  @Test func logUniformCoversItsRangeEvenly() throws {
    let spec = try SweepSpec.parse(
      Data(
        #"{"random": {"samples": 2000, "seed": 1, "axes": {"optimizer.lr": {"log_uniform": [1e-5, 1e-1]}}}}"#
          .utf8))
    let logs = spec.trials().compactMap { $0.values[0].value.numberValue }.map { log10($0) }
    #expect(logs.allSatisfy { $0 >= -5 && $0 <= -1 })
    // Uniform in log10 on [-5, -1]: mean -3, each decade about a quarter.
    let mean = logs.reduce(0, +) / Double(logs.count)
    #expect(abs(mean + 3) < 0.1)
    for decade in [-5.0, -4, -3, -2] {
      let share = Double(logs.filter { $0 >= decade && $0 < decade + 1 }.count) / Double(logs.count)
      #expect(abs(share - 0.25) < 0.05)
    }
  }
}
