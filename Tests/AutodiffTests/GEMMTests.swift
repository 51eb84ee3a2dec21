import TestSupport
import Testing

@testable import Autodiff

// Checks the packed GEMM against GEMMReference (three loops, Double accumulation).
// Tolerance per element: |C − C_ref| ≤ (k + 2)·eps·(|alpha|·Σ_p |a_ip||b_pj| + |beta·c_ij|),
// eps = Float.ulpOfOne: the standard forward error bound of a length-k float dot product
// followed by the alpha/beta merge.

/// Deterministic uniform values in [-1, 1) (SplitMix64), so failures reproduce.
private struct SplitMix {
  var state: UInt64
  mutating func next() -> Float {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Float(z >> 40) / Float(1 << 23) - 1
  }
  mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}

/// One product with its stored layouts: A is (transposeA ? k×m : m×k) with row stride lda, etc.
private struct Case {
  var transposeA = false
  var transposeB = false
  var m: Int
  var n: Int
  var k: Int
  var alpha: Float = 1
  var beta: Float = 0
  var padA = 0
  var padB = 0
  var padC = 0

  var lda: Int { (transposeA ? m : k) + padA }
  var ldb: Int { (transposeB ? k : n) + padB }
  var ldc: Int { n + padC }
  var sizeA: Int { (transposeA ? k : m) * lda }
  var sizeB: Int { (transposeB ? n : k) * ldb }
  var sizeC: Int { m * ldc }
}

/// Runs `GEMM` and the reference on the same random inputs; returns the worst error relative to
/// the tolerance (≤ 1 passes) and the GEMM output.
private func check(
  _ t: Case, seed: UInt64 = 1, workers: Int = 1, kernel: GEMM.KernelChoice = GEMM.kernel
) -> (ratio: Float, c: [Float]) {
  var rng = SplitMix(state: seed)
  let a = rng.array(t.sizeA)
  let b = rng.array(t.sizeB)
  let c0 = rng.array(t.sizeC)
  var fast = c0
  var slow = c0
  var bound = c0.map { abs($0) }
  let absA = a.map { abs($0) }
  let absB = b.map { abs($0) }
  GEMM.multiply(
    transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
    a: a, lda: t.lda, b: b, ldb: t.ldb, beta: t.beta, c: &fast, ldc: t.ldc, workers: workers,
    kernel: kernel)
  GEMMReference.multiply(
    transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
    a: a, lda: t.lda, b: b, ldb: t.ldb, beta: t.beta, c: &slow, ldc: t.ldc)
  GEMMReference.multiply(
    transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k,
    alpha: abs(t.alpha), a: absA, lda: t.lda, b: absB, ldb: t.ldb, beta: abs(t.beta), c: &bound,
    ldc: t.ldc)
  var worst: Float = 0
  let eps = Float(t.k + 2) * Float.ulpOfOne
  for i in 0..<t.m {
    for j in 0..<t.n {
      let index = i * t.ldc + j
      let error = abs(fast[index] - slow[index])
      let tolerance = eps * bound[index] + Float.leastNormalMagnitude
      worst = max(worst, error / tolerance)
      if !(error <= tolerance) { worst = .infinity }
    }
    // Padding columns of C must be untouched.
    for j in t.n..<t.ldc where fast[i * t.ldc + j] != c0[i * t.ldc + j] { worst = .infinity }
  }
  return (worst, fast)
}

private let transposes = [(false, false), (false, true), (true, false), (true, true)]
private let kernels: [GEMM.KernelChoice] = [.narrow, .wide]

@Test(arguments: kernels)
func gemmMatchesReferenceOnOddShapes(kernel: GEMM.KernelChoice) {
  let sizes = [1, 7, 63, 65, 257]
  for m in sizes {
    for n in sizes {
      for k in sizes {
        for (ta, tb) in transposes {
          // All transposes where at most one size is 257; the larger shapes untransposed only.
          if [m, n, k].filter({ $0 == 257 }).count > 1 && (ta || tb) { continue }
          let t = Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k)
          let result = check(t, seed: UInt64(m * 1_000_000 + n * 1000 + k), kernel: kernel)
          #expect(result.ratio <= 1, "m=\(m) n=\(n) k=\(k) transposeA=\(ta) transposeB=\(tb)")
        }
      }
    }
  }
}

