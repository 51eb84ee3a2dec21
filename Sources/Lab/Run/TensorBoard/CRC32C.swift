/// CRC-32C (Castagnoli), the checksum of TFRecord framing: reflected polynomial 0x82F63B78,
/// initial value and final XOR 0xFFFFFFFF. `checksum(of: "123456789")` is 0xE3069283.
enum CRC32C {
  /// The byte-at-a-time table for the reflected polynomial.
  private static let table: [UInt32] = (0..<256).map { byte in
    var crc = UInt32(byte)
    for _ in 0..<8 {
      crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
    }
    return crc
  }

  /// The CRC-32C of `bytes` (0 for no bytes). O(n).
  static func checksum<Bytes: Sequence>(of bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    table.withUnsafeBufferPointer { table in
      for byte in bytes {
        crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
      }
    }
    return crc ^ 0xFFFF_FFFF
  }

  /// TFRecord's masked form of a CRC (rotate right by 15 bits, add 0xA282EAD8), which keeps a
  /// checksum stored inside checksummed data from cancelling itself out.
  static func masked(_ crc: UInt32) -> UInt32 {
    ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }

  /// The masked CRC-32C of `bytes`, as TFRecord stores it.
  static func maskedChecksum<Bytes: Sequence>(of bytes: Bytes) -> UInt32
  where Bytes.Element == UInt8 {
    masked(checksum(of: bytes))
  }
}
