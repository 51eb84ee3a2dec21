/// TFRecord framing, the container of TensorBoard event files. Each record is
///
///     uint64 length | uint32 masked CRC-32C of those 8 bytes | payload | uint32 masked CRC-32C of payload
///
/// with all integers little-endian (TensorFlow's `record_writer.cc`).
enum TFRecord {
  /// Bytes of framing around each payload.
  static let overhead = 16

  /// `payload` framed as one record.
  static func framed(_ payload: [UInt8]) -> [UInt8] {
    var record: [UInt8] = []
    record.reserveCapacity(payload.count + overhead)
    appendLittleEndian(UInt64(payload.count), to: &record)
    appendLittleEndian(CRC32C.maskedChecksum(of: record[0..<8]), to: &record)
    record += payload
    appendLittleEndian(CRC32C.maskedChecksum(of: payload), to: &record)
    return record
  }

  /// How a sequence of records ends.
  enum Ending: Equatable {
    /// After the last record: nothing.
    case clean
    /// A last record cut short (a crash mid-write): fewer bytes than its header promises, or
    /// not even a whole header.
    case torn(offset: Int)
    /// Bytes that are not a record: a checksum does not match.
    case corrupt(offset: Int, detail: String)
  }

  /// The records of `bytes`, as `(offset, payload)` in file order, up to the first byte that
  /// does not start a whole, valid record, and how the sequence ends there.
  static func records(in bytes: [UInt8]) -> (
    records: [(offset: Int, payload: ArraySlice<UInt8>)], ending: Ending
  ) {
    var records: [(offset: Int, payload: ArraySlice<UInt8>)] = []
    var offset = 0
    while offset < bytes.count {
      guard bytes.count - offset >= 12 else { return (records, .torn(offset: offset)) }
      let length = readLittleEndian(UInt64.self, bytes, at: offset)
      let lengthCRC = readLittleEndian(UInt32.self, bytes, at: offset + 8)
      guard lengthCRC == CRC32C.maskedChecksum(of: bytes[offset..<offset + 8]) else {
        return (records, .corrupt(offset: offset, detail: "length checksum mismatch"))
      }
      guard bytes.count - offset >= overhead, length <= UInt64(bytes.count - offset - overhead)
      else {
        return (records, .torn(offset: offset))
      }
      let start = offset + 12
      let end = start + Int(length)
      let payload = bytes[start..<end]
      guard readLittleEndian(UInt32.self, bytes, at: end) == CRC32C.maskedChecksum(of: payload)
      else {
        return (records, .corrupt(offset: offset, detail: "payload checksum mismatch"))
      }
      records.append((offset, payload))
      offset = end + 4
    }
    return (records, .clean)
  }

  private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8])
  {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }

  private static func readLittleEndian<T: FixedWidthInteger>(
    _: T.Type, _ bytes: [UInt8], at offset: Int
  ) -> T {
    var value: T = 0
    for i in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + i]) << (8 * i) }
    return value
  }
}
