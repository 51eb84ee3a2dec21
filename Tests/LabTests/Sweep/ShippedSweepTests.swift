import Foundation
import Testing

@testable import Lab

@Suite struct ShippedSweepTests {
  static let root = repositoryRoot

  static func specs(in folder: String) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(
      at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil
    )
    .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
  }

  /// Every sweep spec under Configs/sweeps parses, expands and validates every trial's config.
  @Test func shippedSpecsPlan() throws {
    let files = try Self.specs(in: "Configs/sweeps")
    #expect(!files.isEmpty)
    for file in files {
      let spec = try SweepSpec.load(from: file)
      _ = try Sweep.plan(spec, source: file.path, baseDirectory: Self.root)
    }
  }

  /// Every study under Configs/studies (docs/studies.md) is a sweep spec named after its file
  /// whose trials all validate and build their task from the repository root, where the
  /// documented commands run.
  @Test func studiesPlan() throws {
    let files = try Self.specs(in: "Configs/studies")
    #expect(files.count == 7)
    for file in files {
      let spec = try SweepSpec.load(from: file)
      #expect(
        spec.name == file.deletingPathExtension().lastPathComponent, "\(file.lastPathComponent)")
      let plan = try Sweep.plan(spec, source: file.path, baseDirectory: Self.root)
      #expect(plan.trials.count >= 2, "\(file.lastPathComponent) compares at least two runs")
      for config in plan.configs {
        _ = try config.makeTask(baseDirectory: Self.root)
      }
    }
  }
}
