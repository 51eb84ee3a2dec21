import Foundation
import Probes
import TestSupport
import Testing

@testable import Lab

@Suite struct TrainerProbeTests {
  @Test func probesNeverChangeTheTrajectory() throws {
    let runs = scratchFolder("probes")
    defer { try? FileManager.default.removeItem(at: runs) }
    let on = try Trainer.start(
      config: tinyConfig(runs: runs, name: "on") { c in
        c.probes.attention.every = 1
        c.probes.sphere.every = 2
        c.probes.gradients.every = 1
        c.probes.sharpness.enabled = true
        c.probes.sharpness.every = 7
        c.probes.sharpness.iterations = 3
      })
    try on.run()
    let off = try Trainer.start(
      config: tinyConfig(runs: runs, name: "off") { c in
        c.probes.attention.enabled = false
        c.probes.sphere.enabled = false
        c.probes.gradients.enabled = false
      })
    try off.run()
    #expect(try deterministicRows(on.folder) == deterministicRows(off.folder))
    for (a, b) in zip(on.model.parameters(), off.model.parameters()) {
      expectEqualElements(b.tensor.scalars, a.tensor.scalars, a.name)
    }
    // The probe files hold every family, with the documented metric names.
    let rows = try ProbeWriter.read(on.folder.url.appendingPathComponent("probes.csv"))
    let metrics = Set(rows.map(\.metric))
    for name in [
      "attn_entropy_bits", "attn_max_logit", "curv_discrete_mean", "curv_discrete_min",
      "curv_positional_mean", "curv_positional_min", "sphere_mean_cosine",
      "sphere_tangent_fraction", "sphere_angle", "sphere_step_sq", "sphere_action", "grad_norm",
      "grad_to_weight", "update_ratio", "residual_grad_norm", "grad_global_norm",
      "sharpness_top_eigenvalue",
    ] {
      #expect(metrics.contains(name), "\(name) missing from probes.csv")
    }
    #expect(
      Set(rows.filter { $0.metric == "sharpness_top_eigenvalue" }.map(\.step)) == [0, 7, 14, 21])
    #expect(Set(rows.filter { $0.metric == "attn_entropy_bits" }.map(\.step)).count == 25)
    let jsonl = try String(
      contentsOf: on.folder.url.appendingPathComponent("probes.jsonl"), encoding: .utf8)
    #expect(jsonl.split(separator: "\n").count == rows.count)
    let summary = try #require(try on.folder.readSummary())
    #expect(summary.probeSummary["attention/L0H1/attn_entropy_bits"]?["final"] != nil)
  }

  @Test func probeRowsSurviveResumeWithoutDuplicates() throws {
    let runs = scratchFolder("probe-resume")
    defer { try? FileManager.default.removeItem(at: runs) }
    let (whole, parted) = try wholeAndResumed(runs: runs) { c in c.probes.attention.every = 3 }
    let a = try ProbeWriter.read(whole.url.appendingPathComponent("probes.csv"))
    let b = try ProbeWriter.read(parted.url.appendingPathComponent("probes.csv"))
    #expect(a == b)
    let sa = try #require(try whole.readSummary()).probeSummary
    let sb = try #require(try parted.readSummary()).probeSummary
    #expect(sa == sb)
  }

  @Test func regularizerJoinsTheLossAndIsLogged() throws {
    let runs = scratchFolder("regularizer")
    defer { try? FileManager.default.removeItem(at: runs) }
    let plain = try Trainer.start(config: tinyConfig(runs: runs, name: "plain"))
    try plain.run()
    let regular = try Trainer.start(
      config: tinyConfig(runs: runs, name: "reg") { c in
        c.regularizers.h0TotalPersistence.weight = 0.5
        c.regularizers.headDiversity.weight = 0.1
      })
    try regular.run()
    let rows = try deterministicRows(regular.folder)
    let logged = rows.filter { $0["reg_loss"] != nil }
    #expect(!logged.isEmpty)
    #expect(
      logged.allSatisfy {
        $0["reg_h0_total_persistence"] != nil && $0["reg_head_diversity_grad_norm"] != nil
      })
    // Bottleneck distances compare each logged step's diagram with the previous logged step's.
    #expect(logged.first?["ph_l0_h0_h0_bottleneck"] == nil)
    #expect(
      logged.dropFirst().allSatisfy {
        $0["ph_l0_h0_h0_bottleneck"] != nil && $0["ph_l0_h1_h1_bars"] != nil
      })
    // The terms change the trajectory.
    #expect(
      plain.model.parameters()[0].tensor.scalars != regular.model.parameters()[0].tensor.scalars)
  }

  /// A term due every k updates is computed on the updates whose rows are logged every k steps
  /// (it once counted from 0 while rows count from 1, so `every = log_every = 4` logged nothing).
  @Test func regularizerEveryKStepsLandsOnRowsLoggedEveryKSteps() throws {
    let runs = scratchFolder("regularizer-every")
    defer { try? FileManager.default.removeItem(at: runs) }
    let trainer = try Trainer.start(
      config: tinyConfig(runs: runs, name: "every") { c in
        c.regularizers.h1TotalPersistence.weight = 0.01
        c.regularizers.h1TotalPersistence.every = 4
        c.training.logEvery = 4
      })
    try trainer.run()
    let rows = try deterministicRows(trainer.folder)
    let logged = rows.filter { $0["reg_h1_total_persistence"] != nil }.map(\.step)
    #expect(logged == [4, 8, 12, 16, 20, 24])
  }

  @Test func resumedRegularizerLogsTheSameBottleneckDistances() throws {
    let runs = scratchFolder("regularizer-resume")
    defer { try? FileManager.default.removeItem(at: runs) }
    // Stops after step 11 with a checkpoint there; the diagrams of step 10, the last logged
    // step, must come back from it for step 12's bottleneck distances.
    let (whole, parted) = try wholeAndResumed(runs: runs) { c in
      c.regularizers.h0TotalPersistence.weight = 0.5
      c.regularizers.h1TotalPersistence.weight = 0.1
    }
    let a = try deterministicRows(whole)
    let b = try deterministicRows(parted)
    #expect(a == b)
    #expect(a.contains { $0.step > 10 && $0["ph_l0_h0_h0_bottleneck"] != nil })
  }
}
