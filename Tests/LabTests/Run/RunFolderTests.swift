import Foundation
import Testing

@testable import Lab

/// Run folder creation, refusal, overwrite and resume, and the summary file, on a temporary
/// folder.
struct RunFolderTests {
  let base = FileManager.default.temporaryDirectory.appendingPathComponent(
    "betti-runs-\(UUID().uuidString)")

  func config(_ name: String) -> Config {
    var config = Config()
    config.name = name
    config.runsDir = "Runs"
    return config
  }

  @Test func createsTheFolderAndWritesTheResolvedConfig() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let folder = try RunFolder.prepare(for: config("first"), mode: .create, baseDirectory: base)
    #expect(folder.url.path == base.appendingPathComponent("Runs/first").path)
    #expect(try folder.readConfig() == config("first"))
    #expect(FileManager.default.fileExists(atPath: folder.checkpointsURL.path))
  }

  @Test func refusesAnExistingNameUnlessResumingOrOverwriting() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let folder = try RunFolder.prepare(for: config("taken"), mode: .create, baseDirectory: base)
    try folder.appendLog("old")
    #expect(throws: RunFolderError.exists(path: folder.url.path)) {
      try RunFolder.prepare(for: config("taken"), mode: .create, baseDirectory: base)
    }
    let resumed = try RunFolder.prepare(for: config("taken"), mode: .resume, baseDirectory: base)
    #expect(FileManager.default.fileExists(atPath: resumed.logURL.path))
    let replaced = try RunFolder.prepare(
      for: config("taken"), mode: .overwrite, baseDirectory: base)
    #expect(!FileManager.default.fileExists(atPath: replaced.logURL.path))
    #expect(FileManager.default.fileExists(atPath: replaced.configURL.path))
  }

  @Test func overwriteKeepsTheOldFolderWhenTheConfigIsInvalid() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let folder = try RunFolder.prepare(for: config("keep"), mode: .create, baseDirectory: base)
    try folder.appendLog("precious")
    var bad = config("keep")
    bad.model.heads = 3
    #expect(throws: ConfigError.self) {
      try RunFolder.prepare(for: bad, mode: .overwrite, baseDirectory: base)
    }
    #expect(try String(contentsOf: folder.logURL, encoding: .utf8) == "precious\n")
  }

  @Test func resumeNeedsAnExistingFolderAndNamesMustBeFolderNames() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    #expect(throws: RunFolderError.self) {
      try RunFolder.prepare(for: config("ghost"), mode: .resume, baseDirectory: base)
    }
    #expect(throws: (any Error).self) {
      try RunFolder.prepare(for: config("../escape"), mode: .create, baseDirectory: base)
    }
    #expect(throws: RunFolderError.invalidName(name: "")) {
      try RunFolder.prepare(for: config(""), mode: .create, baseDirectory: base)
    }
  }

  @Test func logAppendsLines() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let folder = try RunFolder.prepare(for: config("log"), mode: .create, baseDirectory: base)
    try folder.appendLog("step 1")
    try folder.appendLog("step 2\n")
    #expect(try String(contentsOf: folder.logURL, encoding: .utf8) == "step 1\nstep 2\n")
  }

  @Test func summaryRoundTripsWithNonFiniteMetrics() throws {
    defer { try? FileManager.default.removeItem(at: base) }
    let folder = try RunFolder.prepare(for: config("sum"), mode: .create, baseDirectory: base)
    #expect(try folder.readSummary() == nil)
    let summary = RunSummary(
      status: .diverged, step: 12, wallTimeSeconds: 3.5,
      finalMetrics: ["train_loss": .infinity, "lr": 1e-3], error: "loss is inf at step 12")
    try folder.writeSummary(summary)
    #expect(try folder.readSummary() == summary)
    let text = try String(contentsOf: folder.summaryURL, encoding: .utf8)
    #expect(text.contains(#""status" : "diverged""#) && text.contains(#""wall_time_s" : 3.5"#))
    #expect(text.contains(#""train_loss" : "inf""#))
  }
}
