import Foundation
import Synchronization
import Testing

@testable import Autodiff

/// A loop opened while another thread's loop holds the pool's outer slot (as concurrent
/// trainers in one process do) becomes a nested job, and that thread helps with it once its own
/// pieces are done. With `forEachCarryingTapeState` the pieces run under the tape state of the
/// thread that opened the loop, not the helper's: a micro-batch run under a helper inside
/// `withoutGradients` recorded nothing, so its gradients were lost. (With a plain `forEach`
/// this test fails.)
@Suite struct TapeContextTests {
  @Test func piecesRunUnderTheStateOfTheLoopsCaller() {
    guard WorkerPool.shared.workerCount > 0 else { return }  // every piece runs inline
    let otherStarted = Atomic<Bool>(false)
    let release = Atomic<Bool>(false)
    let helperFinished = DispatchSemaphore(value: 0)
    let helper = Thread {
      let helperThread = Thread.current
      Tensor.withoutGradients {
        Tensor.$leafGradientSink.withValue(LeafGradients()) {
          // The helper's own loop: its piece returns once a worker holds the other piece, which
          // keeps the job open (and the helper waiting in it, helping) until released.
          Parallel.forEach(2, threads: 2) { _ in
            if Thread.current == helperThread {
              let deadline = Date().addingTimeInterval(5)
              while !otherStarted.load(ordering: .acquiring) && Date() < deadline {}
            } else {
              otherStarted.store(true, ordering: .releasing)
              while !release.load(ordering: .acquiring) {}
            }
          }
        }
      }
      helperFinished.signal()
    }
    helper.start()
    let deadline = Date().addingTimeInterval(5)
    while !otherStarted.load(ordering: .acquiring) && Date() < deadline {}
    Thread.sleep(forTimeInterval: 0.02)

    let seen = Mutex<[(recording: Bool, sinkless: Bool)]>([])
    Parallel.forEachCarryingTapeState(2, threads: 2) { _ in
      Thread.sleep(forTimeInterval: 0.05)  // long enough for the helper to take a piece
      let state = (Tensor.isRecording, Tensor.leafGradientSink == nil)
      seen.withLock { $0.append(state) }
    }
    release.store(true, ordering: .releasing)
    helperFinished.wait()

    let states = seen.withLock { $0 }
    #expect(states.count == 2)
    for state in states {
      #expect(state.recording && state.sinkless, "a piece ran under another thread's tape state")
    }
    // Whether the helper took a piece depends on the other tests sharing the pool; alone,
    // this test has it take one (and fails with a plain `forEach`).
  }
}
