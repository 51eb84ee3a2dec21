import Foundation
import Testing

@testable import Lab

/// The request-head parser against RFC 9112's grammar and the board's limits, fed whole and
/// byte by byte.
struct HTTPHeadReaderTests {
  func read(_ text: String, limits: BoardLimits = BoardLimits(), byteByByte: Bool = false)
    -> HTTPHeadReader.State
  {
    var reader = HTTPHeadReader(limits: limits)
    let bytes = Array(text.utf8)
    guard byteByByte else { return reader.consume(bytes[...]) }
    for k in bytes.indices {
      let state = reader.consume(bytes[k...k])
      if state != .incomplete { return state }
    }
    return .incomplete
  }

  func status(_ state: HTTPHeadReader.State) -> HTTPStatus? {
    if case .failed(let status, _) = state { return status }
    return nil
  }

  @Test func parsesARequestWholeAndByteByByte() throws {
    let text =
      "GET /run/a%20b?since=3&x=y HTTP/1.1\r\nHost: 127.0.0.1:6007\r\nAccept:  */* \r\n\r\n"
    for byteByByte in [false, true] {
      guard case .complete(let request) = read(text, byteByByte: byteByByte) else {
        Issue.record("not parsed: \(read(text, byteByByte: byteByByte))")
        return
      }
      #expect(request.method == "GET")
      #expect(request.path == "/run/a%20b")
      #expect(request.query == ["since": "3", "x": "y"])
      #expect(request.header("host") == "127.0.0.1:6007")
      #expect(request.header("ACCEPT") == "*/*")
    }
  }

  @Test func acceptsBareLineFeedsLeadingBlankLinesAndAbsoluteForm() throws {
    guard case .complete(let a) = read("\r\nGET / HTTP/1.0\n\n") else {
      Issue.record("bare LF head refused")
      return
    }
    #expect(a.version == "HTTP/1.0" && a.target == "/")
    guard
      case .complete(let b) = read(
        "GET http://localhost:6007/files/x?y=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    else {
      Issue.record("absolute form refused")
      return
    }
    #expect(b.target == "/files/x?y=1")
  }

  @Test func waitsForTheEndOfTheHead() {
    #expect(read("GET / HTTP/1.1\r\nHost: x\r\n") == .incomplete)
    #expect(read("GET / HTT") == .incomplete)
  }

  @Test func refusesMalformedHeadsWith400() {
    let heads = [
      "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",  // two spaces
      "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
      "GET /\r\n\r\n",  // HTTP/0.9
      "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",  // not a token
      "GET * HTTP/1.1\r\nHost: x\r\n\r\n",  // not a path
      "GET /a\u{7F}b HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /é HTTP/1.1\r\nHost: x\r\n\r\n",  // not ASCII
      "GET / HTTP/1.1\r\nHost x\r\n\r\n",  // no colon
      "GET / HTTP/1.1\r\nHost : x\r\n\r\n",  // space before the colon
      "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",  // obsolete line folding
      "GET / HTTP/1.1\r\nHost: x\u{1}y\r\n\r\n",  // control character
      "GET / HTTP/1.1\r\n\r\n",  // no Host in 1.1
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET / XTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    for head in heads {
      #expect(status(read(head)) == .badRequest, "\(head.debugDescription)")
    }
    #expect(status(read("GET / HTTP/2.0\r\nHost: x\r\n\r\n")) == .versionNotSupported)
  }

  @Test func refusesALongRequestLineBeforeItEnds() {
    var limits = BoardLimits()
    limits.maxRequestLine = 100
    let long = "GET /" + String(repeating: "a", count: 200)
    #expect(status(read(long, limits: limits)) == .uriTooLong)
    #expect(status(read(long, limits: limits, byteByByte: true)) == .uriTooLong)
    let fits = "GET /" + String(repeating: "a", count: 80) + " HTTP/1.1\r\nHost: x\r\n\r\n"
    #expect(status(read(fits, limits: limits)) == nil)
  }

  @Test func refusesTooManyOrTooLargeHeaderFieldsWith431() {
    var limits = BoardLimits()
    limits.maxHeaderCount = 10
    limits.maxHeaderBytes = 1000
    let many = "GET / HTTP/1.1\r\nHost: x\r\n" + (1...10).map { "X-\($0): y\r\n" }.joined()
    #expect(status(read(many, limits: limits, byteByByte: true)) == .headersTooLarge)
    let tenInAll = "GET / HTTP/1.1\r\nHost: x\r\n" + (1...9).map { "X-\($0): y\r\n" }.joined()
    #expect(status(read(tenInAll + "\r\n", limits: limits)) == nil)
    // One endless field, refused before its end arrives.
    let big = "GET / HTTP/1.1\r\nHost: x\r\nCookie: " + String(repeating: "c", count: 2000)
    #expect(status(read(big, limits: limits)) == .headersTooLarge)
    #expect(status(read(big, limits: limits, byteByByte: true)) == .headersTooLarge)
  }

  @Test func decodesPercentEscapes() {
    #expect(PercentDecoding.string("a%20b%2Fc") == "a b/c")
    #expect(PercentDecoding.string("%e2%80%94") == "—")
    #expect(PercentDecoding.string("bad%zz") == nil)
    #expect(PercentDecoding.string("cut%2") == nil)
    #expect(PercentDecoding.string("nul%00") == nil)
    #expect(PercentDecoding.string("%ff%fe") == nil)
  }
}
