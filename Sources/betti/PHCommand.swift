import Foundation
import Lab

/// `betti ph FILE [--threshold T] [--metric euclidean|cosine|jensen-shannon] [--base 2|e]`:
/// H0/H1 diagrams of a distance matrix (or of a point cloud with a metric) as JSON.
func phCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: ["threshold", "metric", "base"], switches: [])
  guard args.positional.count == 1 else { throw UsageError("ph takes one CSV or JSON file") }
  var options = PersistenceCommand.Options()
  if args.options["threshold"] != nil {
    options.threshold = Float(try args.number("threshold", default: 0))
  }
  if let metric = args.options["metric"] {
    guard let parsed = PointMetric(rawValue: metric) else {
      throw UsageError(
        "--metric must be one of \(PointMetric.allCases.map(\.rawValue).joined(separator: ", ")), not \(metric)"
      )
    }
    options.metric = parsed
  }
  switch args.options["base"] {
  case nil, "2": options.base = 2
  case "e": options.base = M_E
  case let other?: throw UsageError("--base must be 2 or e, not \(other)")
  }
  Terminal.print(try PersistenceCommand.run(path: args.positional[0], options: options))
  return 0
}
