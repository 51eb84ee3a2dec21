import Autodiff
import Foundation

/// Throughput of `GEMM` on the shapes the transformer uses, measured the way the NumPy reference
/// script (`shared/bench/gemm.py`) measures it: GFLOPS = 2·M·N·K·batch / median time, after three
/// warm-up calls, over `max(10, 2e9 / flops)` timed calls.
public enum GEMMBenchmark {
  /// One product `(batch ×) op(A)·op(B)`, `op(A)` M×K and `op(B)` K×N, row-major; `op`
  /// transposes an operand stored the other way round (as the training step's products do).
  public struct Shape: Sendable, Equatable {
    public var m: Int
    public var k: Int
    public var n: Int
    public var batch: Int
    public var transposeA: Bool
    public var transposeB: Bool

    public init(
      m: Int, k: Int, n: Int, batch: Int = 1, transposeA: Bool = false, transposeB: Bool = false
    ) {
      self.m = m
      self.k = k
      self.n = n
      self.batch = batch
      self.transposeA = transposeA
      self.transposeB = transposeB
    }

    /// Parses `MxKxN` or `MxKxNxBATCH` (positive integers), optionally followed by `:NN`, `:NT`,
    /// `:TN` or `:TT` (A, then B: N as stored, T transposed), as `betti bench gemm --shapes`
    /// takes it; nil for anything else.
    public init?(parsing text: String) {
      let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
      guard pieces.count <= 2 else { return nil }
      var transposes = (false, false)
      if pieces.count == 2 {
        switch pieces[1] {
        case "NN": transposes = (false, false)
        case "NT": transposes = (false, true)
        case "TN": transposes = (true, false)
        case "TT": transposes = (true, true)
        default: return nil
        }
      }
      let parts = pieces[0].split(separator: "x", omittingEmptySubsequences: false).map {
        Int($0)
      }
      guard parts.count == 3 || parts.count == 4, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
        return nil
      }
      self.init(
        m: parts[0]!, k: parts[1]!, n: parts[2]!, batch: parts.count == 4 ? parts[3]! : 1,
        transposeA: transposes.0, transposeB: transposes.1)
    }

    /// The shape as `init(parsing:)` reads it, transposes always written: `384x128x384:NT`,
    /// `64x64x16x32:NN`.
    public var text: String {
      let sizes = [m, k, n] + (batch == 1 ? [] : [batch])
      return sizes.map(String.init).joined(separator: "x") + ":"
        + (transposeA ? "T" : "N") + (transposeB ? "T" : "N")
    }

    /// Flops of one call: `2·M·N·K·batch`.
    public var flops: Int { 2 * m * n * k * batch }

    /// `M=… K=… N=…`, or `batched B×(M×K @ K×N)`, as the reference script labels it, with
    /// ` AᵀB`, ` ABᵀ` or ` AᵀBᵀ` after it for transposed operands.
    public var label: String {
      let base =
        batch == 1 ? "M=\(m) K=\(k) N=\(n)" : "batched \(batch)x(\(m)x\(k) @ \(k)x\(n))"
      if !transposeA && !transposeB { return base }
      return base + " A\(transposeA ? "ᵀ" : "")B\(transposeB ? "ᵀ" : "")"
    }
  }

  /// One measurement.
  public struct Row: Sendable {
    public var shape: Shape
    public var threads: Int
    public var medianSeconds: Double
    public var gflops: Double { Double(shape.flops) / medianSeconds / 1e9 }
  }

  /// Square 64…1024, the transformer's projection shapes, and a batch of small attention-sized
  /// products, in the reference script's order.
  public static let standardShapes: [Shape] =
    [64, 128, 256, 512, 1024].map { Shape(m: $0, k: $0, n: $0) } + [
      Shape(m: 2048, k: 64, n: 256), Shape(m: 2048, k: 128, n: 512),
      Shape(m: 2048, k: 256, n: 1024), Shape(m: 64, k: 64, n: 16, batch: 32),
    ]

  /// Measures every shape at every thread limit (outermost, like the reference script, whose
  /// `threadpool_limits` is a limit too: small products use one thread; see `GEMM.workerCount`).
  /// `onRow` is called as each row is finished, so a caller can show progress. `cold`: see
  /// `medianSeconds`.
  public static func run(
    shapes: [Shape] = standardShapes, threadCounts: [Int] = [1, 2], cold: Bool = false,
    onRow: (Row) -> Void = { _ in }
  ) -> [Row] {
    var rows: [Row] = []
    for threads in threadCounts {
      for shape in shapes {
        let row = Row(
          shape: shape, threads: threads,
          medianSeconds: medianSeconds(shape, threads: threads, cold: cold))
        onRow(row)
        rows.append(row)
      }
    }
    return rows
  }

  /// Median wall time of one call of `shape` on `threads` threads. With `cold`, each call takes
  /// its operands from an `OperandRing` spanning `coldSpan` bytes, so that they are no longer in
  /// the caches, as in a training step whose products read activations written long before;
  /// otherwise every call reuses one set, as a tight loop over one product does.
  public static func medianSeconds(_ shape: Shape, threads: Int, cold: Bool = false) -> Double {
    let (m, k, n, batch) = (shape.m, shape.k, shape.n, shape.batch)
    let (tA, tB) = (shape.transposeA, shape.transposeB)
    let (lda, ldb) = (tA ? m : k, tB ? k : n)
    let ring = OperandRing(
      a: randomValues(count: batch * m * k, seed: 1),
      b: randomValues(count: batch * k * n, seed: 2),
      cCount: batch * m * n, span: cold ? coldSpan : 0)
    let repeats = max(10, Int(2e9 / Double(max(shape.flops, 1))))
    var times: [Double] = []
    times.reserveCapacity(repeats)
    var turn = 0
    func call() {
      let (a, b, c) = ring.operands(turn)
      turn += 1
      if batch == 1 {
        GEMM.multiply(
          transposeA: tA, transposeB: tB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c,
          ldc: n, threads: threads)
      } else {
        GEMM.batchedMultiply(
          transposeA: tA, transposeB: tB, m: m, n: n, k: k, a: a, lda: lda, strideA: m * k, b: b,
          ldb: ldb, strideB: k * n, c: c, ldc: n, strideC: m * n, batch: batch, threads: threads)
      }
    }
    for _ in 0..<3 { call() }
    for _ in 0..<repeats {
      let start = DispatchTime.now().uptimeNanoseconds
      call()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    times.sort()
    return times.count % 2 == 1
      ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
  }

  /// Bytes a cold measurement's operands rotate through: twice a 32 MiB last-level cache.
  public static let coldSpan = 64 << 20

  /// Uniform values in [-1, 1) from a fixed-seed generator (SplitMix64).
  private static func randomValues(count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      return Float(z >> 40) / Float(1 << 23) - 1
    }
  }
}
