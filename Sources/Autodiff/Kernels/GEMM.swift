import Foundation

/// Single-precision matrix multiply on row-major buffers:
/// `C = alpha·op(A)·op(B) + beta·C`, where `op(X)` is `X` or `Xᵀ`, `op(A)` is `m × k`,
/// `op(B)` is `k × n` and `C` is `m × n`.
///
/// Blocks of op(B) are packed into cache-sized panels and multiplied by a register-blocked SIMD
/// micro-kernel (4×24, or 6×16 for at most 16 columns and for 16-wide panels of an A read in
/// place, where vectors are 256 bits or narrower; on AVX-512 6×64, or 12×16 and 12×32 for at
/// most 16 and 32 columns), with the loop nest of BLIS (NC → KC → MC → NR → MR). A is read
/// where it lies: the micro-kernel broadcasts its elements one at a time, so packing it would
/// only add a copy; except a transposed A, where a tile reads each k from a cache line (and,
/// once its k blocks span `packedASpan` bytes, a page) of its own, used for only `mr` of its
/// values (see `packsA`). So is an untransposed B, whose rows already hold each panel's `nr`
/// values per k, unless its k blocks span more than `inPlaceSpan` bytes and one packing serves
/// at least `packedBRows` rows of C (see `readsBInPlace`); a transposed B, and a last panel
/// narrower than `nr`, are always packed.
///
/// - Leading dimensions `lda`, `ldb`, `ldc` are row strides in elements of the matrices *as
///   stored* (so `lda >= k` for untransposed A, `lda >= m` for transposed A).
/// - When `beta == 0`, C is written without being read: NaN or garbage there is overwritten.
/// - Threads take blocks of whole rows of C one at a time (blocks of whole columns when C has
///   few rows); the k reduction is never split, and each element is one fused multiply-add chain
///   over k in a fixed blocking, so results are bit-identical for any thread count.
/// - `threads` is an upper bound (default `Parallel.threadCount`): small products run on one
///   thread, which is faster there (see `workerCount`).
/// - Complexity: `2·m·n·k` flops; extra memory is per-thread packing buffers (a few MiB, up to
///   16 MiB of packed B per thread for multi-threaded products), allocated once and reused.
public enum GEMM {
  /// Below this many flops (`2·m·n·k`) a product with few rows runs on one thread: every worker
  /// packs all of op(B), which costs as much as its share of a short product. Measured with
  /// `betti bench gemm --threads 2` (Zen 3, three rounds alternating with a 30 MFLOP threshold):
  /// 1.2–1.8× faster split from 12 MFLOP (the weight gradients 128×384×128 and 128×768×128 of
  /// the attention projection, 65×768×128 of a tied head), no steady difference at 8–9.
  public static let singleThreadFlops = 8_000_000
  /// Below this many flops per product a batch of several is split between threads, each product
  /// whole on one (see `batchedMultiply`): nothing is packed twice, and no thread waits for
  /// another inside a product.
  public static let batchSplitFlops = 30_000_000
  /// Below this many flops any product runs on one thread: waking a second core costs more than
  /// it saves.
  public static let minimumSplitFlops = 4_000_000
  /// Rows from which a product counts as tall, so that packing op(B) once per worker is cheap
  /// beside the work and products down to `minimumSplitFlops` are split.
  static let tallRows = 256
  /// Bytes a k block of an untransposed B may span (`kc` rows `ldb` apart) and still be read in
  /// place: beyond it each panel's rows lie on so many pages and L2 sets that a packed copy is
  /// faster. Measured with `betti bench gemm` (AVX-512, one thread): products of 1024 rows with
  /// k = 1024 (2 MiB blocks) run 1.4–3× faster packed, whatever `n`; the training shapes of the
  /// reference workloads (blocks up to 1 MiB) are no faster packed, and the small one is 3%
  /// slower. On the Zen 3 (AVX2, 512 KiB L2), packing every such B (a 0-byte span) made 300
  /// steps of `Configs/shakespeare_char.json` no faster (8 rounds alternating, median 1.02×).
  static let inPlaceSpan = 1 << 20
  /// Bytes from which a k block of a transposed A (`kc` rows `lda` apart, each giving a tile its
  /// `mr` values for one k) is packed by every kernel: a tile reads one cache line per k, on a
  /// page of its own once rows are 4 KiB apart. Measured with `betti bench gemm` (AVX2, one
  /// thread, packing then one k at a time across all slivers): products whose blocks span 1 MiB
  /// or more ran 1.2–1.4× faster packed (m = 1024, 2048 with k = 512, 256; k = 1024 with m =
  /// 256). Below it only the 4×24 kernel packs (`GEMMMicroKernel.packsTransposedA`); smaller
  /// spans on the AVX-512 kernels have not been measured packed.
  static let packedASpan = 1 << 20
  /// Rows of C below which an untransposed B is read in place however far its rows lie apart:
  /// the copy would cost as much as the product (reading in place is 8% faster at 96 rows and
  /// 2× at one).
  static let packedBRows = 128

