/// One `Event` protocol buffer of a TensorBoard event file, reduced to the fields Betti writes:
///
///     message Event { double wall_time = 1; int64 step = 2;
///                     oneof what { string file_version = 3; Summary summary = 5; ... } }
///     message Summary { repeated Value value = 1; }
///     message Summary.Value { string tag = 1; oneof value { float simple_value = 2; ... } }
///
/// (`tensorboard/compat/proto/event.proto`, `summary.proto`; proto3, so a zero `wall_time` or
/// `step` and an empty `tag` are left out, as the reference serializers do.)
public struct TensorBoardEvent: Equatable, Sendable {
  /// One scalar of a summary: a tag and its value, stored as 32-bit float.
  public struct Scalar: Equatable, Sendable {
    public var tag: String
    public var value: Float

    public init(tag: String, value: Float) {
      self.tag = tag
      self.value = value
    }
  }

  /// Seconds since the Unix epoch when the event was written.
  public var wallTime: Double
  public var step: Int64
  /// Set on the first event of a file only (`"brain.Event:2"`).
  public var fileVersion: String?
  /// The summary's scalars (empty for the file-version event).
  public var scalars: [Scalar]

  /// The version TensorBoard expects in the first event of a file.
  public static let currentFileVersion = "brain.Event:2"

  public init(wallTime: Double, step: Int64, fileVersion: String? = nil, scalars: [Scalar] = []) {
    self.wallTime = wallTime
    self.step = step
    self.fileVersion = fileVersion
    self.scalars = scalars
  }

  /// The serialized `Event` message.
  func encoded() -> [UInt8] {
    var event = ProtobufWriter()
    if wallTime != 0 { event.appendDouble(1, wallTime) }
    if step != 0 { event.appendInt64(2, step) }
    if let fileVersion {
      event.appendString(3, fileVersion)
    } else {
      var summary = ProtobufWriter()
      for scalar in scalars {
        var value = ProtobufWriter()
        if !scalar.tag.isEmpty { value.appendString(1, scalar.tag) }
        value.appendFloat(2, scalar.value)
        summary.appendBytes(1, value.bytes)
      }
      event.appendBytes(5, summary.bytes)
    }
    return event.bytes
  }

  /// Reads an `Event` message; fields Betti does not write are skipped, a summary value other
  /// than `simple_value` is left out.
  static func decode(_ bytes: ArraySlice<UInt8>) throws -> TensorBoardEvent {
    var event = TensorBoardEvent(wallTime: 0, step: 0)
    var reader = ProtobufReader(bytes)
    while let field = try reader.next() {
      switch field {
      case .fixed64(1, let bits): event.wallTime = Double(bitPattern: bits)
      case .varint(2, let value): event.step = Int64(bitPattern: value)
      case .lengthDelimited(3, let text): event.fileVersion = String(decoding: text, as: UTF8.self)
      case .lengthDelimited(5, let summary): event.scalars += try decodeSummary(summary)
      default: break
      }
    }
    return event
  }

  private static func decodeSummary(_ bytes: ArraySlice<UInt8>) throws -> [Scalar] {
    var scalars: [Scalar] = []
    var summary = ProtobufReader(bytes)
    while let field = try summary.next() {
      guard case .lengthDelimited(1, let valueBytes) = field else { continue }
      var tag = ""
      var number: Float?
      var value = ProtobufReader(valueBytes)
      while let valueField = try value.next() {
        switch valueField {
        case .lengthDelimited(1, let text): tag = String(decoding: text, as: UTF8.self)
        case .fixed32(2, let bits): number = Float(bitPattern: bits)
        default: break
        }
      }
      if let number { scalars.append(Scalar(tag: tag, value: number)) }
    }
    return scalars
  }
}
