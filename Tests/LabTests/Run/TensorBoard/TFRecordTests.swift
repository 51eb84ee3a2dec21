import Testing

@testable import Lab

@Suite struct TFRecordTests {
  @Test func framesLengthPayloadAndMaskedChecksums() {
    let payload = Array("123456789".utf8)
    let record = TFRecord.framed(payload)
    #expect(record.count == payload.count + 16)
    #expect(Array(record[0..<8]) == [9, 0, 0, 0, 0, 0, 0, 0])
    let lengthCRC = CRC32C.maskedChecksum(of: record[0..<8])
    #expect(Array(record[8..<12]) == withUnsafeBytes(of: lengthCRC.littleEndian) { Array($0) })
    #expect(Array(record[12..<21]) == payload)
    #expect(Array(record[21...]) == [0xE5, 0xB0, 0x8A, 0xC7])  // 0xC78AB0E5, little-endian
  }

  @Test func readsRecordsBack() {
    let payloads: [[UInt8]] = [[], [1], Array(repeating: 7, count: 300)]
    let bytes = payloads.flatMap(TFRecord.framed)
    let (records, ending) = TFRecord.records(in: bytes)
    #expect(ending == .clean)
    #expect(records.map { Array($0.payload) } == payloads)
    #expect(records.map(\.offset) == [0, 16, 33])
  }

  @Test func everyCutOfTheLastRecordIsTorn() {
    let first = TFRecord.framed([1, 2, 3])
    let last = TFRecord.framed(Array(repeating: 9, count: 20))
    for cut in 1..<last.count {
      let (records, ending) = TFRecord.records(in: first + last.prefix(cut))
      #expect(records.count == 1, "cut \(cut)")
      #expect(ending == .torn(offset: first.count), "cut \(cut)")
    }
  }

  @Test func aFlippedByteIsCorrupt() {
    let first = TFRecord.framed([1, 2, 3])
    let second = TFRecord.framed([4, 5, 6, 7])
    for position in 0..<second.count {
      var bytes = first + second + first
      bytes[first.count + position] ^= 0x20
      let (records, ending) = TFRecord.records(in: bytes)
      #expect(records.count == 1, "byte \(position)")
      // A changed length fails the length checksum before it is trusted.
      guard case .corrupt(let offset, _) = ending else {
        Issue.record("byte \(position): \(ending), not corrupt")
        continue
      }
      #expect(offset == first.count)
    }
  }

  @Test func zerosAfterACrashAreNotARecord() {
    let first = TFRecord.framed([1, 2, 3])
    let (records, ending) = TFRecord.records(in: first + [UInt8](repeating: 0, count: 64))
    #expect(records.count == 1)
    #expect(ending == .corrupt(offset: first.count, detail: "length checksum mismatch"))
  }
}
