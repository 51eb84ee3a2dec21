import Foundation

/// Why a safetensors file could not be read or written. Each message names the file (or
/// `<memory>` for bytes not read from disk), what was found and what the format requires.
public enum SafetensorsError: LocalizedError, Equatable {
  /// The file is shorter than the 8-byte header length.
  case tooShort(path: String, size: Int)
  /// The header length points past the end of the file.
  case headerLengthBeyondFile(path: String, headerLength: UInt64, fileSize: Int)
  /// The header is not a JSON object (or not UTF-8).
  case headerNotJSON(path: String, detail: String)
  /// A header entry is not an object with `dtype`, `shape` and `data_offsets` of the right types.
  case malformedEntry(path: String, tensor: String, detail: String)
  /// An entry has a dtype other than `F32`.
  case unsupportedDType(path: String, tensor: String, dtype: String)
  /// `data_offsets` span a byte count different from `4 · product(shape)`.
  case sizeMismatch(path: String, tensor: String, shape: [Int], byteCount: Int)
  /// `data_offsets` are negative or decreasing.
  case invalidOffsets(path: String, tensor: String, begin: Int, end: Int)
  /// `data_offsets` run past the end of the data section.
  case truncatedData(path: String, tensor: String, end: Int, available: Int)
  /// Two tensors share bytes.
  case overlappingTensors(path: String, first: String, second: String)
  /// Bytes of the data section that no tensor covers, before the last tensor's end.
  case hole(path: String, begin: Int, end: Int)
  /// Bytes after the last tensor.
  case trailingBytes(path: String, count: Int)
  /// A tensor given for writing has `values.count` different from its shape's element count.
  case valueCountMismatch(tensor: String, shape: [Int], count: Int)
  /// The file could not be read or written.
  case io(path: String, detail: String)

  public var errorDescription: String? {
    switch self {
    case .tooShort(let path, let size):
      return
        "\(path): \(size) bytes is too short for a safetensors file, which starts with an 8-byte header length"
    case .headerLengthBeyondFile(let path, let length, let size):
      return
        "\(path): header length \(length) runs past the end of the \(size)-byte file; the file is truncated or not safetensors"
    case .headerNotJSON(let path, let detail):
      return "\(path): the header is not a JSON object (\(detail))"
    case .malformedEntry(let path, let tensor, let detail):
      return "\(path): tensor \"\(tensor)\": \(detail)"
    case .unsupportedDType(let path, let tensor, let dtype):
      return
        "\(path): tensor \"\(tensor)\" has dtype \"\(dtype)\"; only F32 is supported (convert it to float32 before loading)"
    case .sizeMismatch(let path, let tensor, let shape, let byteCount):
      let elements = shape.reduce(1, *)
      return
        "\(path): tensor \"\(tensor)\" of shape \(shape) needs \(elements * 4) bytes but its data_offsets span \(byteCount)"
    case .invalidOffsets(let path, let tensor, let begin, let end):
      return
        "\(path): tensor \"\(tensor)\" has data_offsets [\(begin), \(end)]; they must satisfy 0 ≤ begin ≤ end"
    case .truncatedData(let path, let tensor, let end, let available):
      return
        "\(path): tensor \"\(tensor)\" ends at byte \(end) of the data section but only \(available) bytes follow the header; the file is truncated"
    case .overlappingTensors(let path, let first, let second):
      return "\(path): tensors \"\(first)\" and \"\(second)\" overlap in the data section"
    case .hole(let path, let begin, let end):
      return
        "\(path): data bytes \(begin)..<\(end) belong to no tensor; the data section must have no holes"
    case .trailingBytes(let path, let count):
      return "\(path): \(count) bytes follow the last tensor; the data section must end with it"
    case .valueCountMismatch(let tensor, let shape, let count):
      return
        "tensor \"\(tensor)\" has shape \(shape) (\(shape.reduce(1, *)) elements) but \(count) values"
    case .io(let path, let detail):
      return "\(path): \(detail)"
    }
  }
}
