import Dispatch
import Foundation

/// A small parallel-for over a pool of spinning worker threads (`WorkerPool`).
///
/// Work is split by the caller into `count` independent pieces; `forEach` runs them on up to
/// `threads` workers. Each piece must compute its outputs with the same arithmetic whatever the
/// thread count (split over outputs, never over a reduction), so results are bit-identical for 1
/// and for N threads.
public enum Parallel {
  private static let state = Locked(defaultThreadCount())

  /// The default number of workers: the active processor count, or the `BETTI_THREADS`
  /// environment variable when it holds a positive integer. Settable; values below 1 become 1.
  public static var threadCount: Int {
    get { state.value }
    set { state.value = max(1, newValue) }
  }

  /// Runs `body(i)` for every `i` in `0..<count`, on up to `threads` workers
  /// (default `threadCount`), each taking at least `grain` indices.
  ///
  /// Runs inline, in order, on the calling thread when `count <= 1`, `count < 2·grain` (too
  /// little work to be worth waking a second core) or only one worker is allowed. Otherwise the
  /// indices are dealt out in contiguous chunks, one per worker, run by `WorkerPool`'s threads
  /// and the caller, and the call returns when all have finished. `body` must not write to memory
  /// another index writes. Pieces run without the caller's tape state (`withoutGradients`, the
  /// leaf-gradient sink of a backward pass): a loop whose pieces run tensor ops uses
  /// `forEachCarryingTapeState`.
  public static func forEach(
    _ count: Int, threads: Int? = nil, grain: Int = 1, _ body: (Int) -> Void
  ) {
    guard count > 0 else { return }
    let workers = min(count / max(grain, 1), max(1, threads ?? threadCount))
    if workers <= 1 {
      for i in 0..<count { body(i) }
      return
    }
    WorkerPool.shared.run(pieces: workers) { piece in
      // Contiguous chunks: piece w is [w*count/workers, (w+1)*count/workers).
      for i in (piece * count / workers)..<((piece + 1) * count / workers) { body(i) }
    }
  }

  /// `forEach` whose every index runs under the calling thread's tape state (see `TapeContext`),
  /// for pieces that record ops and run backward passes, such as one micro-batch each. Plain
  /// `forEach` does not bind it: doing so in every op's loop cost about 2.5% of a training step.
  public static func forEachCarryingTapeState(
    _ count: Int, threads: Int? = nil, _ body: (Int) -> Void
  ) {
    let context = TapeContext.current
    forEach(count, threads: threads) { i in context.run { body(i) } }
  }

  private static func defaultThreadCount() -> Int {
    if let text = ProcessInfo.processInfo.environment["BETTI_THREADS"], let n = Int(text), n > 0 {
      return n
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
  }
}

/// Carries a non-Sendable value into concurrent code whose safety the caller guarantees.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
  @usableFromInline let value: Value
  @usableFromInline init(_ value: Value) { self.value = value }
}
