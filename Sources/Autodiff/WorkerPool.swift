import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads for `Parallel.forEach` that wait for work by spinning briefly
/// before they sleep.
///
/// A training step runs hundreds of parallel regions of a few microseconds to a millisecond
/// each. Waking a sleeping thread for every region costs tens of microseconds on a virtual
/// machine (Dispatch's `concurrentPerform` pays it every time); a worker that spins for
/// `spinDuration` after its last job is still awake for the next region of the same step.
///
/// One job runs at a time: a caller that finds the pool busy (another thread's job, or a
/// `forEach` nested inside a job) runs its pieces inline instead. The caller takes pieces too,
/// and waits only for the workers that joined its job, so a late-waking worker never delays it.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

  /// How long an idle worker keeps checking for a new job before it sleeps.
  static let spinDuration: UInt64 = 200_000  // nanoseconds

  let workerCount: Int
  private let busy = NSLock()
  private let generation = Atomic<Int>(0)
  private let nextPiece = Atomic<Int>(0)
  private let closed = Atomic<Bool>(true)
  private let active = Atomic<Int>(0)
  private let sleepers = Atomic<Int>(0)
  private let wake = DispatchSemaphore(value: 0)
  // Written by the caller before it publishes a generation, read by workers after they see it.
  private var pieces = 0
  private var body: ((Int) -> Void)?

  init(workers: Int) {
    workerCount = workers
    for index in 0..<workers {
      let thread = Thread { [unowned self] in self.workerLoop() }
      thread.name = "betti.worker.\(index)"
      thread.start()
    }
  }

  /// Runs `body(p)` for every piece `p` in `0..<pieces`, on the calling thread and the workers;
  /// returns when all have finished. Inline when the pool is busy or has no workers.
  func run(pieces count: Int, _ body: (Int) -> Void) {
    guard workerCount > 0, count > 1, busy.try() else {
      for p in 0..<count { body(p) }
      return
    }
    defer { busy.unlock() }
    withoutActuallyEscaping(body) { escapable in
      self.body = escapable
      pieces = count
      nextPiece.store(0, ordering: .sequentiallyConsistent)
      closed.store(false, ordering: .sequentiallyConsistent)
      generation.add(1, ordering: .sequentiallyConsistent)
      let sleeping = sleepers.load(ordering: .sequentiallyConsistent)
      for _ in 0..<sleeping { wake.signal() }
      takePieces()
      // Every piece is taken: no worker may join from here on; wait for those that did.
      closed.store(true, ordering: .sequentiallyConsistent)
      while active.load(ordering: .sequentiallyConsistent) > 0 { spinPause() }
      self.body = nil
    }
  }

  private func takePieces() {
    while true {
      let p = nextPiece.add(1, ordering: .sequentiallyConsistent).oldValue
      guard p < pieces else { return }
      body!(p)
    }
  }

  private func workerLoop() {
    var seen = generation.load(ordering: .sequentiallyConsistent)
    while true {
      var idleSince = DispatchTime.now().uptimeNanoseconds
      while generation.load(ordering: .sequentiallyConsistent) == seen {
        spinPause()
        if DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinDuration {
          sleepers.add(1, ordering: .sequentiallyConsistent)
          if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
          sleepers.subtract(1, ordering: .sequentiallyConsistent)
          idleSince = DispatchTime.now().uptimeNanoseconds
        }
      }
      seen = generation.load(ordering: .sequentiallyConsistent)
      // Join only a job that is still open; `run` waits for every worker that joined.
      active.add(1, ordering: .sequentiallyConsistent)
      if !closed.load(ordering: .sequentiallyConsistent) { takePieces() }
      active.subtract(1, ordering: .sequentiallyConsistent)
    }
  }

  @inline(__always) private func spinPause() {
    for _ in 0..<16 { _ = generation.load(ordering: .relaxed) }
  }
}
