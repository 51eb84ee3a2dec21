import Testing

@testable import Topology

/// The lazily cancelling heap and the pivot map against a Set over Z/2 and a Dictionary.
struct WorkingColumnTests {
  @Test(arguments: 0..<10)
  func pivotIsMinimumOfSymmetricDifference(seed: Int) {
    var rng = SeededGenerator(seed: UInt64(seed))
    let column = WorkingColumn(capacity: 4)
    var reference = Set<UInt64>()
    let initial = (0..<(seed * 3)).map { _ in UInt64.random(in: 0..<40, using: &rng) }
    let unique = Array(Set(initial))  // a coboundary has distinct keys
    column.reserve(unique.count)
    for (t, key) in unique.enumerated() { column.storage[t] = key }
    column.heapify(count: unique.count)
    reference = Set(unique)
    for _ in 0..<20 {
      let block = Array(Set((0..<15).map { _ in UInt64.random(in: 0..<40, using: &rng) }))
      column.reserve(block.count)
      for (t, key) in block.enumerated() { column.storage[column.count + t] = key }
      column.pushAppended(block.count)
      reference.formSymmetricDifference(block)
      #expect(column.pivot() == reference.min())
    }
  }

  @Test func pivotMapStoresAndFinds() {
    var map = PivotMap(capacity: 100)
    var reference: [UInt32: Int32] = [:]
    var rng = SeededGenerator(seed: 4)
    while reference.count < 100 {
      let key = UInt32.random(in: 0..<1_000_000, using: &rng)
      if reference[key] != nil { continue }
      let value = Int32(reference.count)
      map.insert(key, value)
      reference[key] = value
    }
    for (key, value) in reference { #expect(map.value(key) == value) }
    #expect(map.value(1_000_001) == -1)
  }
}
