import Foundation
import Lab

/// `betti bench WHAT`
func benchCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: [], switches: [])
  switch args.positional {
  default:
    throw UsageError("bench takes one of: gemm")
  }
}