@Test(arguments: kernels)
func gemmMatchesReferenceOnRoundShapesWithAlphaBeta(kernel: GEMM.KernelChoice) {
  for size in [16, 64, 128, 256] {
    for (ta, tb) in transposes {
      for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25), (0, 3)]
      where size < 256 || beta == 0 {
        let t = Case(
          transposeA: ta, transposeB: tb, m: size, n: size, k: size, alpha: alpha, beta: beta)
        let result = check(t, seed: UInt64(size), kernel: kernel)
        #expect(result.ratio <= 1, "size=\(size) \(ta) \(tb) alpha=\(alpha) beta=\(beta)")
      }
    }
  }
}

@Test(arguments: kernels)
func gemmHonoursLeadingDimensions(kernel: GEMM.KernelChoice) {
  // n = 20 is narrower than one 4×24 panel, whose packed B is padded with zeros. With 150 rows
  // and rows of B 670 floats apart, an untransposed B's k blocks span more than
  // `GEMM.inPlaceSpan` and it is packed; else it is read in place.
  for (ta, tb) in transposes {
    for (m, n, padB) in [(37, 20, 17), (37, 70, 17), (150, 70, 600)] {
      // k = 1100 crosses k blocks (1024 deep on AVX2, 512 on AVX-512), so the beta = 1 merge of
      // later blocks is exercised too.
      let t = Case(
        transposeA: ta, transposeB: tb, m: m, n: n, k: 1100, alpha: 1.5, beta: -1, padA: 5,
        padB: padB, padC: 3)
      #expect(check(t, kernel: kernel).ratio <= 1, "\(ta) \(tb) m=\(m) n=\(n)")
    }
  }
}

@Test(arguments: kernels)
func gemmMatchesReferenceWhereTheLastPanelsSplit(kernel: GEMM.KernelChoice) {
  // 4×24 tiles end a block whose last 32 columns remain with two 16-wide panels, each packed
  // 16 wide: n = 32, 56, 128 and 512 all end so; 40 ends with a 16-wide last panel.
  for n in [32, 40, 56, 128, 512] {
    for (ta, tb) in transposes {
      for workers in [1, 2] {
        let t = Case(
          transposeA: ta, transposeB: tb, m: 150, n: n, k: 70, alpha: 0.5, beta: 0.25, padB: 3)
        #expect(
          check(t, workers: workers, kernel: kernel).ratio <= 1,
          "n=\(n) \(ta) \(tb) workers=\(workers)")
      }
    }
  }
}

@Test(arguments: kernels)
func gemmPacksATransposedAFarApartAndMatchesReference(kernel: GEMM.KernelChoice) {
  // 603 rows (not a multiple of any tile height) 608 floats apart: a k block of 512 or 1024
  // rows spans more than `GEMM.packedASpan` whichever kernel runs, so op(A) is packed; k = 1100
  // crosses k blocks on both.
  let t = Case(transposeA: true, m: 603, n: 40, k: 1100, alpha: -1.5, beta: 0.5, padA: 5)
  let depth = kernel == .narrow ? Kernel4x24.kc : Kernel6x64.kc
  #expect(depth * t.lda * MemoryLayout<Float>.stride >= GEMM.packedASpan)
  for workers in [1, 2] {
    #expect(check(t, workers: workers, kernel: kernel).ratio <= 1, "workers=\(workers)")
  }
  // Rows close enough together, read by one panel, are read in place on every kernel.
  let near = Case(transposeA: true, m: 60, n: 20, k: 1100, alpha: -1.5, beta: 0.5, padA: 5)
  #expect(depth * near.lda * MemoryLayout<Float>.stride < GEMM.packedASpan)
  #expect(!(kernel == .narrow ? packsA(near, Kernel4x24.self) : packsA(near, Kernel12x32.self)))
  #expect(check(near, kernel: kernel).ratio <= 1)
}

