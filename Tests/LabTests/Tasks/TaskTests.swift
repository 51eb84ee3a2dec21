import Autodiff
import Foundation
import Testing

@testable import Lab

/// Shapes, determinism from the seed, and correct targets of every task generator, each
/// checked against a brute-force reconstruction in the test.
struct TaskTests {
  func draw(_ task: some SequenceTask, _ split: DataSplit = .train, size: Int = 8, seed: UInt64 = 1)
    -> Batch
  {
    var random = SeededRandom(seed: seed, stream: "data")
    return task.batch(split, size: size, using: &random)
  }

  func checkShape(_ batch: Batch, _ task: some SequenceTask, size: Int) {
    #expect(batch.size == size && batch.length == task.sequenceLength)
    #expect(batch.inputs.count == size * task.sequenceLength)
    #expect(batch.inputs.allSatisfy { $0 >= 0 && Int($0) < task.vocabularySize })
    #expect(batch.targets.allSatisfy { $0 >= 0 && Int($0) < task.vocabularySize })
  }

  /// Targets are the inputs shifted by one: input i+1 equals target i.
  func checkShifted(_ batch: Batch) {
    for row in 0..<batch.size {
      let inputs = Array(batch.inputRow(row))
      let targets = Array(batch.targetRow(row))
      #expect(Array(inputs.dropFirst()) == Array(targets.dropLast()))
    }
  }

  // MARK: char

