import Foundation
import Testing

@testable import Lab

/// The board's pages and JSON over real sockets, against the fixture's runs folder.
struct BoardPagesTests {
  let fixture = BoardFixture.shared

  @Test func indexListsRunsAndSweepsWithTheirStatus() throws {
    try withBoard { board throws in
      let page = try request(board.port, "/")
      #expect(page.status == 200)
      #expect(page.headers["content-type"] == "text/html; charset=utf-8")
      #expect(page.headers["connection"] == "close")
      #expect(page.headers["content-length"] == String(page.body.count))
      #expect(page.text.contains("<script src=\"/board.js\"></script>"))
      let json = try jsonObject(try request(board.port, "/api/index"))
      let runs = try #require(json["runs"] as? [[String: Any]])
      let byPath = Dictionary(uniqueKeysWithValues: runs.map { ($0["path"] as! String, $0) })
      #expect(Set(byPath.keys) == ["trained", "live"])
      #expect(byPath["trained"]?["status"] as? String == "completed")
      #expect(byPath["trained"]?["step"] as? Int == 8)
      // No summary yet: running, at the last metrics row's step.
      #expect(byPath["live"]?["status"] as? String == "running")
      #expect(byPath["live"]?["step"] as? Int == 4)
      #expect(byPath["live"]?["total_steps"] as? Int == 100)
      let sweeps = try #require(json["sweeps"] as? [[String: Any]])
      #expect(sweeps.count == 1)
      #expect(sweeps.first?["trials"] as? Int == 2)
      #expect(sweeps.first?["counts"] as? [String: Int] == ["completed": 1, "pending": 1])
      let part = try request(board.port, "/part/index")
      for link in ["href=\"/run/trained\"", "href=\"/run/live\"", "href=\"/sweep/sw\""] {
        #expect(page.text.contains(link) && part.text.contains(link), "\(link)")
      }
      #expect(part.text.contains("status-completed") && part.text.contains("status-running"))
    }
  }

  @Test func runPageAndItsFeed() throws {
    try withBoard { board throws in
      let page = try request(board.port, "/run/trained")
      #expect(page.status == 200)
      #expect(page.text.contains("data-feed=\"/api/run/trained\""))
      #expect(page.text.contains("href=\"/files/trained/report.html\""))
      #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)

      let feed = try request(board.port, "/api/run/trained")
      #expect(feed.status == 200 && feed.headers["cache-control"] == "no-store")
      let json = try jsonObject(feed)
      let metrics = try #require(json["metrics"] as? [[String: Any]])
      let expected = try MetricsWriter.readJSONL(
        fixture.root.appendingPathComponent("trained/metrics.jsonl"))
      #expect(metrics.map { $0["step"] as? Int } == expected.map(\.step))
      #expect((json["probes"] as? [Any])?.isEmpty == false)
      #expect((json["run"] as? [String: Any])?["status"] as? String == "completed")
      #expect(json["report"] as? Bool == true)
      #expect(json["more"] as? Bool == false)
      let next = try #require(json["next"] as? [String: Int])
      #expect(next["metrics"] == expected.last?.step)

      // From a step on: only the rows at or after it.
      let later = try jsonObject(
        try request(board.port, "/api/run/trained?metrics_since=6&probes_since=99"))
      let laterSteps = (later["metrics"] as? [[String: Any]])?.compactMap { $0["step"] as? Int }
      #expect(laterSteps == expected.map(\.step).filter { $0 >= 6 })
      #expect((later["probes"] as? [Any])?.isEmpty == true)
      #expect((later["next"] as? [String: Int])?["probes"] == 99)

      for bad in ["since=-1", "since=abc", "metrics_since=1e3", "since="] {
        #expect(try request(board.port, "/api/run/trained?\(bad)").status == 400, "\(bad)")
      }
    }
  }

  @Test func sweepPageShowsTheTrialTable() throws {
    try withBoard { board throws in
      let page = try request(board.port, "/sweep/sw")
      #expect(page.status == 200)
      #expect(page.text.contains("data-refresh=\"/part/sweep/sw\""))
      let part = try request(board.port, "/part/sweep/sw")
      let spec = try Sweep.open(folder: fixture.root.appendingPathComponent("sw"))
      for trial in spec.trials {
        #expect(part.text.contains(trial.name))
      }
      // The trained trial links to its live page; the pending one has no folder to link.
      #expect(part.text.contains("href=\"/run/sw/\(spec.trials[0].name)\""))
      #expect(!part.text.contains("href=\"/run/sw/\(spec.trials[1].name)\""))
      #expect(part.text.contains("status-completed") && part.text.contains("status-pending"))
      #expect(part.text.contains("<th>optimizer.lr</th>"))
      // A trial is an ordinary run.
      #expect(try request(board.port, "/run/sw/\(spec.trials[0].name)").status == 200)
    }
  }

  @Test func servesFilesUnderTheRootByteForByte() throws {
    try withBoard { board throws in
      let report = try request(board.port, "/files/trained/report.html")
      #expect(report.status == 200)
      #expect(report.headers["content-type"] == "text/html; charset=utf-8")
      #expect(report.headers["content-security-policy"] == BoardRouter.filePolicy)
      let bytes = try Data(contentsOf: fixture.root.appendingPathComponent("trained/report.html"))
      #expect(report.body == bytes)
      let csv = try request(board.port, "/files/trained/metrics.csv")
      #expect(csv.headers["content-type"] == "text/csv; charset=utf-8")
      // HEAD: the same head, no body.
      let head = try request(board.port, "/files/trained/report.html", method: "HEAD")
      #expect(head.status == 200 && head.body.isEmpty)
      #expect(head.headers["content-length"] == String(bytes.count))
      // A folder is not a file.
      #expect(try request(board.port, "/files/trained").status == 404)
    }
  }

  @Test func scriptIsServed() throws {
    try withBoard { board throws in
      let script = try request(board.port, "/board.js")
      #expect(script.status == 200)
      #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
      #expect(script.text.hasPrefix("const PALETTE = [\"#1f77b4\""))
      #expect(script.text.contains("function chart(spec)"))
    }
  }
}
