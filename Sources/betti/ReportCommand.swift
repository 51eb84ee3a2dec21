import Foundation
import Lab

/// `betti report RUN`: writes `RUN/report.html`, one self-contained page of the run's curves,
/// probes and (when `betti topology` has run) persistence diagrams.
func reportCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: [], switches: [])
  guard args.positional.count == 1 else { throw UsageError("report takes one run folder") }
  let url = try writeRunReport(folder: URL(fileURLWithPath: args.positional[0]))
  Terminal.print("report written to \(url.path)")
  return 0
}
