import Foundation
import Testing

@testable import Lab

/// What a hostile or broken client can do to the board: leave the runs folder, send other
/// methods, oversized or malformed heads, half requests, or many connections at once.
struct BoardSafetyTests {
  let fixture = BoardFixture.shared

  /// Limits small enough to reach quickly.
  var tight: BoardLimits {
    var limits = BoardLimits()
    limits.headTimeout = 2
    limits.maxConnections = 6
    return limits
  }

  @Test func traversalAttemptsAre404AndNeverTheFile() throws {
    let targets = [
      "/files/../secret.txt", "/files/..", "/files/%2e%2e/secret.txt", "/files/%2E%2E/secret.txt",
      "/files/..%2fsecret.txt", "/files/%2e%2e%2fsecret.txt", "/files/.%2e/secret.txt",
      "/files/trained/../../secret.txt", "/files/trained/%2e%2e/%2e%2e/secret.txt",
      "/files/%252e%252e/secret.txt", "/files//../secret.txt", "/files/leak",
      "/files/leakdir/secret.txt",
      "/files/.hidden", "/files/%2ehidden", "/files//etc/passwd", "/files/%2fetc%2fpasswd",
      "/files/trained/config.json%00", "/files/trained\\..\\..\\secret.txt", "/../secret.txt",
      "/..%2f..%2fsecret.txt", "/run/..", "/run/%2e%2e", "/run/leakdir",
      "/api/run/..%2fRuns%2ftrained",
      "/sweep/../Runs/sw", "/files/%zz", "http://127.0.0.1/files/../secret.txt",
    ]
    try withBoard { board throws in
      for target in targets {
        let response = try request(board.port, target)
        #expect(response.status == 404 || response.status == 400, "\(target): \(response.status)")
        #expect(!response.text.contains(BoardFixture.secret), "\(target) leaked the file")
      }
      // The same file through a link that stays inside is fine.
      #expect(try request(board.port, "/files/trained/config-link.json").status == 200)
    }
  }

  @Test func otherMethodsAre405AndChangeNothing() throws {
    let before = try listing(fixture.root)
    try withBoard { board throws in
      for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "get"] {
        let client = try RawClient(port: board.port)
        client.send(
          "\(method) /files/trained/config.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\nnope"
        )
        let response = client.response()
        #expect(response.status == 405, "\(method)")
        #expect(response.headers["allow"] == "GET, HEAD")
      }
    }
    #expect(try listing(fixture.root) == before)
  }

  @Test func unknownPathsAre404() throws {
    try withBoard { board throws in
      let targets = [
        "/nothing", "/run/", "/run/nope", "/run/sw", "/sweep/trained", "/api/run/nope",
        "/part/sweep/trained", "/files/trained/nope.txt", "/files/", "/favicon.ico", "/index.html",
      ]
      for target in targets {
        #expect(try request(board.port, target).status == 404, "\(target)")
      }
    }
  }

  @Test func oversizedAndMalformedHeadsAreRefused() throws {
    try withBoard(limits: tight) { board throws in
      let bigHeader = "Host: 127.0.0.1\r\nCookie: " + String(repeating: "c", count: 20000) + "\r\n"
      #expect(try request(board.port, "/", headers: bigHeader).status == 431)
      let manyHeaders = "Host: 127.0.0.1\r\n" + (1...100).map { "X-N\($0): \($0)\r\n" }.joined()
      #expect(try request(board.port, "/", headers: manyHeaders).status == 431)
      #expect(try request(board.port, "/" + String(repeating: "a", count: 9000)).status == 414)
      #expect(try request(board.port, "/", headers: "").status == 400)
      #expect(
        try request(board.port, "/", headers: "Host: 127.0.0.1\r\nBad Header: x\r\n").status == 400)
      // A page elsewhere reaching the board through a rebound DNS name.
      let rebound = try request(board.port, "/", headers: "Host: attacker.example\r\n")
      #expect(rebound.status == 421)
      // Garbage, not HTTP at all.
      let client = try RawClient(port: board.port)
      client.send("\u{16}\u{3}\u{1}\u{0}\u{a5}\u{1}\r\n\r\n")
      #expect(client.response().status == 400)
    }
  }

  @Test func halfSentRequestsDoNotStallOthersAndTimeOut() throws {
    try withBoard(limits: tight) { board throws in
      let stalled = try (0..<4).map { _ in try RawClient(port: board.port) }
      for (k, client) in stalled.enumerated() {
        client.send(k % 2 == 0 ? "GET / HTTP/1.1\r\nHost: 127.0" : "GE")
      }
      let started = Date()
      let page = try request(board.port, "/api/index")
      #expect(page.status == 200)
      #expect(Date().timeIntervalSince(started) < 1)
      // Each half request is answered 408 at its deadline and closed.
      for client in stalled {
        #expect(client.response().status == 408)
      }
      #expect(Date().timeIntervalSince(started) < 4)
      #expect(waitUntilIdle(board))
    }
  }

  @Test func manyConnectionsAtOnceAreBoundedInCountAndTime() throws {
    try withBoard(limits: tight) { board throws in
      // Six silent clients fill every slot: the next is refused at once, not queued.
      let silent = try (0..<6).map { _ in try RawClient(port: board.port) }
      Thread.sleep(forTimeInterval: 0.2)
      let started = Date()
      let refused = try request(board.port, "/")
      #expect(refused.status == 503)
      #expect(refused.headers["retry-after"] == "1")
      #expect(Date().timeIntervalSince(started) < 1)
      #expect(silent.map { $0.response().status } == Array(repeating: 408, count: 6))
      #expect(waitUntilIdle(board))

      // Sixty clients at once, all connected and with their requests sent before any answer
      // is read: every one is answered (200 or 503), never more than six are served together,
      // and it is all over in bounded time.
      let burst = Date()
      let clients = try (0..<60).map { _ in try RawClient(port: board.port) }
      for client in clients {
        client.send("GET /api/run/trained HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
      }
      let statuses = clients.map { $0.response().status }
      #expect(Date().timeIntervalSince(burst) < 15)
      #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
      #expect(statuses.contains(200))
      #expect(board.peakConnections <= 6)
      #expect(waitUntilIdle(board))
    }
  }

  /// Every file under `url` with its size and modification time.
  func listing(_ url: URL) throws -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: url.path)
    while let path = enumerator?.nextObject() as? String {
      let attributes = try FileManager.default.attributesOfItem(
        atPath: url.appendingPathComponent(path).path)
      result[path] = "\(attributes[.size] ?? "") \(attributes[.modificationDate] ?? "")"
    }
    return result
  }
}

/// Waits up to 3 s for the board to finish with every connection.
func waitUntilIdle(_ board: BoardServer) -> Bool {
  let deadline = Date().addingTimeInterval(3)
  while board.activeConnections > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
  return board.activeConnections == 0
}
