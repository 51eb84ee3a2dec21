import Foundation
import Testing

@testable import Autodiff

/// Nested parallel regions: every index once however the threads share them, and the pieces of
/// a nested region taken by a thread that would otherwise wait.
struct WorkerPoolTests {
  @Test func nestedRegionsVisitEveryIndexOnce() {
    for count in [0, 1, 2, 3, 17, 64] {
      for _ in 0..<200 {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 2 * max(count, 1))
        hits.initialize(repeating: 0, count: 2 * max(count, 1))
        defer { hits.deallocate() }
        Parallel.forEach(2, threads: 2) { outer in
          WorkerPool.shared.run(pieces: count) { hits[outer * count + $0] += 1 }
        }
        #expect((0..<2 * count).allSatisfy { hits[$0] == 1 }, "count=\(count)")
      }
    }
  }

  @Test func regionsNestedTwiceRunEveryIndexOnce() {
    let hits = UnsafeMutablePointer<Int>.allocate(capacity: 2 * 3 * 5)
    hits.initialize(repeating: 0, count: 2 * 3 * 5)
    defer { hits.deallocate() }
    Parallel.forEach(2, threads: 2) { a in
      WorkerPool.shared.run(pieces: 3) { b in
        WorkerPool.shared.run(pieces: 5) { c in hits[(a * 3 + b) * 5 + c] += 1 }
      }
    }
    #expect((0..<30).allSatisfy { hits[$0] == 1 })
  }

  @Test func aThreadWithNothingLeftHelpsWithANestedRegion() throws {
    try #require(WorkerPool.shared.workerCount > 0, "needs at least two processors")
    // Other tests use the pool at the same time, so a try counts only when the outer region
    // really ran on two threads (else it ran inline, and its nested region opened an outer job
    // of its own); it may still find the nested slot taken, so the test tries again.
    var helped = false
    for _ in 0..<50 where !helped {
      let outerThreads = Locked([ObjectIdentifier?](repeating: nil, count: 2))
      let nestedThreads = Locked(Set<ObjectIdentifier>())
      Parallel.forEach(2, threads: 2) { outer in
        outerThreads.withLock { $0[outer] = ObjectIdentifier(Thread.current) }
        // Piece 0 ends at once; piece 1's nested pieces take about 50 ms in all, long enough
        // for the other thread to join them.
        guard outer == 1 else { return }
        WorkerPool.shared.run(pieces: 50) { _ in
          nestedThreads.withLock { _ = $0.insert(ObjectIdentifier(Thread.current)) }
          usleep(1000)
        }
      }
      let ran = outerThreads.value
      if ran[0] != ran[1] && nestedThreads.value.count >= 2 { helped = true }
    }
    #expect(helped)
  }
}