@Test func gemm4x24PacksEveryTransposedAThatSeveralPanelsRead() {
  // A weight gradient's shape (k = 384 tokens), with 150 rows (nine groups of 16, then slivers
  // of four and two) 153 floats apart: far below `GEMM.packedASpan`, packed because several
  // panels read it.
  let t = Case(transposeA: true, m: 150, n: 128, k: 384, alpha: 0.5, beta: -1, padA: 3)
  #expect(Kernel4x24.kc * t.lda * MemoryLayout<Float>.stride < GEMM.packedASpan)
  #expect(packsA(t, Kernel4x24.self))
  for workers in [1, 2] {
    #expect(check(t, workers: workers, kernel: .narrow).ratio <= 1, "workers=\(workers)")
  }
  // One panel reads A in place; its columns are the same sums as the packed product's first 24.
  var one = t
  one.n = 24
  #expect(!packsA(one, Kernel4x24.self))
  var rng = SplitMix(state: 7)
  let a = rng.array(t.sizeA)
  let b = rng.array(t.k * t.n)
  var wide = [Float](repeating: 0, count: t.m * t.n)
  var narrow = [Float](repeating: 0, count: t.m * 24)
  GEMM.multiply(
    transposeA: true, transposeB: false, m: t.m, n: t.n, k: t.k, a: a, lda: t.lda, b: b,
    ldb: t.n, c: &wide, ldc: t.n, kernel: .narrow)
  GEMM.multiply(
    transposeA: true, transposeB: false, m: t.m, n: 24, k: t.k, a: a, lda: t.lda, b: b,
    ldb: t.n, c: &narrow, ldc: 24, kernel: .narrow)
  #expect(
    (0..<t.m).allSatisfy { i in (0..<24).allSatisfy { wide[i * t.n + $0] == narrow[i * 24 + $0] } })
}

/// Whether `GEMM.run` packs op(A) for this product with micro-kernel `K`.
private func packsA<K: GEMMMicroKernel>(_ t: Case, _ kernel: K.Type) -> Bool {
  let x = UnsafeMutablePointer<Float>.allocate(capacity: 1)
  defer { x.deallocate() }
  let p = GEMM.Problem(
    transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k, alpha: 1, a: x,
    lda: t.lda, b: x, ldb: t.ldb, beta: 0, c: x, ldc: t.ldc)
  return GEMM.packsA(K.self, p)
}

@Test func gemmOverwritesNaNWhenBetaIsZero() {
  for kernel in kernels {
    for (m, n, k) in [(6, 16, 8), (13, 70, 9), (64, 64, 64), (5, 3, 0)] {
      let a = [Float](repeating: 1, count: m * k)
      let b = [Float](repeating: 2, count: k * n)
      var c = [Float](repeating: .nan, count: m * n)
      GEMM.multiply(
        transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: max(k, 1), b: b,
        ldb: n, c: &c, ldc: n, kernel: kernel)
      #expect(c.allSatisfy { $0 == Float(2 * k) }, "m=\(m) n=\(n) k=\(k)")
    }
  }
}

@Test func gemmResultsDoNotDependOnThreadCount() {
  for kernel in kernels {
    // With (300, 600, 520) an untransposed B's k blocks span 1.2 MiB: it is packed on one or
    // two threads (300 or 150 rows per packing) and read in place on three (100 rows each).
    // (603, 128, 1100) packs a transposed A and ends with two 16-wide 4×24 panels.
    for (m, n, k) in [
      (390, 300, 520), (300, 600, 520), (70, 500, 300), (100, 90, 1500), (1, 1000, 40),
      (1000, 1, 40), (603, 128, 1100),
    ] {
      for (ta, tb) in transposes {
        let t = Case(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.75, beta: 0.5)
        var rng = SplitMix(state: 7)
        let a = rng.array(t.sizeA)
        let b = rng.array(t.sizeB)
        let c0 = rng.array(t.sizeC)
        var outputs: [[Float]] = []
        for threads in [1, 2, 3] {
          var c = c0
          GEMM.multiply(
            transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: t.alpha, a: a, lda: t.lda,
            b: b, ldb: t.ldb, beta: t.beta, c: &c, ldc: t.ldc, workers: threads, kernel: kernel)
          outputs.append(c)
        }
        expectEqualElements(outputs[1], outputs[0], "m=\(m) n=\(n) k=\(k) \(ta) \(tb) \(kernel)")
        expectEqualElements(outputs[2], outputs[0], "m=\(m) n=\(n) k=\(k) \(ta) \(tb) \(kernel)")
      }
    }
  }
}

