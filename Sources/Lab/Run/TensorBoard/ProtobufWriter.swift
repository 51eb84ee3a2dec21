/// The few protocol-buffer encodings an event file needs, appended to a byte buffer.
///
/// Fields are written in the order the caller gives them; callers write them in field-number
/// order, as the reference implementations serialize, so that the bytes match theirs.
struct ProtobufWriter {
  /// The wire types used here (protobuf encoding spec, "Message Structure").
  enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
  }

  private(set) var bytes: [UInt8] = []

  init() {}

  /// A base-128 varint, low group first; a negative Int64 takes ten bytes (two's complement).
  mutating func appendVarint(_ value: UInt64) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  /// The key of field `number`: `(number << 3) | wireType`.
  mutating func appendKey(_ number: Int, _ wireType: WireType) {
    appendVarint(UInt64(number) << 3 | UInt64(wireType.rawValue))
  }

  /// An `int64` field (varint).
  mutating func appendInt64(_ number: Int, _ value: Int64) {
    appendKey(number, .varint)
    appendVarint(UInt64(bitPattern: value))
  }

  /// A `double` field (little-endian IEEE 754, 8 bytes).
  mutating func appendDouble(_ number: Int, _ value: Double) {
    appendKey(number, .fixed64)
    appendLittleEndian(value.bitPattern)
  }

  /// A `float` field (little-endian IEEE 754, 4 bytes).
  mutating func appendFloat(_ number: Int, _ value: Float) {
    appendKey(number, .fixed32)
    appendLittleEndian(value.bitPattern)
  }

  /// A `string` field (varint length, then the UTF-8 bytes).
  mutating func appendString(_ number: Int, _ value: String) {
    appendBytes(number, Array(value.utf8))
  }

  /// A `bytes` field or an embedded message (varint length, then the bytes).
  mutating func appendBytes(_ number: Int, _ value: [UInt8]) {
    appendKey(number, .lengthDelimited)
    appendVarint(UInt64(value.count))
    bytes += value
  }

  private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }
}
