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
/// `forEach` nested inside a job) does not wait for it. The caller takes pieces too, and waits
/// only for the workers that joined its job, so a late-waking worker never delays it.
///
/// A `forEach` nested inside a job's piece opens a second, nested job when none is open (else
/// it runs inline): its caller takes its pieces in turn, and a thread with nothing else to do —
/// the outer caller waiting for the piece, or a worker that finished its own — takes the ones
/// still left. When a job's pieces are two micro-batches, one per core, the core that finishes
/// first so helps with the other's matrix products instead of spinning. Which thread runs a
/// piece never changes what it computes.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

  /// How long an idle worker keeps checking for a new job before it sleeps.
  static let spinDuration: UInt64 = 200_000  // nanoseconds

  let workerCount: Int
  private let busy = NSLock()
  private let nestedBusy = NSLock()
  private let outer = Job()
  private let nested = Job()
  private let sleepers = Atomic<Int>(0)
  private let wake = DispatchSemaphore(value: 0)

  init(workers: Int) {
    workerCount = workers
    for index in 0..<workers {
      let thread = Thread { [unowned self] in self.workerLoop() }
      thread.name = "betti.worker.\(index)"
      thread.start()
    }
  }

  /// Runs `body(p)` for every piece `p` in `0..<pieces`, on the calling thread and the workers;
  /// returns when all have finished. Inside another job's piece, a nested job that idle threads
  /// may help with; inline when both slots are taken or the pool has no workers.
  func run(pieces count: Int, _ body: (Int) -> Void) {
    guard workerCount > 0, count > 1 else {
      for p in 0..<count { body(p) }
      return
    }
    if busy.try() {
      defer { busy.unlock() }
      withoutActuallyEscaping(body) { escapable in
        outer.open(escapable, pieces: count)
        let sleeping = sleepers.load(ordering: .sequentiallyConsistent)
        for _ in 0..<sleeping { wake.signal() }
        outer.takePieces()
        outer.close { if !nested.help() { spinPause() } }
      }
    } else if nestedBusy.try() {
      defer { nestedBusy.unlock() }
      withoutActuallyEscaping(body) { escapable in
        nested.open(escapable, pieces: count)
        nested.takePieces()
        nested.close { spinPause() }
      }
    } else {
      for p in 0..<count { body(p) }
    }
  }

  private func workerLoop() {
    // The generation before any job: a thread that starts after the first job opened still
    // sees it as new. Joining a job that has already closed does nothing.
    var seen = 0
    while true {
      var idleSince = DispatchTime.now().uptimeNanoseconds
      while outer.generation.load(ordering: .sequentiallyConsistent) == seen {
        if nested.help() {
          idleSince = DispatchTime.now().uptimeNanoseconds
          continue
        }
        spinPause()
        if DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinDuration {
          sleepers.add(1, ordering: .sequentiallyConsistent)
          if outer.generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
          sleepers.subtract(1, ordering: .sequentiallyConsistent)
          idleSince = DispatchTime.now().uptimeNanoseconds
        }
      }
      seen = outer.generation.load(ordering: .sequentiallyConsistent)
      _ = outer.help()
    }
  }

  @inline(__always) private func spinPause() {
    for _ in 0..<16 { _ = sleepers.load(ordering: .relaxed) }
  }

  /// One job slot: the pieces of a body, handed out one at a time to its caller and to any
  /// thread that joins while it is open.
  private final class Job: @unchecked Sendable {
    let generation = Atomic<Int>(0)
    private let nextPiece = Atomic<Int>(0)
    private let closed = Atomic<Bool>(true)
    private let active = Atomic<Int>(0)
    private let pieces = Atomic<Int>(0)
    // Written by the caller before it opens the job, read by helpers after they see it open.
    private var body: ((Int) -> Void)?

    func open(_ body: @escaping (Int) -> Void, pieces count: Int) {
      self.body = body
      pieces.store(count, ordering: .sequentiallyConsistent)
      nextPiece.store(0, ordering: .sequentiallyConsistent)
      closed.store(false, ordering: .sequentiallyConsistent)
      generation.add(1, ordering: .sequentiallyConsistent)
    }

    func takePieces() {
      while true {
        let p = nextPiece.add(1, ordering: .sequentiallyConsistent).oldValue
        guard p < pieces.load(ordering: .sequentiallyConsistent) else { return }
        body!(p)
      }
    }

    /// Takes pieces of the open job, if there is one with pieces left; whether it did.
    func help() -> Bool {
      // A cheap look first, writing nothing: this runs in every idle thread's spin loop.
      if closed.load(ordering: .relaxed)
        || nextPiece.load(ordering: .relaxed) >= pieces.load(ordering: .relaxed)
      {
        return false
      }
      // Join before the final check, so that the caller, which closes and then waits for
      // `active` to fall to zero, either sees this thread or is seen closed by it.
      active.add(1, ordering: .sequentiallyConsistent)
      defer { active.subtract(1, ordering: .sequentiallyConsistent) }
      guard !closed.load(ordering: .sequentiallyConsistent),
        nextPiece.load(ordering: .sequentiallyConsistent)
          < pieces.load(ordering: .sequentiallyConsistent)
      else { return false }
      takePieces()
      return true
    }

    /// Every piece is taken once the caller's `takePieces` returns: no thread may join from
    /// here on. Waits for those that did, calling `wait` meanwhile.
    func close(whileWaiting wait: () -> Void) {
      closed.store(true, ordering: .sequentiallyConsistent)
      while active.load(ordering: .sequentiallyConsistent) > 0 { wait() }
      body = nil
    }
  }
}