@Test func batchedGEMMMatchesReferenceAndIsThreadIndependent() {
  var rng = SplitMix(state: 3)
  for (ta, tb) in transposes {
    // Strides larger than the matrices, so gaps between them must stay untouched.
    let (m, n, k, batch) = (33, 17, 64, 9)
    let (strideA, strideB, strideC) = (m * k + 3, k * n + 5, m * n + 7)
    let a = rng.array(strideA * batch)
    let b = rng.array(strideB * batch)
    let c0 = rng.array(strideC * batch)
    let lda = ta ? m : k
    let ldb = tb ? k : n
    var expected = c0
    GEMMReference.batchedMultiply(
      transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 2, a: a, lda: lda, strideA: strideA,
      b: b, ldb: ldb, strideB: strideB, beta: 0.5, c: &expected, ldc: n, strideC: strideC,
      batch: batch)
    var results: [[Float]] = []
    for threads in [1, 2] {
      var c = c0
      GEMM.batchedMultiply(
        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 2, a: a, lda: lda,
        strideA: strideA, b: b, ldb: ldb, strideB: strideB, beta: 0.5, c: &c, ldc: n,
        strideC: strideC, batch: batch, workers: threads)
      results.append(c)
    }
    expectEqualElements(results[1], results[0])
    // Loose bound here: entries are sums of 64 products of values in [-1, 1).
    let worst = zip(results[0], expected).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-4, "transposeA=\(ta) transposeB=\(tb) worst=\(worst)")
  }
}

@Test func parallelForEachVisitsEveryIndexOnce() {
  for threads in [1, 2, 5] {
    for count in [0, 1, 2, 7, 100] {
      let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
      hits.initialize(repeating: 0, count: max(count, 1))
      Parallel.forEach(count, threads: threads) { hits[$0] += 1 }
      #expect((0..<count).allSatisfy { hits[$0] == 1 }, "threads=\(threads) count=\(count)")
      hits.deallocate()
    }
  }
}

@Test func narrowKernelShapesAgreeBitForBit() {
  // 4×24 and 6×16 share the k blocking, so each element is the same fused multiply-add chain.
  var rng = SplitMix(state: 11)
  let (m, n, k) = (50, 16, 2100)
  let a = rng.array(m * k)
  let b = rng.array(k * n)
  var outputs: [[Float]] = []
  for useWideTile in [false, true] {
    var c = [Float](repeating: .nan, count: m * n)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          let problem = GEMM.Problem(
            transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a.baseAddress!,
            lda: k, b: b.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
          if useWideTile {
            GEMM.run(Kernel4x24.self, problem, workers: 1)
          } else {
            GEMM.run(Kernel6x16.self, problem, workers: 1)
          }
        }
      }
    }
    outputs.append(c)
  }
  expectEqualElements(outputs[1], outputs[0])
}

