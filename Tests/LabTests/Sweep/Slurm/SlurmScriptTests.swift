import Foundation
import Testing

@testable import Lab

@Suite struct SlurmScriptTests {
  @Test func arraySpecsCompressRangesAndThrottle() {
    let all = SlurmArray.chunked(Array(0..<6), maxArraySize: 1001)
    #expect(all == [SlurmArray(offset: 0, taskIDs: [0, 1, 2, 3, 4, 5])])
    #expect(all[0].arraySpec(maxConcurrent: 2) == "0-5%2")
    #expect(all[0].arraySpec(maxConcurrent: nil) == "0-5")
    let subset = SlurmArray.chunked([9, 1, 5, 7, 8], maxArraySize: 1001)
    #expect(subset.map { $0.arraySpec(maxConcurrent: nil) } == ["1,5,7-9"])
  }

  /// Task ids stay below MaxArraySize: trial i goes to the array with offset 4 × (i / 4).
  @Test func chunksAtMaxArraySize() {
    let arrays = SlurmArray.chunked(Array(0..<10), maxArraySize: 4)
    #expect(arrays.map(\.offset) == [0, 4, 8])
    #expect(arrays.map { $0.arraySpec(maxConcurrent: 3) } == ["0-3%3", "0-3%3", "0-1%3"])
    #expect(arrays.flatMap(\.trialIndices) == Array(0..<10))
    // A resubmitted subset keeps each trial's task id.
    let subset = SlurmArray.chunked([2, 5, 6, 9], maxArraySize: 4)
    #expect(subset.map(\.offset) == [0, 4, 8])
    #expect(subset.map { $0.arraySpec(maxConcurrent: nil) } == ["2", "1-2", "1"])
  }

