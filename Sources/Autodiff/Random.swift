import Foundation

/// A seeded pseudo-random number generator: xoshiro256** (Blackman and Vigna, 2018) whose
/// 256-bit state is filled from the 64-bit seed by SplitMix64.
///
/// Only integer arithmetic produces the bits and the transforms to floating point below are
/// fixed, so the same seed gives the same numbers on every machine (normals go through the C
/// library's `log` and `cos` in Double and are rounded to Float32 by the caller). The state is a
/// plain value: copy it to fork a stream, store it in a checkpoint to resume one exactly.
public struct SeededRandom: RandomNumberGenerator, Sendable, Equatable, Codable {
  public var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var s = seed
    func splitMix() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  /// A generator for an independent sub-stream, e.g. one per purpose (`"data"`, `"init"`).
  public init(seed: UInt64, stream: String) {
    // FNV-1a of the stream name, mixed into the seed.
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in stream.utf8 {
      h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    self.init(seed: seed ^ h)
  }

  public mutating func next() -> UInt64 {
    let result = rotl(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotl(state.3, 45)
    return result
  }

  @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }

  /// Uniform in [0, 1) with 24 random bits (every value is an exact Float32).
  public mutating func nextFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func nextDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// Uniform integer in 0..<bound (Lemire's nearly-divisionless method, unbiased).
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "SeededRandom.nextInt(below:): bound \(bound) must be positive")
    return Int(next(upperBound: UInt64(bound)))
  }

  /// Standard normal by the Box–Muller transform in Double, from two uniforms.
  public mutating func nextNormal() -> Double {
    let u1 = 1.0 - nextDouble()  // (0, 1]: log is finite
    let u2 = nextDouble()
    return (-2.0 * Foundation.log(u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2)
  }

  public static func == (a: SeededRandom, b: SeededRandom) -> Bool {
    a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2
      && a.state.3 == b.state.3
  }

  public init(from decoder: Decoder) throws {
    var c = try decoder.unkeyedContainer()
    state = (
      try c.decode(UInt64.self), try c.decode(UInt64.self), try c.decode(UInt64.self),
      try c.decode(UInt64.self)
    )
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.unkeyedContainer()
    try c.encode(state.0)
    try c.encode(state.1)
    try c.encode(state.2)
    try c.encode(state.3)
  }
}
