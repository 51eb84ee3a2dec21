import Foundation
import Lab

let usage = """
  usage: betti <command>

  commands:
    bench gemm    GFLOPS of the matrix multiply on standard shapes, 1 and 2 threads

  """

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data(message.utf8))
  exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments {
case ["bench", "gemm"]:
  _ = GEMMBenchmark.run { row in
    let gflops = String(format: "%7.1f", row.gflops)
    let line = "threads=\(row.threads) \(row.shape.label): \(gflops) GFLOPS\n"
    FileHandle.standardOutput.write(Data(line.utf8))
  }
default:
  fail(usage)
}
