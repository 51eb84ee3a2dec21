import Foundation
import Testing

@testable import Lab

@Suite struct SweepSpecTests {
  @Test func parsesEveryPart() throws {
    let text = """
      {"name": "lr", "base": {"training": {"steps": 7}}, "set": ["model.depth=1"],
       "grid": {"optimizer.lr": [0.001, 0.01], "model.width": [16, 32]},
       "random": {"samples": 3, "seed": 5, "axes": {
         "optimizer.weight_decay": {"uniform": [0, 0.2]},
         "schedule.warmup_steps": {"log_uniform": [1, 100]},
         "model.activation": {"choice": ["gelu", "relu"]}}},
       "seeds": [1, 2]}
      """
    let spec = try SweepSpec.parse(Data(text.utf8), overrides: ["training.steps=3"])
    #expect(spec.name == "lr")
    #expect(spec.overrides == ["model.depth=1", "training.steps=3"])
    #expect(spec.grid.map(\.field) == ["model.width", "optimizer.lr"])  // sorted
    #expect(spec.random?.samples == 3 && spec.random?.seed == 5)
    #expect(
      spec.random?.axes.map(\.field) == [
        "model.activation", "optimizer.weight_decay", "schedule.warmup_steps",
      ])
    #expect(spec.random?.axes[2].distribution == .logUniform(lower: 1, upper: 100, integers: true))
    #expect(spec.random?.axes[1].distribution == .uniform(lower: 0, upper: 0.2, integers: false))
    #expect(spec.seeds == [1, 2])
    // The normalized form reads back to the same spec.
    let stored = try SweepSpec.parse(Sweep.encoded(spec.json))
    #expect(stored == spec)
  }

  @Test func baseMayBeAPathRelativeToTheSpec() throws {
    let dir = scratchFolder("spec-base")
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(#"{"model": {"width": 32}}"#.utf8).write(to: dir.appendingPathComponent("base.json"))
    let specURL = dir.appendingPathComponent("mine.json")
    try Data(#"{"base": "base.json", "grid": {"model.depth": [1, 2]}}"#.utf8).write(to: specURL)
    let spec = try SweepSpec.load(from: specURL)
    #expect(spec.name == "mine")
    #expect(spec.base == .object(["model": .object(["width": .integer(32)])]))
  }

  @Test func refusesSpecsThatRunNoTrials() throws {
    for extra in [
      #""grid": {"model.width": []}"#,
      #""seeds": []"#,
      #""random": {"samples": 0, "axes": {"optimizer.lr": {"uniform": [0, 1]}}}"#,
    ] {
      let error = sweepError { _ = try SweepSpec.parse(Data("{\(extra)}".utf8), source: "x.json") }
      guard case .noTrials(let source, _)? = error else {
        Issue.record("\(extra): expected noTrials, got \(String(describing: error))")
        continue
      }
      #expect(source == "x.json")
    }
  }

  @Test func refusesMalformedAxesNamingThePlace() throws {
    let cases: [(String, String)] = [
      (#""grid": {"model.width": 64}"#, "grid.model.width"),
      (#""grid": [1, 2]"#, "grid"),
      (#""grid": {"model..width": [1]}"#, "grid.model..width"),
      (#""grid": {"seed": [1, 2]}"#, "grid.seed"),
      (
        #""random": {"samples": 2, "axes": {"optimizer.lr": {"normal": [0, 1]}}}"#,
        "random.axes.optimizer.lr"
      ),
      (#""random": {"samples": 2, "axes": {"optimizer.lr": [0, 1]}}"#, "random.axes.optimizer.lr"),
      (
        #""random": {"samples": 2, "axes": {"optimizer.lr": {"uniform": [1]}}}"#,
        "random.axes.optimizer.lr"
      ),
      (
        #""random": {"samples": 2, "axes": {"optimizer.lr": {"uniform": [2, 1]}}}"#,
        "random.axes.optimizer.lr"
      ),
      (
        #""random": {"samples": 2, "axes": {"optimizer.lr": {"log_uniform": [0, 1]}}}"#,
        "random.axes.optimizer.lr"
      ),
      (
        #""random": {"samples": 2, "axes": {"model.norm": {"choice": []}}}"#,
        "random.axes.model.norm"
      ),
      (#""random": {"axes": {"optimizer.lr": {"uniform": [0, 1]}}}"#, "random.samples"),
      (#""random": {"samples": 2, "axes": {}}"#, "random.axes"),
      (
        #""grid": {"optimizer.lr": [1]}, "random": {"samples": 1, "axes": {"optimizer.lr": {"uniform": [0, 1]}}}"#,
        "random.axes.optimizer.lr"
      ),
      (#""seeds": [1, 1]"#, "seeds"),
      (#""seeds": [1.5]"#, "seeds"),
      (#""grids": {}"#, "grids"),
      (#""base": 3"#, "base"),
    ]
    for (extra, place) in cases {
      let error = sweepError { _ = try SweepSpec.parse(Data("{\(extra)}".utf8), source: "x.json") }
      guard case .malformedSpec(_, let path, let message)? = error else {
        Issue.record("\(extra): expected malformedSpec, got \(String(describing: error))")
        continue
      }
      #expect(path == place, "\(extra): \(message)")
      #expect(error!.localizedDescription.contains(place))
    }
  }

  @Test func refusesAnUnknownFieldNamingItsPathAndTheTrial() throws {
    let runs = scratchFolder("spec-unknown")
    defer { try? FileManager.default.removeItem(at: runs) }
    let spec = try tinySweepSpec(runs: runs, #""grid": {"model.widht": [16, 32]}"#)
    let error = sweepError { _ = try Sweep.plan(spec) }
    guard case .invalidTrial(let index, let name, let issues)? = error else {
      Issue.record("expected invalidTrial, got \(String(describing: error))")
      return
    }
    #expect(index == 0)
    #expect(name == "t000-model.widht_16-seed_3")
    #expect(issues.map(\.path) == ["model.widht"])
    #expect(error!.localizedDescription.contains("model.widht"))
    // Nothing was written.
    #expect(!FileManager.default.fileExists(atPath: runs.appendingPathComponent("s").path))
  }

  @Test func refusesAnInvalidValueInALaterTrial() throws {
    let runs = scratchFolder("spec-invalid")
    defer { try? FileManager.default.removeItem(at: runs) }
    // heads = 2 divides 16 but not 17.
    let spec = try tinySweepSpec(runs: runs, #""grid": {"model.width": [16, 17]}"#)
    guard case .invalidTrial(let index, _, let issues)? = sweepError({ _ = try Sweep.plan(spec) })
    else {
      Issue.record("expected invalidTrial")
      return
    }
    #expect(index == 1)
    #expect(issues.contains { $0.path.hasPrefix("model.") })
  }

  @Test func refusesAFolderMadeByAnotherSpec() throws {
    let runs = scratchFolder("spec-different")
    defer { try? FileManager.default.removeItem(at: runs) }
    let first = try Sweep.plan(tinySweepSpec(runs: runs, #""grid": {"model.width": [16, 32]}"#))
    try first.prepareFolder()
    try first.prepareFolder()  // the same spec again is fine
    #expect(FileManager.default.fileExists(atPath: first.specURL.path))
    let second = try Sweep.plan(tinySweepSpec(runs: runs, #""grid": {"model.width": [16, 64]}"#))
    let error = sweepError { try second.prepareFolder() }
    guard case .differentSpec(_, let detail)? = error else {
      Issue.record("expected differentSpec, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("grid"))
    // Opening the folder reads the stored spec back.
    let reopened = try Sweep.open(folder: first.folder)
    #expect(reopened.spec == first.spec)
    #expect(reopened.trials == first.trials)
  }
}
