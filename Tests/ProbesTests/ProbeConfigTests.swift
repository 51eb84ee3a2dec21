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
