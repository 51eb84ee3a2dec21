/// The edges of a Rips filtration up to a threshold, in filtration order.
///
/// Order: diameter ascending, then combinatorial index descending (Ripser's order), as packed
/// keys `diameter.bitPattern << 32 | ~index`. Edges are generated in descending index order and
/// then stably radix-sorted on the diameter bits only, which yields exactly that order.
struct FiltrationEdges {
  /// Packed keys in filtration order.
  var keys: [UInt64]
  /// The vertices of each edge, `larger << 16 | smaller`.
  var vertices: [UInt32]

  /// - Complexity: O(n²) time and space.
  init(_ distances: DistanceMatrix, threshold: Float, index: SimplexIndex) {
    let n = distances.count
    var keys = [UInt64]()
    keys.reserveCapacity(n * (n - 1) / 2)
    distances.entries.withUnsafeBufferPointer { d in
      index.choose2.withUnsafeBufferPointer { choose2 in
        var i = n - 1
        while i > 0 {
          var j = i - 1
          while j >= 0 {
            let x = d[i * n + j]
            if x <= threshold { keys.append(filtrationKey(x, choose2[i] &+ UInt32(j))) }
            j -= 1
          }
          i -= 1
        }
      }
    }
    Self.sortByDiameter(&keys)
    self.keys = keys
    vertices = keys.map { key in
      let (i, j) = index.edgeVertices(keyIndex(key))
      return UInt32(i) << 16 | UInt32(j)
    }
  }

  var count: Int { keys.count }

  /// Stable LSD radix sort on bits 32..<64 (the diameter), one byte per pass; a pass whose
  /// byte is the same for every key is skipped.
  private static func sortByDiameter(_ keys: inout [UInt64]) {
    let count = keys.count
    guard count > 1 else { return }
    var buffer = [UInt64](repeating: 0, count: count)
    var histogram = [Int](repeating: 0, count: 256)
    for shift in stride(from: UInt64(32), to: 64, by: 8) {
      let ran = keys.withUnsafeBufferPointer { source in
        buffer.withUnsafeMutableBufferPointer { target in
          histogram.withUnsafeMutableBufferPointer { h -> Bool in
            for b in 0..<256 { h[b] = 0 }
            for key in source { h[Int(truncatingIfNeeded: key >> shift) & 255] += 1 }
            if h[Int(truncatingIfNeeded: source[0] >> shift) & 255] == count { return false }
            var offset = 0
            for b in 0..<256 {
              let c = h[b]
              h[b] = offset
              offset += c
            }
            for key in source {
              let b = Int(truncatingIfNeeded: key >> shift) & 255
              target[h[b]] = key
              h[b] += 1
            }
            return true
          }
        }
      }
      if ran { swap(&keys, &buffer) }
    }
  }
}