  /// `C = alpha·op(A)·op(B) + beta·C`; see the type's documentation.
  public static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil
  ) {
    multiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a,
      lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
      workers: workerCount(limit: threads, flops: 2 * m * n * k, rows: m), kernel: kernel)
  }

  /// `multiply` on exactly `workers` threads with an explicit micro-kernel (tests use it to
  /// check both kernels, and several threads on small products, on any machine).
  static func multiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int, workers: Int = 1, kernel: KernelChoice = kernel
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "GEMM.multiply: negative size m=\(m) n=\(n) k=\(k)")
    precondition(
      lda >= max(1, transposeA ? m : k) && ldb >= max(1, transposeB ? k : n) && ldc >= max(1, n),
      "GEMM.multiply: leading dimension too small (m=\(m) n=\(n) k=\(k) lda=\(lda) ldb=\(ldb) ldc=\(ldc))"
    )
    let problem = Problem(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    let workers = max(1, workers)
    switch kernel {
    case .narrow where n <= 16: run(Kernel6x16.self, problem, workers: workers)
    case .narrow: run(Kernel4x24.self, problem, workers: workers)
    case .wide where n <= 16: run(Kernel12x16.self, problem, workers: workers)
    case .wide where n <= 32: run(Kernel12x32.self, problem, workers: workers)
    case .wide: run(Kernel6x64.self, problem, workers: workers)
    }
  }

  /// `batch` independent products `C_t = alpha·op(A_t)·op(B_t) + beta·C_t`, where matrix `t`
  /// starts at `a + t·strideA`, `b + t·strideB`, `c + t·strideC` (the C blocks must not overlap).
  ///
  /// `threads` is an upper bound, as for `multiply`. When each product is small (below
  /// `batchSplitFlops`) and the whole batch is at least `minimumSplitFlops`, the batch is split
  /// between threads, each product running on one thread; otherwise the products run in turn,
  /// each on as many threads as `multiply` would give it. Either way each product's result is the
  /// same as `multiply` gives it.
  public static func batchedMultiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int,
    strideB: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, batch: Int,
    threads: Int? = nil
  ) {
    batchedMultiply(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a,
      lda: lda, strideA: strideA, b: b, ldb: ldb, strideB: strideB, beta: beta, c: c, ldc: ldc,
      strideC: strideC, batch: batch,
      workers: 2 * m * n * k * batch < minimumSplitFlops
        ? 1 : max(1, threads ?? Parallel.threadCount))
  }

  /// `batchedMultiply` on up to exactly `workers` threads (for tests).
  static func batchedMultiply(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int,
    strideB: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
    batch: Int, workers: Int
  ) {
    precondition(batch >= 0, "GEMM.batchedMultiply: negative batch \(batch)")
    let split = workers > 1 && batch > 1 && 2 * m * n * k < batchSplitFlops
    let productWorkers =
      split ? 1 : min(workers, workerCount(limit: nil, flops: 2 * m * n * k, rows: m))
    Parallel.forEach(batch, threads: split ? workers : 1) { t in
      multiply(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
        a: a + t * strideA, lda: lda, b: b + t * strideB, ldb: ldb, beta: beta,
        c: c + t * strideC, ldc: ldc, workers: productWorkers)
    }
  }

  /// Threads for a product of `flops` with `rows` rows of C: one below `minimumSplitFlops`, and
  /// below `singleThreadFlops` unless the product is tall; else `limit` (default
  /// `Parallel.threadCount`).
  static func workerCount(limit: Int?, flops: Int, rows: Int) -> Int {
    let threshold = rows >= tallRows ? minimumSplitFlops : singleThreadFlops
    return flops < threshold ? 1 : max(1, limit ?? Parallel.threadCount)
  }

  // MARK: - Kernel choice

  /// Which micro-kernel shape the blocked loop uses.
  enum KernelChoice: Sendable {
    /// 4×24 (6×16 when C has at most 16 columns): for 256-bit (AVX2) or 128-bit (NEON, SSE)
    /// vectors. Both use the same k blocking, so they give bit-identical results.
    case narrow
    /// 6×64 (12×16 or 12×32 when C has at most 16 or 32 columns): for 512-bit vectors
    /// (AVX-512), where 4×24 cannot keep the FMA units busy. All three use the same k blocking.
    case wide
  }

  /// The micro-kernel in use, chosen once from the processor's features.
  static let kernel = detectKernel()

  private static func detectKernel() -> KernelChoice {
    #if arch(x86_64) && BETTI_FMA && os(Linux)
      // The build targets the native CPU, so 512-bit code runs only where the CPU has it.
      if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
        flags.split(separator: " ").contains("avx512f")
      {
        return .wide
      }
    #endif
    return .narrow
  }

  // MARK: - Blocked loop

  struct Problem {
    var transposeA: Bool
    var transposeB: Bool
    var m: Int
    var n: Int
    var k: Int
    var alpha: Float
    var a: UnsafePointer<Float>
    var lda: Int
    var b: UnsafePointer<Float>
    var ldb: Int
    var beta: Float
    var c: UnsafeMutablePointer<Float>
    var ldc: Int
    /// Whether whole panels of op(B) are read where they lie (set by `run`, per kernel).
    var readsBInPlace = false
    /// Whether blocks of a transposed A are packed before use (set by `run`; see `packsA`).
    var packsA = false
  }

  static func run<K: GEMMMicroKernel>(_ kernel: K.Type, _ problem: Problem, workers: Int) {
    var p = problem
    if p.m == 0 || p.n == 0 { return }
    if p.k == 0 || p.alpha == 0 {
      scale(p)
      return
    }
    p.packsA = packsA(K.self, p)
    if workers > 1 && p.m >= 2 * workers * K.mr {
      // Each worker packs op(B) for itself, so one packing serves one worker's rows.
      p.readsBInPlace = readsBInPlace(K.self, p, rowsPerPacking: p.m / workers)
      rowBlockedProduct(K.self, p, workers: workers)
      return
    }
    // Few rows: split C into `parts` blocks of whole micro-tiles along its longer side.
    let splitRows = p.m >= p.n
    let tile = splitRows ? K.rowGroup(packedA: p.packsA) : K.nr
    let tiles = ((splitRows ? p.m : p.n) + tile - 1) / tile
    let parts = min(workers, tiles)
    p.readsBInPlace = readsBInPlace(K.self, p, rowsPerPacking: splitRows ? p.m / parts : p.m)
    Parallel.forEach(parts, threads: parts) { part in
      let first = part * tiles / parts * tile
      let last = min((part + 1) * tiles / parts * tile, splitRows ? p.m : p.n)
      let buffer = PackingBuffers.acquire(K.self)
      defer { PackingBuffers.release(K.self, buffer) }
      if splitRows {
        blocked(K.self, p, rows: first..<last, columns: 0..<p.n, buffer: buffer)
      } else {
        blocked(K.self, p, rows: 0..<p.m, columns: first..<last, buffer: buffer)
      }
    }
  }

  /// Whether the whole panels of op(B) are read where they lie: only for an untransposed B and a
  /// kernel that can, and then unless its k blocks span more than `inPlaceSpan` bytes and a
  /// packing would serve at least `packedBRows` rows.
  static func readsBInPlace<K: GEMMMicroKernel>(
    _ kernel: K.Type, _ p: Problem, rowsPerPacking rows: Int
  ) -> Bool {
    guard K.readsBInPlace && !p.transposeB else { return false }
    let span = min(K.kc, p.k) * p.ldb * MemoryLayout<Float>.stride
    return span <= inPlaceSpan || rows < packedBRows
  }

  /// Whether blocks of op(A) are packed: only for a transposed A, and then when its k blocks
  /// span at least `packedASpan` bytes, or when more than one panel reads it and the kernel
  /// packs every such A (`K.packsTransposedA`).
  static func packsA<K: GEMMMicroKernel>(_ kernel: K.Type, _ p: Problem) -> Bool {
    guard p.transposeA else { return false }
    return (K.packsTransposedA && p.n > K.nr)
      || min(K.kc, p.k) * p.lda * MemoryLayout<Float>.stride >= packedASpan
  }

  /// Single-threaded blocked product for the block `rows × columns` of C.
  static func blocked<K: GEMMMicroKernel>(
    _ kernel: K.Type, _ p: Problem, rows: Range<Int>, columns: Range<Int>,
    buffer: UnsafeMutablePointer<Float>
  ) {
    let packedB = buffer
    let scratch = packedB + K.kc * K.nc
    var jc = columns.lowerBound
    while jc < columns.upperBound {
      let nc = min(K.nc, columns.upperBound - jc)
      var pc = 0
      while pc < p.k {
        let kc = min(K.kc, p.k - pc)
        // Later k blocks add to what the first one wrote.
        let beta: Float = pc == 0 ? p.beta : 1
        packPanels(K.self, p, row: pc, col: jc, depth: kc, columns: nc, into: packedB)
        var ic = rows.lowerBound
        while ic < rows.upperBound {
          let mc = min(K.blockRows(depth: kc, packedA: p.packsA), rows.upperBound - ic)
          macroKernel(
            K.self, p, rows: ic..<(ic + mc), depth: pc..<(pc + kc), beta: beta,
            columns: jc..<(jc + nc),
            packedB: packedB, scratch: scratch)
          ic += mc
        }
        pc += kc
      }
      jc += nc
    }
  }

  /// Packs the panels of the `depth × columns` block of op(B) at (`row`, `col`) that are not read
  /// in place (all of them unless `p.readsBInPlace`; else those from the first narrower than `nr`)
  /// into `dst`, each at the offset it has when every panel is packed.
  @inline(__always)
  static func packPanels<K: GEMMMicroKernel>(
    _ kernel: K.Type, _ p: Problem, row: Int, col: Int, depth: Int, columns: Int,
    into dst: UnsafeMutablePointer<Float>
  ) {
    var first = 0
    while p.readsBInPlace && first < columns {
      let width = K.panel(remaining: columns - first).width
      if width < K.nr { break }
      first += width
    }
    guard first < columns else { return }
    packB(
      K.self, transposed: p.transposeB, b: p.b, ldb: p.ldb, row: row, col: col + first,
      depth: depth, columns: columns - first, into: dst + first * depth)
  }

  /// Multiplies one block of op(A) (`rows × depth`), read where it lies (or first packed after
  /// the edge tile in `scratch` when `p.packsA`), by the panels of op(B) (`depth × columns`):
  /// whole panels read in place when `p.readsBInPlace`, the others from `packedB`. Merges into C
  /// with `beta`.
  @inline(__always)
  static func macroKernel<K: GEMMMicroKernel>(
    _ kernel: K.Type, _ p: Problem, rows: Range<Int>, depth: Range<Int>, beta: Float,
    columns: Range<Int>, packedB: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>
  ) {
    let (mc, kc, nc) = (rows.count, depth.count, columns.count)
    let packedA = scratch + K.mr * K.nr
    if p.packsA {
      packTransposedA(a: p.a, lda: p.lda, rows: rows, depth: depth, mr: K.mr, into: packedA)
    }
    var jr = 0
    while jr < nc {
      let (width, stride) = K.panel(remaining: nc - jr)
      let (panelB, bStride) =
        p.readsBInPlace && width == K.nr
        ? (p.b + depth.lowerBound * p.ldb + columns.lowerBound + jr, p.ldb)
        : (packedB + jr * kc, stride)
      let tileRows = K.tileRows(panelWidth: width, packedA: p.packsA)
      var ir = 0
      while ir < mc {
        let height = min(tileRows, mc - ir)
        let a: UnsafePointer<Float>
        let strides: (row: Int, depth: Int)
        if p.packsA {
          (a, strides) = (UnsafePointer(packedA + ir * kc), (1, K.mr))
        } else if p.transposeA {
          (a, strides) = (p.a + depth.lowerBound * p.lda + rows.lowerBound + ir, (1, p.lda))
        } else {
          (a, strides) = (p.a + (rows.lowerBound + ir) * p.lda + depth.lowerBound, (p.lda, 1))
        }
        K.run(
          kc: kc, a: a, aStrides: strides, aRows: height, b: panelB, bStride: bStride,
          c: p.c + (rows.lowerBound + ir) * p.ldc + columns.lowerBound + jr, ldc: p.ldc,
          alpha: p.alpha, beta: beta, rows: height, columns: width, scratch: scratch)
        ir += tileRows
      }
      jr += width
    }
  }

  /// `C = beta·C` (zeros when beta == 0, without reading C): the whole product when k == 0 or
  /// alpha == 0.
  private static func scale(_ p: Problem) {
    for i in 0..<p.m {
      let row = p.c + i * p.ldc
      if p.beta == 0 {
        row.update(repeating: 0, count: p.n)
      } else {
        for j in 0..<p.n { row[j] = p.beta * row[j] }
      }
    }
  }
}

/// Packing buffers, 64-byte aligned, one per concurrent caller and kernel shape, kept for reuse.
enum PackingBuffers {
  private static let pools = Locked([ObjectIdentifier: [UnsafeMutablePointer<Float>]]())

  static func acquire<K: GEMMMicroKernel>(_ kernel: K.Type) -> UnsafeMutablePointer<Float> {
    if let buffer = pools.withLock({ $0[ObjectIdentifier(K.self)]?.popLast() }) { return buffer }
    let count = K.bufferFloats
    let raw = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
    return raw.bindMemory(to: Float.self, capacity: count)
  }

  static func release<K: GEMMMicroKernel>(_ kernel: K.Type, _ buffer: UnsafeMutablePointer<Float>) {
    pools.withLock { $0[ObjectIdentifier(K.self), default: []].append(buffer) }
  }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value
  init(_ value: Value) { stored = value }
  var value: Value {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
  func withLock<R>(_ body: (inout Value) -> R) -> R {
    lock.withLock { body(&stored) }
  }
}
