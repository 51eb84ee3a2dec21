import Foundation
import Topology

/// One line of the persistent-homology benchmark: the Jensen–Shannon matrix of one random
/// attention matrix and its Vietoris–Rips H0/H1, median wall times in milliseconds.
public struct PHBenchmarkRow: Sendable, Codable, Equatable {
  /// `"soft"` (logits standard normal × 2, as `bench/ph.py`) or `"sharp"`
  /// (`softmax(q kᵀ / (8 T))`, d = 64, T = 0.1: saturated distances, many ties).
  public var regime: String
  /// Tokens: the matrix is `n × n`.
  public var n: Int
  /// Median time of the `n × n` Jensen–Shannon distance matrix (base 2).
  public var distanceMilliseconds: Double
  /// Median time of H0 + H1 (default threshold: the enclosing radius).
  public var persistenceMilliseconds: Double
  /// Number of H0 and H1 bars (as ripser.py counts them, essential bars included).
  public var h0Count: Int
  public var h1Count: Int
  /// How many times each was run.
  public var repeats: Int
}

/// Times the Jensen–Shannon matrix and H0/H1 of random attention, one row per size: soft
/// attention at `sizes` and sharp attention at `sharpSizes`. Runs each 20 times for n ≤ 128,
/// 5 times above (as `bench/ph.py`), unless `repeats` is given; single-threaded; seeded, so the
/// matrices are the same on every call.
public func phBenchmarkRows(
  sizes: [Int] = [32, 64, 128, 256], sharpSizes: [Int] = [256], repeats: Int? = nil
) -> [PHBenchmarkRow] {
  var rng = BenchmarkGenerator(seed: 0)
  var rows: [PHBenchmarkRow] = []
  let cases = sizes.map { ("soft", $0) } + sharpSizes.map { ("sharp", $0) }
  for (regime, n) in cases {
    let attention =
      regime == "soft" ? softAttention(n, &rng) : temperatureAttention(n, temperature: 0.1, &rng)
    let count = repeats ?? (n <= 128 ? 20 : 5)
    var distances: DistanceMatrix?
    let distanceTime = medianMilliseconds(count) {
      distances = try! DistanceMatrix.jensenShannon(rows: attention, rowCount: n, columnCount: n)
    }
    var result: RipsPersistence?
    let persistenceTime = medianMilliseconds(count) {
      result = VietorisRips.persistence(of: distances!)
    }
    rows.append(
      PHBenchmarkRow(
        regime: regime, n: n, distanceMilliseconds: distanceTime,
        persistenceMilliseconds: persistenceTime, h0Count: result!.h0.count,
        h1Count: result!.h1.count, repeats: count))
  }
  return rows
}

private func medianMilliseconds(_ repeats: Int, _ body: () -> Void) -> Double {
  var times: [Double] = []
  for _ in 0..<max(1, repeats) {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
  }
  times.sort()
  let mid = times.count / 2
  return times.count % 2 == 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2
}

/// Row softmax of standard-normal logits × 2, `n × n`.
private func softAttention(_ n: Int, _ rng: inout BenchmarkGenerator) -> [Float] {
  softmaxRows((0..<(n * n)).map { _ in 2 * rng.normal() }, n, n)
}

/// `softmax(q kᵀ / (8 T))` with standard-normal `q`, `k` of width 64.
private func temperatureAttention(_ n: Int, temperature: Double, _ rng: inout BenchmarkGenerator)
  -> [Float]
{
  let width = 64
  let q = (0..<(n * width)).map { _ in rng.normal() }
  let k = (0..<(n * width)).map { _ in rng.normal() }
  var logits = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in 0..<n {
      var dot = 0.0
      for c in 0..<width { dot += q[i * width + c] * k[j * width + c] }
      logits[i * n + j] = dot / (8 * temperature)
    }
  }
  return softmaxRows(logits, n, n)
}

private func softmaxRows(_ logits: [Double], _ n: Int, _ m: Int) -> [Float] {
  var out = [Float](repeating: 0, count: n * m)
  for i in 0..<n {
    let row = logits[(i * m)..<((i + 1) * m)]
    let top = row.max() ?? 0
    let e = row.map { Foundation.exp($0 - top) }
    let sum = e.reduce(0, +)
    for (k, x) in e.enumerated() { out[i * m + k] = Float(x / sum) }
  }
  return out
}

/// SplitMix64 with Box–Muller normals: a fixed, platform-independent stream for benchmarks.
private struct BenchmarkGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
  mutating func normal() -> Double {
    let u = max(uniform(), 0x1p-60)
    return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
  }
}