@Test func sixteenWidePanelsOf4x24AreTheSameSumsAs6x16Tiles() {
  // n = 40 is one 24-wide panel and one 16 wide, which 4×24 runs as 6×16 tiles where A lies in
  // place. Its 16 columns must be the bits of `Kernel6x16` run on them alone, and of the same
  // product with A stored transposed (packed into 4-row slivers). m = 53 and 150 end in tiles
  // of 5 and of 6 rows; k = 1100 crosses a k block.
  var rng = SplitMix(state: 5)
  for m in [53, 150] {
    let (n, k) = (40, 1100)
    let a = rng.array(m * k)
    let aT = (0..<k * m).map { a[($0 % m) * k + $0 / m] }
    let b = rng.array(k * n)
    let c0 = rng.array(m * n)
    func product<K: GEMMMicroKernel>(
      _ kernel: K.Type, transposeA: Bool, columns: Range<Int>, workers: Int
    ) -> [Float] {
      var c = (0..<m).flatMap { i in columns.map { c0[i * n + $0] } }
      (transposeA ? aT : a).withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            let problem = GEMM.Problem(
              transposeA: transposeA, transposeB: false, m: m, n: columns.count, k: k,
              alpha: 0.5, a: a.baseAddress!, lda: transposeA ? m : k,
              b: b.baseAddress! + columns.lowerBound, ldb: n, beta: -1, c: c.baseAddress!,
              ldc: columns.count)
            GEMM.run(K.self, problem, workers: workers)
          }
        }
      }
      return c
    }
    let alone = product(Kernel6x16.self, transposeA: false, columns: 24..<40, workers: 1)
    for workers in [1, 2] {
      for transposeA in [false, true] {
        let whole = product(
          Kernel4x24.self, transposeA: transposeA, columns: 0..<n, workers: workers)
        let last = (0..<m).flatMap { i in (24..<40).map { whole[i * n + $0] } }
        expectEqualElements(last, alone, "m=\(m) transposeA=\(transposeA) workers=\(workers)")
      }
    }
  }
}

@Test func wideKernelsGiveIdenticalSums() {
  // The 12×16 and 12×32 tiles share the 6×64 tile's k blocking, so a product computes the same
  // bits whichever of them runs it; k = 1100 crosses two k-block boundaries.
  var rng = SplitMix(state: 11)
  for (transposeA, m, n, k) in [(false, 50, 16, 1100), (true, 37, 30, 1100), (false, 13, 9, 700)] {
    let a = rng.array(m * k)
    let b = rng.array(k * n)
    var outputs: [[Float]] = []
    for tile in 0..<3 {
      var c = [Float](repeating: .nan, count: m * n)
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            let problem = GEMM.Problem(
              transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 0.5,
              a: a.baseAddress!, lda: transposeA ? m : k, b: b.baseAddress!, ldb: n, beta: 0,
              c: c.baseAddress!, ldc: n)
            switch tile {
            case 0: GEMM.run(Kernel6x64.self, problem, workers: 1)
            case 1: GEMM.run(Kernel12x32.self, problem, workers: 1)
            default: GEMM.run(Kernel12x16.self, problem, workers: 2)
            }
          }
        }
      }
      outputs.append(c)
    }
    expectEqualElements(outputs[1], outputs[0], "m=\(m) n=\(n) k=\(k)")
    expectEqualElements(outputs[2], outputs[0], "m=\(m) n=\(n) k=\(k)")
    #expect(!outputs[0].contains { $0.isNaN })
  }
}

@Test func threadChoiceSplitsTallProductsEarlierThanShortOnes() {
  // 2·2048·64·24 ≈ 6.3 MFLOP: a tall product is split, a short one of the same size is not.
  #expect(GEMM.minimumSplitFlops < 6_291_456 && 6_291_456 < GEMM.singleThreadFlops)
  #expect(GEMM.workerCount(limit: 2, flops: 6_291_456, rows: 2048) == 2)
  #expect(GEMM.workerCount(limit: 2, flops: 6_291_456, rows: 64) == 1)
  #expect(GEMM.workerCount(limit: 2, flops: GEMM.minimumSplitFlops - 1, rows: 4096) == 1)
  #expect(GEMM.workerCount(limit: 2, flops: GEMM.singleThreadFlops, rows: 64) == 2)
  #expect(GEMM.workerCount(limit: 1, flops: GEMM.singleThreadFlops, rows: 4096) == 1)
}

@Test func publicThreadLimitGivesTheSameResult() {
  // 2·400·300·300 = 72 MFLOP: above `singleThreadFlops`, so `threads: 2` really splits.
  var rng = SplitMix(state: 5)
  let (m, n, k) = (400, 300, 300)
  let a = rng.array(m * k)
  let b = rng.array(k * n)
  var outputs: [[Float]] = []
  for threads in [1, 2, nil] {
    var c = [Float](repeating: .nan, count: m * n)
    GEMM.multiply(
      transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c,
      ldc: n, threads: threads)
    outputs.append(c)
  }
  expectEqualElements(outputs[1], outputs[0])
  expectEqualElements(outputs[2], outputs[0])
}
