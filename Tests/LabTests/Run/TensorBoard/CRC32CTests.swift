import Testing

@testable import Lab

/// CRC-32C against published check values: the CRC catalogue's check input "123456789", and
/// the iSCSI test vectors of RFC 3720, appendix B.4. Masked values from TensorBoard's
/// `masked_crc32c` (tensorboard 2.21.0).
@Suite struct CRC32CTests {
  @Test func catalogueCheckValue() {
    #expect(CRC32C.checksum(of: Array("123456789".utf8)) == 0xE306_9283)
    #expect(CRC32C.checksum(of: [UInt8]()) == 0)
  }

  @Test func rfc3720Vectors() {
    #expect(CRC32C.checksum(of: [UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    #expect(CRC32C.checksum(of: [UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    #expect(CRC32C.checksum(of: (0..<32).map { UInt8($0) }) == 0x46DD_794E)
    #expect(CRC32C.checksum(of: (0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    // An iSCSI SCSI Read (10) command PDU.
    let pdu: [UInt8] = [
      0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]
    #expect(CRC32C.checksum(of: pdu) == 0xD996_3A56)
  }

  @Test func maskedAsTensorFlowStoresIt() {
    #expect(CRC32C.masked(0) == 0xA282_EAD8)
    #expect(CRC32C.maskedChecksum(of: Array("123456789".utf8)) == 0xC78A_B0E5)
    #expect(CRC32C.maskedChecksum(of: [UInt8](repeating: 0, count: 32)) == 0x0FD7_FFFA)
  }
}
