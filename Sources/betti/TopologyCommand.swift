import Foundation
import Lab

/// `betti topology RUN [--text "…"] [--layers 0,1] [--heads 0,2] [--threshold T] [--out DIR]`
func topologyCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(
    words, valued: ["text", "layers", "heads", "threshold", "out"], switches: [])
  guard args.positional.count == 1 else { throw UsageError("topology takes one run folder") }
  func list(_ name: String) throws -> [Int]? {
    guard let text = args.options[name] else { return nil }
    return try text.split(separator: ",").map {
      guard let value = Int($0.trimmingCharacters(in: .whitespaces)) else {
        throw UsageError("--\(name) = \(text) is not a comma-separated list of integers")
      }
      return value
    }
  }
  var options = TopologyOptions()
  options.text = args.options["text"]
  options.layers = try list("layers")
  options.heads = try list("heads")
  if args.options["threshold"] != nil {
    options.threshold = Float(try args.number("threshold", default: 0))
  }
  options.outDirectory = args.options["out"].map { URL(fileURLWithPath: $0) }
  let (_, directory) = try AttentionTopology.analyze(run: args.positional[0], options: options)
  Terminal.print("topology.json and pictures written to \(directory.path)")
  return 0
}
