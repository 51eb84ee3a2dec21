import Foundation
import Testing

@testable import Transformer

/// Safetensors round trips, byte layout against a hand-written file, and every corruption.
struct SafetensorsTests {
  let sample = SafetensorsContents(
    tensors: [
      "wte.weight": StoredTensor(shape: [2, 3], values: [1, -2, 3.5, 0, .infinity, -0.25]),
      "ln_f.bias": StoredTensor(shape: [3], values: [0.1, 0.2, 0.3]),
      "scalar": StoredTensor(shape: [], values: [42]),
      "empty": StoredTensor(shape: [0, 4], values: []),
    ],
    metadata: ["format": "pt", "step": "17"])

  func temporaryURL() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "betti-safetensors-\(UUID().uuidString).safetensors")
  }

  /// Bytes with a hand-built header (no padding rules applied) and `data` after it.
  func file(header: String, data: [UInt8]) -> Data {
    var bytes = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: Array(header.utf8))
    bytes.append(contentsOf: data)
    return bytes
  }

  @Test func roundTripsThroughAFile() throws {
    let url = temporaryURL()
    defer { try? FileManager.default.removeItem(at: url) }
    try Safetensors.write(sample, to: url)
    #expect(try Safetensors.read(from: url) == sample)
    let leftovers = try FileManager.default.contentsOfDirectory(
      atPath: url.deletingLastPathComponent().path
    ).filter { $0.hasPrefix(".\(url.lastPathComponent).tmp") }
    #expect(leftovers.isEmpty)
  }

  /// The expected bytes are also exactly what Python's `safetensors.numpy.save` (0.8.0) returns
  /// for `{"b": [-2], "a": [1, 0.5]}` (float32) with `metadata={"k": "v"}`.
  @Test func smallFileMatchesHandWrittenBytes() throws {
    let contents = SafetensorsContents(
      tensors: [
        "b": StoredTensor(shape: [1], values: [-2]),
        "a": StoredTensor(shape: [2], values: [1, 0.5]),
      ], metadata: ["k": "v"])
    let header =
      #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
    // 133 bytes of JSON, padded with 3 spaces to 136.
    #expect(header.utf8.count == 133)
    let expected: [UInt8] =
      [136, 0, 0, 0, 0, 0, 0, 0] + Array(header.utf8) + [0x20, 0x20, 0x20]
      + [0x00, 0x00, 0x80, 0x3F]  // 1.0
      + [0x00, 0x00, 0x00, 0x3F]  // 0.5
      + [0x00, 0x00, 0x00, 0xC0]  // -2.0
    #expect([UInt8](try Safetensors.encode(contents)) == expected)
    #expect(try Safetensors.decode(Data(expected)) == contents)
  }

  @Test func headerIsPaddedToAMultipleOfEight() throws {
    let data = try Safetensors.encode(sample)
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    #expect(length % 8 == 0)
    #expect(data.count == 8 + length + 4 * (6 + 3 + 1))
  }

  @Test func rejectsAFileShorterThanEightBytes() {
    #expect(throws: SafetensorsError.tooShort(path: "<memory>", size: 5)) {
      try Safetensors.decode(Data([1, 2, 3, 4, 5]))
    }
  }

  @Test func rejectsAHeaderLengthBeyondTheFile() {
    var data = Data([200, 0, 0, 0, 0, 0, 0, 0])
    data.append(contentsOf: Array("{}".utf8))
    #expect(
      throws: SafetensorsError.headerLengthBeyondFile(
        path: "<memory>", headerLength: 200, fileSize: 10)
    ) { try Safetensors.decode(data) }
  }

  @Test func rejectsAHeaderThatIsNotJSON() {
    #expect {
      try Safetensors.decode(file(header: "{not json", data: []))
    } throws: { error in
      guard case .headerNotJSON = error as? SafetensorsError else { return false }
      return true
    }
    #expect {
      try Safetensors.decode(file(header: "[1,2]   ", data: []))
    } throws: { error in
      guard case .headerNotJSON = error as? SafetensorsError else { return false }
      return true
    }
  }

  @Test func rejectsMissingAndUnsupportedDTypes() {
    #expect(
      throws: SafetensorsError.malformedEntry(
        path: "<memory>", tensor: "x", detail: "missing a string \"dtype\"")
    ) {
      try Safetensors.decode(
        file(header: #"{"x":{"shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
    }
    #expect(throws: SafetensorsError.unsupportedDType(path: "<memory>", tensor: "x", dtype: "F16"))
    {
      try Safetensors.decode(
        file(
          header: #"{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
    }
  }

  @Test func rejectsAShapeThatDisagreesWithTheOffsets() {
    #expect(
      throws: SafetensorsError.sizeMismatch(path: "<memory>", tensor: "x", shape: [3], byteCount: 8)
    ) {
      try Safetensors.decode(
        file(
          header: #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
          data: Array(repeating: 0, count: 8)))
    }
  }

  @Test func rejectsReversedOffsets() {
    #expect(
      throws: SafetensorsError.invalidOffsets(path: "<memory>", tensor: "x", begin: 8, end: 4)
    ) {
      try Safetensors.decode(
        file(
          header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#,
          data: Array(repeating: 0, count: 8)))
    }
  }

  @Test func rejectsTruncatedData() throws {
    var data = try Safetensors.encode(sample)
    data.removeLast(3)
    #expect {
      try Safetensors.decode(data)
    } throws: { error in
      guard case .truncatedData(_, "wte.weight", 40, 37) = error as? SafetensorsError else {
        return false
      }
      return true
    }
  }

  @Test func rejectsOverlappingTensors() {
    let header =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
    #expect(throws: SafetensorsError.overlappingTensors(path: "<memory>", first: "a", second: "b"))
    {
      try Safetensors.decode(file(header: header, data: Array(repeating: 0, count: 8)))
    }
  }

  @Test func rejectsHolesAndTrailingBytes() {
    let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
    #expect(throws: SafetensorsError.hole(path: "<memory>", begin: 0, end: 4)) {
      try Safetensors.decode(file(header: gap, data: Array(repeating: 0, count: 8)))
    }
    let tail = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
    #expect(throws: SafetensorsError.trailingBytes(path: "<memory>", count: 2)) {
      try Safetensors.decode(file(header: tail, data: Array(repeating: 0, count: 6)))
    }
  }

  @Test func refusesToWriteValuesThatDoNotFillTheShape() {
    let bad = SafetensorsContents(tensors: ["w": StoredTensor(shape: [2, 2], values: [1, 2, 3])])
    #expect(throws: SafetensorsError.valueCountMismatch(tensor: "w", shape: [2, 2], count: 3)) {
      try Safetensors.encode(bad)
    }
  }

  @Test func errorMessagesNameTheFileAndTheRule() {
    let message = SafetensorsError.unsupportedDType(
      path: "ckpt.safetensors", tensor: "w", dtype: "BF16"
    )
    .errorDescription!
    #expect(
      message.contains("ckpt.safetensors") && message.contains("BF16") && message.contains("F32"))
  }
}