  @Test func scriptHoldsEveryOptionAndRunsTheTrialInPlace() throws {
    let runs = scratchFolder("slurm-script")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(runs: runs, name: "lr")
    let options = SlurmOptions(
      partition: "gpu", time: "00:30:00", cpusPerTask: 2, mem: "4G", maxConcurrent: 2,
      sbatchArgs: ["--account=lab", "--qos=short"])
    let script = SlurmScript(
      sweep: sweep, options: options, executable: URL(fileURLWithPath: "/opt/betti/bin/betti"),
      workingDirectory: URL(fileURLWithPath: "/home/ada/my project"))
    let folder = sweep.folder.path
    #expect(script.url.path == folder + "/slurm/array.sbatch")
    #expect(
      script.text == """
        #!/bin/bash
        # Betti sweep "lr": 6 trials, one Slurm array task each.
        # Written by `betti sweep SPEC --backend slurm`, which submits it as
        #   sbatch --parsable --array=<task ids>[%<at most at once>] array.sbatch <offset>
        # Task k runs trial <offset> + k in its own run folder under
        #   \(folder)
        # exactly as `betti sweep SPEC` does on one machine. Running that command again submits
        # only the trials not finished; `betti sweep status` and `betti sweep cancel` follow the jobs.
        #
        #SBATCH --job-name=betti-lr
        #SBATCH --output=\(folder)/slurm/logs/%A_%a.out
        #SBATCH --open-mode=append
        # Before a time limit or a preemption Slurm sends TERM: the trial writes a checkpoint,
        # marks itself interrupted and exits; a requeued or resubmitted task resumes it.
        #SBATCH --signal=B:TERM@60
        #SBATCH --requeue
        #SBATCH --partition=gpu
        #SBATCH --time=00:30:00
        #SBATCH --cpus-per-task=2
        #SBATCH --mem=4G
        #SBATCH --account=lab
        #SBATCH --qos=short

        set -euo pipefail
        cd '/home/ada/my project'
        # One thread per CPU Slurm gives the task (results do not depend on the thread count).
        export BETTI_THREADS="${SLURM_CPUS_PER_TASK:-1}"
        index=$(( ${1:?first argument: the trial offset of the array} + SLURM_ARRAY_TASK_ID ))
        echo "trial $index: job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname)"
        # exec, so that Slurm's TERM reaches betti itself rather than this shell.
        exec /opt/betti/bin/betti sweep trial \(folder)/sweep.json --index "$index"

        """)
    let array = SlurmArray(offset: 4, taskIDs: [0, 1])
    #expect(
      script.sbatchArguments(for: array, after: "17") == [
        "--parsable", "--array=0-1%2", "--dependency=afterany:17", script.url.path, "4",
      ])
  }

  /// The script run by bash as Slurm would run task 2 of an array with offset 4: it runs
  /// `betti sweep trial <sweep.json> --index 6` in the working folder with one thread per CPU.
  @Test func scriptRunsTheRightTrialUnderBash() throws {
    let runs = scratchFolder("slurm-script-bash")
    defer { try? FileManager.default.removeItem(at: runs) }
    let fakeBetti = runs.appendingPathComponent("fake betti")
    try Data("#!/bin/sh\necho \"$(pwd) $BETTI_THREADS $*\"\n".utf8).write(to: fakeBetti)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakeBetti.path)
    let sweep = try sixTrialSweep(runs: runs)
    let script = SlurmScript(
      sweep: sweep, options: SlurmOptions(cpusPerTask: 3), executable: fakeBetti,
      workingDirectory: runs)
    let file = runs.appendingPathComponent("array.sbatch")
    try Data(script.text.utf8).write(to: file)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [file.path, "4"]
    process.environment = [
      "PATH": "/usr/bin:/bin", "SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_JOB_ID": "77",
      "SLURM_CPUS_PER_TASK": "3",
    ]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("trial 6: job 77_2 on ") == true)
    #expect(lines.last == "\(runs.path) 3 sweep trial \(sweep.specURL.path) --index 6")
  }

  /// Without options the script leaves the cluster's defaults (no partition, time, … lines).
  @Test func scriptWithoutOptionsHasOnlyTheFixedLines() throws {
    let runs = scratchFolder("slurm-script-plain")
    defer { try? FileManager.default.removeItem(at: runs) }
    let script = SlurmScript(
      sweep: try sixTrialSweep(runs: runs), options: SlurmOptions(),
      executable: URL(fileURLWithPath: "/b/betti"), workingDirectory: URL(fileURLWithPath: "/w"))
    let directives = script.text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }
    #expect(
      directives.map { $0.split(separator: "=").first.map(String.init) ?? "" } == [
        "#SBATCH --job-name", "#SBATCH --output", "#SBATCH --open-mode", "#SBATCH --signal",
        "#SBATCH --requeue",
      ])
    #expect(
      script.sbatchArguments(for: SlurmArray(offset: 0, taskIDs: [0, 1, 2])) == [
        "--parsable", "--array=0-2", script.url.path, "0",
      ])
  }

  @Test func specSlurmObjectIsParsedStrictlyAndLeftOutOfSweepJSON() throws {
    let runs = scratchFolder("slurm-spec")
    defer { try? FileManager.default.removeItem(at: runs) }
    let sweep = try sixTrialSweep(
      runs: runs,
      slurm:
        #"{"partition": "cpu", "time": "1-00:00", "max_concurrent": 3, "sbatch_args": ["--account=x"]}"#
    )
    #expect(
      sweep.spec.slurm
        == SlurmOptions(
          partition: "cpu", time: "1-00:00", maxConcurrent: 3, sbatchArgs: ["--account=x"]))
    guard case .object(let stored) = sweep.spec.json else {
      Issue.record("spec json is not an object")
      return
    }
    #expect(stored["slurm"] == nil)
    // Command-line options win; sbatch arguments add up.
    let merged = sweep.spec.slurm!.merged(
      with: SlurmOptions(time: "10", maxConcurrent: 1, sbatchArgs: ["--qos=q"]))
    #expect(merged.time == "10" && merged.maxConcurrent == 1 && merged.partition == "cpu")
    #expect(merged.sbatchArgs == ["--account=x", "--qos=q"])

    for (slurm, path, words) in [
      (#"{"partion": "cpu"}"#, "slurm.partion", "unknown key"),
      (#"{"time": "30 minutes"}"#, "slurm.time", "not a Slurm time limit"),
      (#"{"cpus_per_task": 0}"#, "slurm.cpus_per_task", "at least 1"),
      (#"{"mem": "lots"}"#, "slurm.mem", "memory size"),
      (#"{"max_concurrent": "2"}"#, "slurm.max_concurrent", "must be an integer"),
      (#"{"sbatch_args": ["account=x"]}"#, "slurm.sbatch_args", "starting with '-'"),
      (#"[1]"#, "slurm", "must be an object"),
    ] {
      let error = sweepError { _ = try sixTrialSweep(runs: runs, slurm: slurm) }
      guard case .malformedSpec(_, let place, let message)? = error else {
        Issue.record("\(slurm) was accepted or gave \(String(describing: error))")
        continue
      }
      #expect(place == path)
      #expect(message.contains(words), "\(message)")
    }
  }

  @Test func slurmTimesAndMemorySizes() {
    for good in ["30", "30:00", "00:30:00", "2-12", "2-12:30", "2-12:30:00", "UNLIMITED"] {
      #expect(SlurmOptions.isSlurmTime(good), "\(good)")
    }
    for bad in ["", "1h", "1:2:3:4", "-5", "2-", "a-1", "1--2"] {
      #expect(!SlurmOptions.isSlurmTime(bad), "\(bad)")
    }
    for good in ["4096", "4G", "500M", "1t"] { #expect(SlurmOptions.isSlurmMemory(good)) }
    for bad in ["", "G", "4GB", "4.5G", "-1"] { #expect(!SlurmOptions.isSlurmMemory(bad)) }
  }
}
