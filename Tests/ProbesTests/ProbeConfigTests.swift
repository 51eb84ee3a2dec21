import Foundation
import Testing

@testable import Probes

@Suite struct ProbeConfigTests {
  @Test func missingFieldsTakeTheirDefaults() throws {
    let decoder = JSONDecoder()
    let empty = try decoder.decode(ProbesConfig.self, from: Data("{}".utf8))
    #expect(empty == ProbesConfig())
    let partial = try decoder.decode(
      ProbesConfig.self,
      from: Data(
        #"{"attention": {"every": 10, "layers": [0, 2]}, "sharpness": {"enabled": true}}"#.utf8))
    #expect(partial.attention == ProbeConfig(every: 10, layers: [0, 2]))
    #expect(partial.sharpness == SharpnessConfig(enabled: true))
    let again = try decoder.decode(ProbesConfig.self, from: JSONEncoder().encode(partial))
    #expect(again == partial)
  }

  @Test func schedules() {
    #expect(ProbeConfig(every: 5).isDue(atStep: 10) && !ProbeConfig(every: 5).isDue(atStep: 11))
    #expect(!ProbeConfig(enabled: false).isDue(atStep: 0))
    #expect(
      !SharpnessConfig().isDue(atStep: 0) && SharpnessConfig(enabled: true).isDue(atStep: 200))
  }

  @Test func rowsRoundTripThroughJSON() throws {
    let row = ProbeRow(
      step: 3, family: .attention, layer: 1, head: 2, metric: "attn_max_logit", value: 1.5)
    let decoded = try JSONDecoder().decode(ProbeRow.self, from: JSONEncoder().encode(row))
    #expect(decoded == row)
  }
}

@Suite struct ProbeConfigValidationTests {
  @Test func namesTheFieldTheValueAndTheRule() {
    var config = ProbesConfig()
    #expect(throws: Never.self) { try config.validate(depth: 4, heads: 4, batch: 2) }
    config.attention.heads = [1, 5]
    #expect(
      throws: ProbeConfigError.invalid(
        path: "probes.attention.heads", value: "5", rule: "must lie in 0..<4 (model.heads)")
    ) {
      try config.validate(depth: 4, heads: 4, batch: 2)
    }
    config = ProbesConfig()
    config.sphere.layers = [4]  // the input of the final norm: allowed for states
    #expect(throws: Never.self) { try config.validate(depth: 4, heads: 4, batch: 2) }
    config.attention.layers = [4]
    #expect(throws: ProbeConfigError.self) { try config.validate(depth: 4, heads: 4, batch: 2) }
    config = ProbesConfig()
    config.sphere.sequences = [2]
    do {
      try config.validate(depth: 4, heads: 4, batch: 2)
      Issue.record("expected an error")
    } catch {
      #expect(
        error.localizedDescription
          == "probes.sphere.sequences = 2 must lie in 0..<2 (the probe batch)")
    }
    config = ProbesConfig()
    config.sharpness.tolerance = 0
    #expect(
      throws: ProbeConfigError.invalid(
        path: "probes.sharpness.tolerance", value: "0.0", rule: "must be > 0")
    ) {
      try config.validate(depth: 4, heads: 4, batch: 2)
    }
  }
}
