import Autodiff
import Foundation

/// Why a task's data could not be prepared.
public enum TaskError: LocalizedError, Equatable {
  /// The text file could not be read.
  case unreadable(path: String, detail: String)
  /// The file is not valid UTF-8.
  case notUTF8(path: String)
  /// A split has fewer characters than one training window needs.
  case textTooShort(path: String, split: String, characters: Int, needed: Int)

  public var errorDescription: String? {
    switch self {
    case .unreadable(let path, let detail):
      return "task.path = \"\(path)\" cannot be read: \(detail)"
    case .notUTF8(let path):
      return "task.path = \"\(path)\" is not UTF-8 text; convert it (e.g. with iconv) first"
    case .textTooShort(let path, let split, let characters, let needed):
      return
        "task.path = \"\(path)\": the \(split) split has \(characters) characters but a window of model.context + 1 needs \(needed); use a longer file, a smaller model.context or another task.val_fraction"
    }
  }
}

/// Character-level language modelling of a UTF-8 text, as nanoGPT's `shakespeare_char`.
///
/// A character is a Unicode scalar (a Python `str` character). The vocabulary is the sorted
/// distinct scalars of the whole file; the first `⌊n·(1 − valFraction)⌋` characters train, the
/// rest validate, in file order. A sequence is a window of `context + 1` characters starting
/// uniformly at random in its split; the loss counts at every position.
public struct CharTask: SequenceTask {
  /// The vocabulary: token `i` is `alphabet[i]`.
  public let alphabet: [Unicode.Scalar]
  /// The training characters as tokens.
  public let train: [Int32]
  /// The validation characters as tokens.
  public let validation: [Int32]
  public let sequenceLength: Int

  public var vocabularySize: Int { alphabet.count }

  /// A task over `text`; `source` names it in errors. Throws `TaskError.textTooShort` when a
  /// split cannot hold one window of `context + 1` characters.
  public init(text: String, context: Int, valFraction: Double, source: String = "<text>") throws {
    let scalars = Array(text.unicodeScalars)
    alphabet = Array(Set(scalars)).sorted { $0.value < $1.value }
    var index: [UInt32: Int32] = [:]
    for (i, scalar) in alphabet.enumerated() { index[scalar.value] = Int32(i) }
    let tokens = scalars.map { index[$0.value]! }
    let boundary = Int((Double(tokens.count) * (1 - valFraction)).rounded(.down))
    train = Array(tokens[..<boundary])
    validation = Array(tokens[boundary...])
    sequenceLength = context
    for (split, part) in [("train", train), ("validation", validation)]
    where part.count < context + 1 {
      throw TaskError.textTooShort(
        path: source, split: split, characters: part.count, needed: context + 1)
    }
  }

  /// A task over the UTF-8 file at `url`.
  public init(contentsOf url: URL, context: Int, valFraction: Double) throws {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw TaskError.unreadable(path: url.path, detail: error.localizedDescription)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw TaskError.notUTF8(path: url.path)
    }
    try self.init(text: text, context: context, valFraction: valFraction, source: url.path)
  }

  public func decode(_ tokens: [Int32]) -> String {
    var text = ""
    for token in tokens where token >= 0 && Int(token) < alphabet.count {
      text.unicodeScalars.append(alphabet[Int(token)])
    }
    return text
  }

  /// Tokens for `text`; nil if it has a character outside the vocabulary.
  public func encode(_ text: String) -> [Int32]? {
    var tokens: [Int32] = []
    for scalar in text.unicodeScalars {
      guard let i = alphabet.firstIndex(of: scalar) else { return nil }
      tokens.append(Int32(i))
    }
    return tokens
  }

  public func batch(_ split: DataSplit, size: Int, using random: inout SeededRandom) -> Batch {
    let data = split == .train ? train : validation
    let length = sequenceLength
    let weights = [Float](repeating: 1, count: length)
    return generatedBatch(size: size, length: length, random: &random) { random in
      let start = random.nextInt(below: data.count - length)
      return (Array(data[start...(start + length)]), weights)
    }
  }
}
