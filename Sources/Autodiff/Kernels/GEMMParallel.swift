import Foundation

extension GEMM {
  /// Upper bound, in floats, of the op(B) block each worker packs at once (16 MiB).
  static let packedPanelLimit = 4 << 20

  /// Multi-threaded product over row blocks of C.
  ///
  /// Each worker repeatedly takes the next row block of C from a shared counter and runs the
  /// micro-kernel over that block of op(A) and over op(B), whose panels it packs once (those it
  /// cannot read in place), into its own
  /// buffer, when it takes its first block. Taking blocks one at a time, with no barrier between
  /// workers, keeps the work moving when one core is slowed by other processes (a shared packed
  /// B would need a barrier, which waits for the slowest worker). Which worker computes a block
  /// does not change its arithmetic, so the result is the same as on one thread.
  static func rowBlockedProduct<K: GEMMMicroKernel>(_ kernel: K.Type, _ p: Problem, workers: Int) {
    let panels = (p.n + K.nr - 1) / K.nr
    let maxPanels = max(1, packedPanelLimit / (p.k * K.nr))
    let group = K.rowGroup(packedA: p.packsA)
    let rowGroups = (p.m + group - 1) / group
    // At least one block per worker and none taller than `mc`; a multiple of `workers` when
    // that divides the rows evenly enough.
    let minimumBlocks = max(workers, (p.m + K.mc - 1) / K.mc)
    let blocks = min(rowGroups, (minimumBlocks + workers - 1) / workers * workers)
    var firstPanel = 0
    while firstPanel < panels {
      let panelCount = min(maxPanels, panels - firstPanel)
      let jc = firstPanel * K.nr
      let nc = min(panelCount * K.nr, p.n - jc)
      let counter = WorkCounter(limit: blocks)
      Parallel.forEach(workers, threads: workers) { _ in
        let buffer = PackingBuffers.acquire(K.self)
        defer { PackingBuffers.release(K.self, buffer) }
        let scratch = buffer + K.kc * K.nc
        // Taken with the first block: a worker that finds no block left packs nothing.
        var panelsBuffer: (pointer: UnsafeMutablePointer<Float>, count: Int)? = nil
        defer { panelsBuffer.map(PackedPanels.release) }
        while let block = counter.next() {
          if panelsBuffer == nil {
            panelsBuffer = PackedPanels.acquire(count: p.k * panelCount * K.nr)
            // k block `pc` starts at `pc·panelCount·nr`; panel `t` within it at `t·kc·nr`.
            var pc = 0
            while pc < p.k {
              let kc = min(K.kc, p.k - pc)
              packPanels(
                K.self, p, row: pc, col: jc, depth: kc, columns: nc,
                into: panelsBuffer!.pointer + pc * panelCount * K.nr)
              pc += kc
            }
          }
          let packedPanels = panelsBuffer!.pointer
          let first = block * rowGroups / blocks * group
          let last = min((block + 1) * rowGroups / blocks * group, p.m)
          var pc = 0
          while pc < p.k {
            let kc = min(K.kc, p.k - pc)
            let beta: Float = pc == 0 ? p.beta : 1
            let packedB = packedPanels + pc * panelCount * K.nr
            var ic = first
            while ic < last {
              let mc = min(K.blockRows(depth: kc, packedA: p.packsA), last - ic)
              macroKernel(
                K.self, p, rows: ic..<(ic + mc), depth: pc..<(pc + kc), beta: beta,
                columns: jc..<(jc + nc), packedB: packedB, scratch: scratch)
              ic += mc
            }
            pc += kc
          }
        }
      }
      firstPanel += panelCount
    }
  }
}

/// Hands out `0..<limit` one at a time to whichever worker asks first.
final class WorkCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var nextValue = 0
  private let limit: Int
  init(limit: Int) { self.limit = limit }

  func next() -> Int? {
    lock.withLock {
      guard nextValue < limit else { return nil }
      defer { nextValue += 1 }
      return nextValue
    }
  }
}

/// 64-byte aligned buffers for whole packed op(B) blocks, kept for reuse across calls: a request
/// takes a cached buffer that is large enough, or replaces one with a larger one, so the cache
/// settles on buffers of the largest size in use and stops allocating.
enum PackedPanels {
  private static let pool = Locked([(pointer: UnsafeMutablePointer<Float>, count: Int)]())

  static func acquire(count: Int) -> (pointer: UnsafeMutablePointer<Float>, count: Int) {
    let cached = pool.withLock { pool -> (pointer: UnsafeMutablePointer<Float>, count: Int)? in
      if let index = pool.firstIndex(where: { $0.count >= count }) {
        return pool.remove(at: index)
      }
      return pool.popLast()
    }
    if let cached {
      if cached.count >= count { return cached }
      cached.pointer.deallocate()
    }
    let raw = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
    return (raw.bindMemory(to: Float.self, capacity: count), count)
  }

  static func release(_ buffer: (pointer: UnsafeMutablePointer<Float>, count: Int)) {
    pool.withLock { $0.append(buffer) }
  }
}
