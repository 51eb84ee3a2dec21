import Foundation

/// One named tensor as stored in a checkpoint: a shape and its values in row-major order.
public struct StoredTensor: Sendable, Equatable {
  /// The dimensions, outermost first; `[]` is a scalar (one value).
  public var shape: [Int]
  /// `shape.reduce(1, *)` values, row-major.
  public var values: [Float]

  /// A tensor; `values.count` must equal the product of `shape` (checked when written).
  public init(shape: [Int], values: [Float]) {
    self.shape = shape
    self.values = values
  }
}

/// The contents of a safetensors file: named F32 tensors and a string-to-string metadata map.
public struct SafetensorsContents: Sendable, Equatable {
  /// Tensors by name.
  public var tensors: [String: StoredTensor]
  /// The `__metadata__` map (empty when the file has none).
  public var metadata: [String: String]

  /// Contents from tensors and metadata.
  public init(tensors: [String: StoredTensor], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }
}

/// Reading and writing the safetensors format (huggingface/safetensors), F32 only.
///
/// Layout: an 8-byte little-endian unsigned header length `n`, then `n` bytes of UTF-8 JSON,
/// then the raw little-endian data. The header written here is
/// `{"__metadata__":{…},"name":{"dtype":"F32","shape":[…],"data_offsets":[begin,end]},…}` with
/// `__metadata__` first (omitted when empty), then tensors sorted by name (byte order of their
/// UTF-8), no whitespace, padded with spaces so that `n` is a multiple of 8. The data of the
/// tensors follows in the same order with no gaps; offsets are relative to the data section.
/// PyTorch reads these files with `safetensors.torch.load_file`.
public enum Safetensors {
  /// The file bytes for `contents` (see the type's documentation for the exact layout).
  /// Throws `SafetensorsError.valueCountMismatch` when a tensor's values do not fill its shape.
  public static func encode(_ contents: SafetensorsContents) throws -> Data {
    let names = contents.tensors.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
    var entries: [String] = []
    if !contents.metadata.isEmpty {
      let keys = contents.metadata.keys.sorted {
        Array($0.utf8).lexicographicallyPrecedes($1.utf8)
      }
      let pairs = keys.map { "\(jsonString($0)):\(jsonString(contents.metadata[$0]!))" }
      entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for name in names {
      let tensor = contents.tensors[name]!
      let count = tensor.shape.reduce(1, *)
      guard count == tensor.values.count, tensor.shape.allSatisfy({ $0 >= 0 }) else {
        throw SafetensorsError.valueCountMismatch(
          tensor: name, shape: tensor.shape, count: tensor.values.count)
      }
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      let end = offset + 4 * count
      entries.append(
        "\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }

    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for name in names {
      let bits = contents.tensors[name]!.values.map { $0.bitPattern.littleEndian }
      bits.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    return data
  }

  /// Parses safetensors bytes; `path` only names the source in error messages.
  public static func decode(_ data: Data, path: String = "<memory>") throws -> SafetensorsContents {
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw SafetensorsError.tooShort(path: path, size: bytes.count) }
    var headerLength: UInt64 = 0
    for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw SafetensorsError.headerLengthBeyondFile(
        path: path, headerLength: headerLength, fileSize: bytes.count)
    }
    let dataStart = 8 + Int(headerLength)
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
    } catch {
      throw SafetensorsError.headerNotJSON(path: path, detail: error.localizedDescription)
    }
    guard let header = object as? [String: Any] else {
      throw SafetensorsError.headerNotJSON(path: path, detail: "the top level is not an object")
    }

    var metadata: [String: String] = [:]
    if let raw = header["__metadata__"] {
      guard let map = raw as? [String: Any] else {
        throw SafetensorsError.malformedEntry(
          path: path, tensor: "__metadata__", detail: "must be an object of strings")
      }
      for (key, value) in map {
        guard let string = value as? String else {
          throw SafetensorsError.malformedEntry(
            path: path, tensor: "__metadata__", detail: "value of \"\(key)\" must be a string")
        }
        metadata[key] = string
      }
    }

    let available = bytes.count - dataStart
    var spans: [(name: String, begin: Int, end: Int, shape: [Int])] = []
    // Sorted, so that a file with several problems always reports the same one.
    for name in header.keys.sorted() where name != "__metadata__" {
      spans.append(try parseEntry(name: name, raw: header[name]!, path: path, available: available))
    }
    spans.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var covered = 0
    for (index, span) in spans.enumerated() {
      if span.begin < covered {
        throw SafetensorsError.overlappingTensors(
          path: path, first: spans[index - 1].name, second: span.name)
      }
      if span.begin > covered {
        throw SafetensorsError.hole(path: path, begin: covered, end: span.begin)
      }
      covered = span.end
    }
    if available > covered {
      throw SafetensorsError.trailingBytes(path: path, count: available - covered)
    }

    var tensors: [String: StoredTensor] = [:]
    bytes.withUnsafeBytes { raw in
      for span in spans {
        let count = (span.end - span.begin) / 4
        let start = dataStart + span.begin
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
          for i in 0..<count {
            let bits = raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)
            buffer[i] = Float(bitPattern: UInt32(littleEndian: bits))
          }
          initialized = count
        }
        tensors[span.name] = StoredTensor(shape: span.shape, values: values)
      }
    }
    return SafetensorsContents(tensors: tensors, metadata: metadata)
  }

  /// Writes `contents` to `url` atomically: the bytes go to a temporary file in the same folder,
  /// which is flushed to disk and then renamed over `url`, so a reader sees the old file or the
  /// new one, never a part.
  public static func write(_ contents: SafetensorsContents, to url: URL) throws {
    let data = try encode(contents)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    do {
      guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw SafetensorsError.io(path: temporary.path, detail: "cannot create a temporary file")
      }
      let handle = try FileHandle(forWritingTo: temporary)
      defer { try? handle.close() }
      try handle.write(contentsOf: data)
      try handle.synchronize()
      if rename(temporary.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw SafetensorsError.io(path: url.path, detail: "cannot rename into place: \(reason)")
      }
    } catch let error as SafetensorsError {
      throw error
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw SafetensorsError.io(path: url.path, detail: error.localizedDescription)
    }
  }

  /// Reads and checks the safetensors file at `url`.
  public static func read(from url: URL) throws -> SafetensorsContents {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw SafetensorsError.io(path: url.path, detail: error.localizedDescription)
    }
    return try decode(data, path: url.path)
  }

  private static func parseEntry(name: String, raw: Any, path: String, available: Int) throws -> (
    name: String, begin: Int, end: Int, shape: [Int]
  ) {
    guard let entry = raw as? [String: Any] else {
      throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "must be an object")
    }
    guard let dtype = entry["dtype"] as? String else {
      throw SafetensorsError.malformedEntry(
        path: path, tensor: name, detail: "missing a string \"dtype\"")
    }
    guard dtype == "F32" else {
      throw SafetensorsError.unsupportedDType(path: path, tensor: name, dtype: dtype)
    }
    guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
      throw SafetensorsError.malformedEntry(
        path: path, tensor: name, detail: "\"shape\" must be an array of non-negative integers")
    }
    guard let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
      throw SafetensorsError.malformedEntry(
        path: path, tensor: name, detail: "\"data_offsets\" must be an array of two integers")
    }
    let (begin, end) = (offsets[0], offsets[1])
    guard begin >= 0, begin <= end else {
      throw SafetensorsError.invalidOffsets(path: path, tensor: name, begin: begin, end: end)
    }
    guard end <= available else {
      throw SafetensorsError.truncatedData(
        path: path, tensor: name, end: end, available: available)
    }
    let (elements, overflow) = shape.reduce((1, false)) { partial, dim in
      let (product, o) = partial.0.multipliedReportingOverflow(by: dim)
      return (product, partial.1 || o)
    }
    guard !overflow, elements.multipliedReportingOverflow(by: 4).partialValue == end - begin
    else {
      throw SafetensorsError.sizeMismatch(
        path: path, tensor: name, shape: shape, byteCount: end - begin)
    }
    return (name, begin, end, shape)
  }

  private static func integers(_ raw: Any?) -> [Int]? {
    guard let array = raw as? [Any] else { return nil }
    var result: [Int] = []
    for element in array {
      guard let number = element as? NSNumber, let int = Int(exactly: number.doubleValue) else {
        return nil
      }
      result.append(int)
    }
    return result
  }

  /// A JSON string literal: quotes, backslashes and control characters escaped.
  private static func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
