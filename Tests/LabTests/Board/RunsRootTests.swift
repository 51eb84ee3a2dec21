import Foundation
import Testing

@testable import Lab

/// URL paths become file paths only inside the runs folder: every traversal form is refused,
/// symbolic links count by where they lead.
struct RunsRootTests {
  let fixture = BoardFixture.shared

  @Test func resolvesFilesAndFoldersInside() throws {
    let root = try RunsRoot(fixture.root)
    let config = try #require(root.resolve(encoded: "trained/config.json"))
    #expect(config.lastPathComponent == "config.json")
    #expect(root.relativePath(of: config) == "trained/config.json")
    #expect(root.resolve(encoded: "/trained//config.json") == config)
    // A link that stays inside is followed.
    #expect(root.resolve(encoded: "trained/config-link.json") == config)
    #expect(root.resolve(encoded: "sw") != nil)
  }

  @Test func refusesEveryWayOut() throws {
    let root = try RunsRoot(fixture.root)
    let attempts = [
      "..", "../secret.txt", "trained/../../secret.txt", "%2e%2e/secret.txt", "%2E%2E/secret.txt",
      "..%2fsecret.txt", "%2e%2e%2fsecret.txt", "trained%2f..%2f..%2fsecret.txt", ".%2e/secret.txt",
      "%252e%252e/secret.txt", "./trained/config.json", ".hidden", "%2ehidden", "leak",
      "leakdir/secret.txt", "leakdir", "/etc/passwd", "%2fetc%2fpasswd",
      "trained/config.json%00.html", "trained/%zz", "trained\\..\\..\\secret.txt", "~/secret.txt",
      "trained/config.json/..",
    ]
    for attempt in attempts {
      #expect(root.resolve(encoded: attempt) == nil, "\(attempt) resolved")
    }
    #expect(root.resolve(segments: ["..", "secret.txt"]) == nil)
    #expect(root.resolve(segments: ["trained", "a/b"]) == nil)
  }

  @Test func refusesARootThatIsNotAFolder() {
    #expect(throws: BoardError.notAFolder(path: "/nonexistent/Runs")) {
      try RunsRoot(URL(fileURLWithPath: "/nonexistent/Runs"))
    }
    let file = fixture.root.appendingPathComponent("trained/config.json")
    #expect(throws: BoardError.notAFolder(path: file.path)) { try RunsRoot(file) }
  }

  @Test func recognizesLocalHostHeaders() {
    let local = [
      "localhost", "localhost:6007", "127.0.0.1", "127.0.0.1:80", "127.1.2.3:9", "[::1]:6007",
      "board.localhost:1",
    ]
    for host in local {
      #expect(BoardRouter.isLocal(host: host), "\(host)")
    }
    let foreign = [
      "evil.example", "127.0.0.1.evil.example", "localhost.evil", "10.0.0.1", "[::2]",
      "128.0.0.1", "127.0.0.256", "",
    ]
    for host in foreign {
      #expect(!BoardRouter.isLocal(host: host), "\(host)")
    }
  }
}
