import Foundation

/// A 64-byte-aligned block of Float32 owned by one or more tensors.
///
/// Blocks are recycled through a size-keyed pool: a training step allocates the same sizes every
/// step, and reusing them avoids page faults and zeroing by the allocator. A block returns to the
/// pool when its last tensor is released.
public final class TensorStorage: @unchecked Sendable {
  public let pointer: UnsafeMutablePointer<Float>
  public let count: Int

  /// Uninitialized storage for `count` floats (contents are whatever the pooled block held).
  public init(uninitializedCount count: Int) {
    self.count = count
    pointer = StoragePool.shared.take(count)
  }

  deinit {
    StoragePool.shared.give(pointer, count)
  }
}

/// Free lists of released blocks, keyed by element count, bounded in total bytes.
final class StoragePool: @unchecked Sendable {
  static let shared = StoragePool()

  private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
  private var pooledBytes = 0
  private let maxPooledBytes = 1 << 30
  private let lock = NSLock()

  func take(_ count: Int) -> UnsafeMutablePointer<Float> {
    let n = max(count, 1)
    lock.lock()
    if let p = free[n]?.popLast() {
      pooledBytes -= n * 4
      lock.unlock()
      return p
    }
    lock.unlock()
    let raw = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64)
    return raw.bindMemory(to: Float.self, capacity: n)
  }

  func give(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
    let n = max(count, 1)
    lock.lock()
    if pooledBytes + n * 4 <= maxPooledBytes {
      free[n, default: []].append(p)
      pooledBytes += n * 4
      lock.unlock()
    } else {
      lock.unlock()
      UnsafeMutableRawPointer(p).deallocate()
    }
  }

  /// Releases every pooled block to the system.
  func drain() {
    lock.lock()
    for (_, list) in free { for p in list { UnsafeMutableRawPointer(p).deallocate() } }
    free = [:]
    pooledBytes = 0
    lock.unlock()
  }
}
