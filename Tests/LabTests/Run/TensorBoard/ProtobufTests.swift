import Testing

@testable import Lab

/// Field encodings against the examples of the protocol-buffer encoding guide
/// (protobuf.dev/programming-guides/encoding) and IEEE 754 bit patterns.
@Suite struct ProtobufTests {
  private func varint(_ value: UInt64) -> [UInt8] {
    var writer = ProtobufWriter()
    writer.appendVarint(value)
    return writer.bytes
  }

  @Test func varints() {
    #expect(varint(0) == [0x00])
    #expect(varint(1) == [0x01])
    #expect(varint(127) == [0x7F])
    #expect(varint(128) == [0x80, 0x01])
    #expect(varint(150) == [0x96, 0x01])
    #expect(varint(300) == [0xAC, 0x02])
    #expect(varint(UInt64.max) == [UInt8](repeating: 0xFF, count: 9) + [0x01])
  }

  @Test func fields() {
    var writer = ProtobufWriter()
    writer.appendInt64(1, 150)  // the guide's "08 96 01"
    #expect(writer.bytes == [0x08, 0x96, 0x01])

    writer = ProtobufWriter()
    writer.appendString(2, "testing")  // the guide's "12 07 74 65 73 74 69 6e 67"
    #expect(writer.bytes == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])

    writer = ProtobufWriter()
    writer.appendInt64(2, -1)  // int64 negatives take ten bytes
    #expect(writer.bytes == [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])

    writer = ProtobufWriter()
    writer.appendDouble(1, 1.0)
    #expect(writer.bytes == [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])

    writer = ProtobufWriter()
    writer.appendFloat(2, 1.5)
    writer.appendFloat(2, -0.0)
    #expect(writer.bytes == [0x15, 0, 0, 0xC0, 0x3F, 0x15, 0, 0, 0, 0x80])

    writer = ProtobufWriter()
    writer.appendBytes(3, [0x08, 0x96, 0x01])  // an embedded message, the guide's "1a 03 08 96 01"
    #expect(writer.bytes == [0x1A, 0x03, 0x08, 0x96, 0x01])

    writer = ProtobufWriter()
    writer.appendString(21, "")  // a field number past 15 takes a two-byte key
    #expect(writer.bytes == [0xAA, 0x01, 0x00])
  }

  @Test func readsBackWhatItWrites() throws {
    var writer = ProtobufWriter()
    writer.appendDouble(1, 1_700_000_000.5)
    writer.appendInt64(2, 1 << 40)
    writer.appendString(3, "brain.Event:2")
    writer.appendFloat(4, .infinity)
    var reader = ProtobufReader(writer.bytes[...])
    #expect(try reader.next() == .fixed64(number: 1, value: (1_700_000_000.5).bitPattern))
    #expect(try reader.next() == .varint(number: 2, value: 1 << 40))
    #expect(
      try reader.next() == .lengthDelimited(number: 3, value: Array("brain.Event:2".utf8)[...]))
    #expect(try reader.next() == .fixed32(number: 4, value: Float.infinity.bitPattern))
    #expect(try reader.next() == nil)
  }

  @Test func malformedInputIsAnErrorNotACrash() {
    let cases: [(bytes: [UInt8], why: String)] = [
      ([0x08], "varint field without its value"),
      ([0x08, 0x80], "varint cut inside"),
      ([0x08] + [UInt8](repeating: 0x80, count: 11), "varint longer than ten bytes"),
      ([0x09, 0, 0, 0], "double with four of its eight bytes"),
      ([0x15, 0], "float with one of its four bytes"),
      ([0x1A, 0x05, 0x01], "length past the end"),
      ([0x0B], "group wire type 3"),
      ([0x00, 0x00], "field number 0"),
    ]
    for c in cases {
      var reader = ProtobufReader(c.bytes[...])
      #expect(throws: ProtobufReader.Malformed.self, "\(c.why)") {
        while try reader.next() != nil {}
      }
    }
  }
}
