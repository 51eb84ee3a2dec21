import Foundation
import Testing
import Topology

@testable import Lab

/// Each test writes its input files into a folder of its own, removed when the test ends.
@Suite final class PersistenceCommandTests {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "ph-\(UUID().uuidString)")

  init() throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: folder) }

  func file(_ text: String, _ ext: String = "csv") -> String {
    let url = folder.appendingPathComponent("\(UUID().uuidString).\(ext)")
    try! text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  /// Reference: a square with side 1 and diagonal 2 (a 4-cycle): H0 bars at 1, one H1 bar
  /// [1, 2) (computed by hand; ripser.py gives the same).
  @Test func squareDiagramsAsCSVAndJSON() throws {
    let csv = "0,1,2,1\n1,0,1,2\n2,1,0,1\n1,2,1,0\n"
    let json = "[[0,1,2,1],[1,0,1,2],[2,1,0,1],[1,2,1,0]]"
    for path in [file(csv), file(json, "json")] {
      let out = try PersistenceCommand.run(path: path, options: .init())
      #expect(
        out.hasPrefix(
          "{\"h0\": [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [0.0, null]], \"h1\": [[1.0, 2.0]]"))
      #expect(try JSONSerialization.jsonObject(with: Data(out.utf8)) is [String: Any])
    }
  }

  @Test func pointCloudWithMetric() throws {
    var options = PersistenceCommand.Options()
    options.metric = .euclidean
    let out = try PersistenceCommand.run(path: file("0 0\n3 4\n"), options: options)
    #expect(out.hasPrefix("{\"h0\": [[0.0, 5.0], [0.0, null]], \"h1\": []"))
  }

  /// Every malformed input is an error that names the problem.
  @Test(arguments: [
    ("0,1\n1,0,2\n", "ragged"),
    ("0,1,2\n1,0,1\n", "square"),
    ("0,1\n2,0\n", "symmetric"),
    ("0,-1\n-1,0\n", "negative"),
    ("0,nan\nnan,0\n", "not finite"),
    ("0,x\nx,0\n", "not a number"),
    ("[[0,1],[1,\"a\"]]", "not a number"),
    ("[[0,1],[1,0]", "invalid JSON"),
    ("\n# nothing\n", "no rows"),
  ])
  func badInputIsNamed(text: String, expected: String) {
    do {
      _ = try PersistenceCommand.run(path: file(text), options: .init())
      Issue.record("accepted \(text)")
    } catch {
      #expect(error.localizedDescription.contains(expected), "\(error.localizedDescription)")
    }
  }

  @Test func missingFileAndBadThreshold() {
    #expect(throws: PersistenceInputError.self) {
      try PersistenceCommand.run(path: "/nonexistent/matrix.csv", options: .init())
    }
    var options = PersistenceCommand.Options()
    options.threshold = -1
    #expect(throws: PersistenceInputError.self) {
      try PersistenceCommand.run(path: file("0,1\n1,0\n"), options: options)
    }
  }

  /// Regularizer fields: defaults are off, bad values name the path, value and rule.
  @Test func regularizerConfigValidation() throws {
    #expect(Config().makeRegularizer() == nil)
    let json = """
      {"regularizers": {"h0_total_persistence": {"weight": 0.1, "p": 0, "layers": [7]},
        "head_diversity": {"weight": 1, "heads": [1]}, "sequences": [99], "tokens": 1}}
      """
    let config = try Config.decode(Data(json.utf8))
    let messages = config.validationIssues().map(\.message)
    #expect(messages.contains("regularizers.h0_total_persistence.p = 0.0 must be > 0"))
    #expect(
      messages.contains { $0.hasPrefix("regularizers.h0_total_persistence.layers = [7] has 7") })
    #expect(
      messages.contains { $0.hasPrefix("regularizers.head_diversity needs at least two heads") })
    #expect(messages.contains { $0.hasPrefix("regularizers.sequences = [99]") })
    #expect(messages.contains { $0.hasPrefix("regularizers.tokens = 1") })
    #expect(throws: ConfigError.self) {
      try Config.decode(Data(#"{"regularizers": {"sequences": [0.5]}}"#.utf8))
    }
    var good = Config()
    good.regularizers.h1TotalPersistence.weight = -0.01
    #expect(good.validationIssues().isEmpty)
    #expect(good.makeRegularizer()?.columns.first == "reg_loss")
  }
}
