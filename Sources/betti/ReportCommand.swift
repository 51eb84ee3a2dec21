import Foundation
import Lab

/// `betti report FOLDER`: writes `FOLDER/report.html`, one self-contained page: for a run, its
/// curves, probes and (when `betti topology` has run) persistence diagrams; for a sweep, its
/// trials compared.
func reportCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: [], switches: [])
  guard args.positional.count == 1 else {
    throw UsageError("report takes one run folder or sweep folder")
  }
  let (kind, url) = try writeReport(folder: URL(fileURLWithPath: args.positional[0]))
  Terminal.print("\(kind.rawValue) report written to \(url.path)")
  return 0
}
