/// The column being reduced, as a binary min-heap of packed filtration keys over Z/2.
///
/// Keys added twice cancel, lazily: equal keys are removed in pairs only when they reach the
/// top, so adding a column costs its pushes and nothing is merged eagerly (Ripser's scheme).
/// The top, after cancellation, is the pivot: the smallest diameter, ties to the largest index.
///
/// The storage is a manually grown buffer (no Array uniqueness checks in the hot loop).
final class WorkingColumn {
  private(set) var storage: UnsafeMutablePointer<UInt64>
  private var capacity: Int
  private(set) var count = 0

  init(capacity: Int) {
    self.capacity = max(16, capacity)
    storage = .allocate(capacity: self.capacity)
  }

  deinit { storage.deallocate() }

  func removeAll() { count = 0 }

  /// Makes room for `extra` more keys; the caller may then write at `storage + count` and call
  /// `didAppend`.
  @inline(__always) func reserve(_ extra: Int) {
    if count + extra > capacity { grow(count + extra) }
  }

  private func grow(_ needed: Int) {
    let newCapacity = max(needed, 2 * capacity)
    let newStorage = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
    newStorage.update(from: storage, count: count)
    storage.deallocate()
    storage = newStorage
    capacity = newCapacity
  }

  /// Turns `storage[0..<appended]` (just written, heap empty before) into a heap. O(k).
  func heapify(count appended: Int) {
    count = appended
    var i = count / 2 - 1
    while i >= 0 {
      siftDown(i)
      i -= 1
    }
  }

  /// Pushes the `appended` keys written at `storage + count`. O(k log size), O(k) on average.
  @inline(__always) func pushAppended(_ appended: Int) {
    let end = count + appended
    while count < end {
      siftUp(count)
      count += 1
    }
  }

  /// The pivot after cancelling equal keys at the top, left in place; `nil` if the column is
  /// zero.
  func pivot() -> UInt64? {
    let h = storage
    while count > 0 {
      let top = h[0]
      // An equal key, if any, is a child of the root (every ancestor of it equals the root).
      if (count > 1 && h[1] == top) || (count > 2 && h[2] == top) {
        popTop()
        popTop()
      } else {
        return top
      }
    }
    return nil
  }

  @inline(__always) private func popTop() {
    count -= 1
    if count > 0 {
      storage[0] = storage[count]
      siftDown(0)
    }
  }

  @inline(__always) private func siftUp(_ start: Int) {
    let h = storage
    var i = start
    let x = h[i]
    while i > 0 {
      let parent = (i - 1) >> 1
      let p = h[parent]
      if p <= x { break }
      h[i] = p
      i = parent
    }
    h[i] = x
  }

  @inline(__always) private func siftDown(_ start: Int) {
    let h = storage
    let n = count
    var i = start
    let x = h[i]
    while true {
      var child = 2 * i + 1
      if child >= n { break }
      if child + 1 < n && h[child + 1] < h[child] { child += 1 }
      let c = h[child]
      if x <= c { break }
      h[i] = c
      i = child
    }
    h[i] = x
  }
}

/// Triangle index → column slot, open addressing with linear probing (keys are never removed).
struct PivotMap {
  private static let empty = UInt32.max
  private var keys: [UInt32]
  private var values: [Int32]
  private let mask: Int

  /// A map with room for `capacity` entries at load factor ≤ ½.
  init(capacity: Int) {
    var size = 16
    while size < 2 * capacity { size <<= 1 }
    keys = [UInt32](repeating: Self.empty, count: size)
    values = [Int32](repeating: -1, count: size)
    mask = size - 1
  }

  @inline(__always) private func slot(_ key: UInt32) -> Int {
    Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
  }

  /// The column whose pivot is triangle `key`, or -1.
  @inline(__always) func value(_ key: UInt32) -> Int32 {
    keys.withUnsafeBufferPointer { keys in
      var s = slot(key)
      while true {
        let k = keys[s]
        if k == key { return values[s] }
        if k == Self.empty { return -1 }
        s = (s + 1) & mask
      }
    }
  }

  /// Records that triangle `key` (not present) is the pivot of column `value`.
  @inline(__always) mutating func insert(_ key: UInt32, _ value: Int32) {
    var s = slot(key)
    while keys[s] != Self.empty { s = (s + 1) & mask }
    keys[s] = key
    values[s] = value
  }
}
