import Foundation
import Lab

/// `betti board [RUNS_DIR] [--host H] [--port P]`: serves the runs folder (default `Runs`) as
/// live pages in the browser until stopped with Ctrl-C.
func boardCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: ["host", "port"], switches: [])
  guard args.positional.count <= 1 else { throw UsageError("board takes at most one runs folder") }
  let port = try args.integer("port", default: BoardServer.defaultPort)
  let server = try BoardServer(
    root: URL(fileURLWithPath: args.positional.first ?? "Runs"),
    host: args.options["host"] ?? "127.0.0.1", port: port)
  if !server.isLoopback {
    Terminal.error(
      "warning: the board listens on \(args.options["host"] ?? "") beyond this machine: anyone "
        + "who can reach port \(server.port) can read every file under \(server.root.url.path)")
  }
  server.start()
  Terminal.print("board of \(server.root.url.path) at \(server.url) (Ctrl-C stops it)")
  server.wait()
  return 0
}
