/// Copies of one product's operands, A and B filled with the same values in every copy and C
/// zeroed, taken in turn: when the copies span more bytes than the caches hold, each call finds
/// its operands in memory rather than in a cache.
final class OperandRing {
  /// Sets held: enough that together they span at least `span` bytes, and at least one.
  let copies: Int
  private let aCount: Int
  private let bCount: Int
  private let cCount: Int
  private let a: UnsafeMutablePointer<Float>
  private let b: UnsafeMutablePointer<Float>
  private let c: UnsafeMutablePointer<Float>

  init(a values: [Float], b bValues: [Float], cCount: Int, span: Int) {
    (aCount, bCount, self.cCount) = (values.count, bValues.count, cCount)
    let bytes = max(1, (aCount + bCount + cCount) * MemoryLayout<Float>.stride)
    copies = max(1, (span + bytes - 1) / bytes)
    a = .allocate(capacity: copies * aCount)
    b = .allocate(capacity: copies * bCount)
    c = .allocate(capacity: copies * cCount)
    for i in 0..<copies {
      (a + i * aCount).initialize(from: values, count: aCount)
      (b + i * bCount).initialize(from: bValues, count: bCount)
      (c + i * cCount).initialize(repeating: 0, count: cCount)
    }
  }

  deinit {
    a.deallocate()
    b.deallocate()
    c.deallocate()
  }

  /// The operands of call `turn`: set `turn mod copies`.
  func operands(_ turn: Int) -> (
    a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
  ) {
    let i = turn % copies
    return (UnsafePointer(a + i * aCount), UnsafePointer(b + i * bCount), c + i * cCount)
  }
}
