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

  /// A pool of its own, so that the other tests' jobs never hold its slots; it lives as long as
  /// the process, as its worker thread does.
  private static let privatePool = WorkerPool(workers: 1)

  @Test func aThreadWithNothingLeftHelpsWithANestedRegion() {
    let pool = Self.privatePool
    // Two handshakes, each waiting at most half a second, keep the scheduler from deciding the
    // outcome: outer piece 0 ends only once the other thread holds piece 1, and the first nested
    // piece ends only once a second thread has joined the nested region. A try in which the
    // worker slept through it does not count, so the test tries again.
    var helped = false
    for _ in 0..<10 where !helped {
      let outerThreads = Locked([ObjectIdentifier?](repeating: nil, count: 2))
      let nestedThreads = Locked(Set<ObjectIdentifier>())
      pool.run(pieces: 2) { outer in
        outerThreads.withLock { $0[outer] = ObjectIdentifier(Thread.current) }
        guard outer == 1 else {
          waitUntil { outerThreads.value[1] != nil }
          return
        }
        pool.run(pieces: 50) { piece in
          nestedThreads.withLock { _ = $0.insert(ObjectIdentifier(Thread.current)) }
          if piece == 0 { waitUntil { nestedThreads.value.count >= 2 } }
        }
      }
      let ran = outerThreads.value
      helped = ran[0] != ran[1] && nestedThreads.value.count >= 2
    }
    #expect(helped)
  }

  private func waitUntil(_ condition: () -> Bool) {
    let deadline = Date().addingTimeInterval(0.5)
    while !condition() && Date() < deadline { usleep(100) }
  }
}
