/// Reads the fields of one protocol-buffer message, for the wire types `ProtobufWriter` writes
/// (and skips the others' payloads by their wire type).
struct ProtobufReader {
  /// One field as read: its number and payload.
  enum Field: Equatable {
    case varint(number: Int, value: UInt64)
    case fixed64(number: Int, value: UInt64)
    case lengthDelimited(number: Int, value: ArraySlice<UInt8>)
    case fixed32(number: Int, value: UInt32)

    var number: Int {
      switch self {
      case .varint(let n, _), .fixed64(let n, _), .lengthDelimited(let n, _), .fixed32(let n, _): n
      }
    }
  }

  /// Why a message could not be read.
  struct Malformed: Error, Equatable {
    let offset: Int
    let detail: String
  }

  private let bytes: ArraySlice<UInt8>
  private var position: Int

  init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    position = bytes.startIndex
  }

  /// The next field, nil at the end of the message.
  mutating func next() throws -> Field? {
    guard position < bytes.endIndex else { return nil }
    let key = try readVarint()
    let number = Int(truncatingIfNeeded: key >> 3)
    guard number > 0 else { throw Malformed(offset: position, detail: "field number 0") }
    switch key & 7 {
    case 0:
      return .varint(number: number, value: try readVarint())
    case 1:
      return .fixed64(number: number, value: try readLittleEndian(UInt64.self))
    case 2:
      let length = try readVarint()
      guard length <= UInt64(bytes.endIndex - position) else {
        throw Malformed(offset: position, detail: "length \(length) runs past the message")
      }
      let start = position
      position += Int(length)
      return .lengthDelimited(number: number, value: bytes[start..<position])
    case 5:
      return .fixed32(number: number, value: try readLittleEndian(UInt32.self))
    default:
      throw Malformed(offset: position, detail: "unsupported wire type \(key & 7)")
    }
  }

  private mutating func readVarint() throws -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while position < bytes.endIndex, shift < 64 {
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return value }
      shift += 7
    }
    throw Malformed(offset: position, detail: "truncated or overlong varint")
  }

  private mutating func readLittleEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
    let size = MemoryLayout<T>.size
    guard bytes.endIndex - position >= size else {
      throw Malformed(offset: position, detail: "truncated \(size)-byte field")
    }
    var value: T = 0
    for i in 0..<size { value |= T(bytes[position + i]) << (8 * i) }
    position += size
    return value
  }
}
