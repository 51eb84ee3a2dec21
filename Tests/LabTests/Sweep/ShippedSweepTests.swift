import Foundation
import Testing

@testable import Lab

@Suite struct ShippedSweepTests {
  /// Every sweep spec under Configs/sweeps parses, expands and validates every trial's config.
  @Test func shippedSpecsPlan() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let folder = root.appendingPathComponent("Configs/sweeps")
    let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "json" }
    #expect(!files.isEmpty)
    for file in files {
      let spec = try SweepSpec.load(from: file)
      _ = try Sweep.plan(spec, source: file.path, baseDirectory: root)
    }
  }
}