  @Test func charVocabularyIsSortedDistinctScalarsAndSplitIsInFileOrder() throws {
    let text = String(repeating: "hello, wörld! ", count: 20)  // 280 scalars
    let task = try CharTask(text: text, context: 8, valFraction: 0.25)
    #expect(task.alphabet == Array(Set(text.unicodeScalars)).sorted { $0.value < $1.value })
    #expect(task.train.count == 210 && task.validation.count == 70)
    #expect(task.decode(task.train + task.validation) == text)
    #expect(
      task.decode(task.validation)
        == String(String.UnicodeScalarView(Array(text.unicodeScalars)[210...])))
  }

  @Test func charWindowsComeFromTheirSplit() throws {
    let text = (0..<400).map { String($0 % 10) }.joined()
    let task = try CharTask(text: text, context: 16, valFraction: 0.1)
    for split in DataSplit.allCases {
      let batch = draw(task, split, size: 16)
      checkShape(batch, task, size: 16)
      checkShifted(batch)
      let source = task.decode(split == .train ? task.train : task.validation)
      for row in 0..<batch.size {
        let window = task.decode(Array(batch.inputRow(row)) + [batch.targets[(row + 1) * 16 - 1]])
        #expect(source.contains(window))
      }
      #expect(batch.weights.allSatisfy { $0 == 1 })
    }
  }

  @Test func charRejectsATextTooShortForAWindow() {
    #expect(
      throws: TaskError.textTooShort(path: "<text>", split: "validation", characters: 5, needed: 9)
    ) { try CharTask(text: String(repeating: "ab", count: 25), context: 8, valFraction: 0.1) }
  }

  // MARK: modular

  @Test func modularSplitsArePartitionOfAllPairs() {
    for operation in ModularOperation.allCases {
      let task = ModularTask(modulus: 13, operation: operation, trainFraction: 0.3, seed: 7)
      let all = task.trainPairs + task.validationPairs
      let expectedCount = operation == .divide ? 13 * 12 : 169
      #expect(all.count == expectedCount)
      #expect(task.trainPairs.count == Int(0.3 * Double(expectedCount)))
      let keys = Set(all.map { $0.a * 100 + $0.b })
      #expect(keys.count == expectedCount)  // disjoint and covering
      if operation == .divide { #expect(all.allSatisfy { $0.b != 0 }) }
    }
  }

  @Test func modularAnswersAreRight() {
    for operation in ModularOperation.allCases {
      let task = ModularTask(modulus: 11, operation: operation, trainFraction: 0.5, seed: 3)
      let batch = task.allExamples(.validation)!
      checkShape(batch, task, size: task.validationPairs.count)
      for row in 0..<batch.size {
        let x = Array(batch.inputRow(row))
        let y = Array(batch.targetRow(row))
        #expect(x[1] == 11 && x[3] == 12 && Array(batch.weightRow(row)) == [0, 0, 0, 1])
        let (a, b, c) = (Int(x[0]), Int(x[2]), Int(y[3]))
        switch operation {
        case .add: #expect(c == (a + b) % 11)
        case .subtract: #expect((c + b) % 11 == a)
        case .multiply: #expect(c == a * b % 11)
        case .divide: #expect(c * b % 11 == a)
        }
      }
    }
  }

  @Test func modularShuffleDependsOnlyOnTheSeed() {
    let a = ModularTask(modulus: 17, operation: .add, trainFraction: 0.4, seed: 5)
    let b = ModularTask(modulus: 17, operation: .add, trainFraction: 0.4, seed: 5)
    let c = ModularTask(modulus: 17, operation: .add, trainFraction: 0.4, seed: 6)
    #expect(a.allExamples(.train) == b.allExamples(.train))
    #expect(a.allExamples(.train) != c.allExamples(.train))
    #expect(draw(a, size: 32) == draw(b, size: 32))
    #expect(a.decode([3, 17, 5, 18, 8]) == "3 + 5 = 8")
  }

  @Test func modularBatchesDrawFromTheirSplit() {
    let task = ModularTask(modulus: 7, operation: .multiply, trainFraction: 0.5, seed: 1)
    let train = Set(task.trainPairs.map { $0.a * 7 + $0.b })
    let batch = draw(task, .train, size: 64)
    for row in 0..<batch.size {
      let x = batch.inputRow(row)
      #expect(train.contains(Int(x[x.startIndex]) * 7 + Int(x[x.startIndex + 2])))
    }
  }

  // MARK: dyck

  @Test func dyckSequencesAreBalancedAndWeightedOnClosers() {
    let task = DyckTask(pairs: 3, maxDepth: 4, length: 24)
    let batch = draw(task, size: 64)
    checkShape(batch, task, size: 64)
    checkShifted(batch)
    for row in 0..<batch.size {
      #expect(batch.inputs[row * 24] == task.beginToken)
      let brackets = Array(batch.targetRow(row))
      #expect(task.isBalanced(brackets))
      var depth = 0
      for (target, weight) in zip(brackets, batch.weightRow(row)) {
        depth += target < 3 ? 1 : -1
        #expect(depth <= 4)
        #expect(weight == (target >= 3 ? 1 : 0))
      }
    }
    #expect(draw(task, size: 4, seed: 9) == draw(task, size: 4, seed: 9))
    #expect(draw(task, size: 4, seed: 9) != draw(task, size: 4, seed: 10))
  }

  @Test func dyckBalanceCheckRejectsMismatches() {
    let task = DyckTask(pairs: 2, maxDepth: 4, length: 4)
    #expect(task.isBalanced([0, 1, 3, 2]))
    #expect(!task.isBalanced([0, 1, 2, 3]))
    #expect(!task.isBalanced([0, 0, 2]))
    #expect(task.decode([4, 0, 1, 3, 2]) == "^([])")
  }

  // MARK: copy and reverse

  @Test func copyAndReverseReproduceTheInputAfterTheSeparator() {
    for reversed in [false, true] {
      let task = CopyTask(length: 6, symbols: 5, reversed: reversed)
      let batch = draw(task, size: 16)
      checkShape(batch, task, size: 16)
      checkShifted(batch)
      for row in 0..<batch.size {
        let x = Array(batch.inputRow(row))
        let y = Array(batch.targetRow(row))
        let source = Array(x[0..<6])
        #expect(x[6] == task.separator && !source.contains(task.separator))
        #expect(Array(y[6..<12]) == (reversed ? source.reversed() : source))
        #expect(
          Array(batch.weightRow(row)) == Array(repeating: 0, count: 6)
            + Array(repeating: 1, count: 6))
      }
      #expect(draw(task, size: 3, seed: 2) == draw(task, size: 3, seed: 2))
    }
  }

  // MARK: induction

  @Test func inductionRepeatEqualsTheFirstCopy() {
    let task = InductionTask(symbols: 10, minSegment: 3, maxSegment: 7)
    let batch = draw(task, size: 64)
    checkShape(batch, task, size: 64)
    checkShifted(batch)
    var lengths = Set<Int>()
    for row in 0..<batch.size {
      let weights = Array(batch.weightRow(row))
      // The weighted positions are m ..< 2m − 1 for the row's segment length m.
      let first = weights.firstIndex(of: 1)!
      let m = first
      lengths.insert(m)
      #expect((3...7).contains(m))
      #expect(weights.indices.allSatisfy { weights[$0] == (($0 >= m && $0 < 2 * m - 1) ? 1 : 0) })
      let full = Array(batch.inputRow(row)) + [batch.targets[(row + 1) * 14 - 1]]
      #expect(Array(full[m..<(2 * m)]) == Array(full[0..<m]))
      let targets = Array(batch.targetRow(row))
      for position in m..<(2 * m - 1) { #expect(targets[position] == full[position - m + 1]) }
    }
    #expect(lengths.count > 1)
    #expect(draw(task, size: 5, seed: 4) == draw(task, size: 5, seed: 4))
  }

  // MARK: shared

  @Test func accuracyCountsOnlyWeightedPositions() {
    let task = CopyTask(length: 2, symbols: 3, reversed: false)
    let batch = Batch(
      size: 1, length: 4, inputs: [0, 1, 3, 0], targets: [1, 3, 0, 1], weights: [0, 0, 1, 1])
    let result = task.accuracy(predictions: [0, 0, 0, 2], on: batch)
    #expect(result == Accuracy(correct: 1, counted: 2) && result.value == 0.5)
    #expect(argmaxRows([0, 2, 1, 5, 5, -1], vocabularySize: 3) == [1, 0])
  }

  @Test func configBuildsEachTask() throws {
    var config = Config()
    for kind in TaskKind.allCases where kind != .char {
      config.task.kind = kind
      let task = try config.makeTask()
      #expect(task.sequenceLength == config.task.requiredContext)
      #expect(task.vocabularySize == config.task.fixedVocabularySize)
    }
  }

  @Test func batchSplitKeepsOrderAndWholeSequences() {
    let batch = Batch(
      size: 5, length: 2, inputs: (0..<10).map { Int32($0) }, targets: (10..<20).map { Int32($0) },
      weights: [1, 1, 0, 1, 1, 1, 1, 0, 1, 1])
    let parts = batch.split(into: 2)
    #expect(parts.map(\.size) == [2, 3])
    #expect(parts.flatMap(\.inputs) == batch.inputs)
    #expect(parts.flatMap(\.targets) == batch.targets)
    #expect(parts.flatMap(\.weights) == batch.weights)
    #expect(parts.map(\.totalWeight) == [3, 5])
    #expect(batch.split(into: 5).allSatisfy { $0.size == 1 })
    #expect(batch.split(into: 1) == [batch])
  }
}
