import Foundation
import Lab

let usage = """
  usage: betti <command> [arguments]

  commands:
    train CONFIG [--set a.b=value]… [--name NAME] [--overwrite]
                          train a model; the run folder is Runs/<name>/
    resume RUN            continue an interrupted run from its latest checkpoint
    eval RUN [--split train|validation]
                          loss and accuracy of a run's latest checkpoint
    eval --config C --weights W --tokens T [--logits OUT]
                          mean next-token loss of given weights on token sequences
    sample RUN [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--seed S]
                          generate text from a trained character-level run
    schedule CONFIG       the learning rate at every step, as CSV
    ph FILE [--threshold T] [--metric euclidean|cosine|jensen-shannon] [--base 2|e]
                          H0/H1 persistence diagrams of a distance matrix or point cloud, as JSON
    topology RUN [--text TEXT] [--layers L,…] [--heads H,…] [--threshold T] [--out DIR]
                          persistent homology of a trained model's attention: JSON and SVG
    sweep SPEC [--jobs N] [--set …]   run a hyperparameter sweep, N trials at a time (resumable)
    sweep status SWEEP | sweep collect SWEEP | sweep trial SPEC --index I
    sweep SPEC --backend slurm [--partition P --time T --cpus-per-task N --mem M
          --max-concurrent K --max-array-size M --sbatch-arg ARG… --dry-run]
                          submit the unfinished trials as Slurm job arrays; sweep cancel SWEEP
    report RUN            write RUN/report.html: curves, gradient flow, attention, geometry, topology
    report SWEEP          write SWEEP/report.html: trials compared, loss by field, Spearman table
    board [RUNS_DIR] [--host H] [--port P]
                          watch runs and sweeps live in the browser (default 127.0.0.1:6007)
    bench gemm [--shapes MxKxN[xB][:NT|TN|TT],…] [--threads 1,2] [--cold]
                          GFLOPS of the matrix multiply on standard (or given) shapes
    bench gemm --config C [--set …] [--threads 1,2] [--cold]
                          the linear layers' products of one training step of C, timed
                          (--cold: each call's operands out of the caches)
    bench train [--workloads tiny,small,medium] [--steps N]
                          training tokens/s and peak memory on the reference workloads
    bench ops [--config C] [--set …] [--threads N] [--steps N]
                          the ops beside the matrix products, at one micro-batch's shapes
    bench ph              Jensen–Shannon matrices and H0/H1 of random attention
    bench regularizers    step-time overhead of the topology loss terms
  """

let commands: [String: ([String]) throws -> Int32] = [
  "train": trainCommand,
  "resume": resumeCommand,
  "eval": evalCommand,
  "schedule": scheduleCommand,
  "sample": sampleCommand,
  "ph": phCommand,
  "topology": topologyCommand,
  "sweep": sweepCommand,
  "report": reportCommand,
  "board": boardCommand,
  "bench": benchCommand,
]

let words = Array(CommandLine.arguments.dropFirst())
guard let verb = words.first, let command = commands[verb] else {
  if let verb = words.first, verb != "help" && verb != "--help" && verb != "-h" {
    Terminal.error("betti: unknown command '\(verb)'\n")
  }
  Terminal.error(usage)
  exit(words.first.map { ["help", "--help", "-h"].contains($0) } == true ? 0 : 2)
}
do {
  exit(try command(Array(words.dropFirst())))
} catch let error as UsageError {
  Terminal.endProgress()
  Terminal.error("betti \(verb): \(error.message)\n\n\(usage)")
  exit(2)
} catch {
  Terminal.endProgress()
  Terminal.error("betti \(verb): \(error.localizedDescription)")
  exit(1)
}
