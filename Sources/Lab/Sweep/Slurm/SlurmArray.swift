import Foundation

/// One Slurm job array of a submission: array task `k` runs trial `offset + k`.
///
/// Slurm only accepts task ids below the cluster's `MaxArraySize`, so a sweep with more trials
/// is split by `chunked(_:maxArraySize:)` into arrays whose offsets are multiples of it.
public struct SlurmArray: Equatable, Sendable {
  public var offset: Int
  /// The array task ids, ascending, each below `MaxArraySize`.
  public var taskIDs: [Int]

  public init(offset: Int, taskIDs: [Int]) {
    self.offset = offset
    self.taskIDs = taskIDs
  }

  /// The trial indices the array runs.
  public var trialIndices: [Int] { taskIDs.map { $0 + offset } }

  /// The `--array` value: ranges of task ids (`0-3,5,7-9`), with `%K` when at most K of them
  /// may run at once.
  public func arraySpec(maxConcurrent: Int?) -> String {
    var ranges: [String] = []
    var start = 0
    while start < taskIDs.count {
      var end = start
      while end + 1 < taskIDs.count && taskIDs[end + 1] == taskIDs[end] + 1 { end += 1 }
      ranges.append(
        start == end ? String(taskIDs[start]) : "\(taskIDs[start])-\(taskIDs[end])")
      start = end + 1
    }
    let throttle = maxConcurrent.map { "%\($0)" } ?? ""
    return ranges.joined(separator: ",") + throttle
  }

  /// The arrays that run `indices` (any order, no repeats) when task ids must stay below
  /// `maxArraySize`: trial `i` goes to the array with offset `maxArraySize × (i / maxArraySize)`,
  /// so the same trial always has the same task id. Empty input gives no arrays.
  public static func chunked(_ indices: [Int], maxArraySize: Int) -> [SlurmArray] {
    precondition(maxArraySize >= 1, "SlurmArray.chunked: maxArraySize \(maxArraySize) < 1")
    var arrays: [SlurmArray] = []
    for index in indices.sorted() {
      let offset = index - index % maxArraySize
      if arrays.last?.offset == offset {
        arrays[arrays.count - 1].taskIDs.append(index - offset)
      } else {
        arrays.append(SlurmArray(offset: offset, taskIDs: [index - offset]))
      }
    }
    return arrays
  }
}
