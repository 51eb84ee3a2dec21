import Autodiff
import Foundation
import Topology

/// The differentiable topology terms of attention: diagram terms of one head's Jensen–Shannon
/// matrix and the diversity of a layer's heads. All take attention rows on the tape, so their
/// gradients reach the model's weights through the softmax.
public enum AttentionTerms {
  /// The `(H, n, n)` block of attention `(B, nh, T, T)` for one sequence of the batch, the
  /// given heads (in order) and the first `tokens` query and key positions, on the tape.
  ///
  /// With causal attention the first `n` rows are supported on the first `n` keys, so the block
  /// is row-stochastic; with bidirectional attention the rows keep only their mass on the
  /// first `n` keys (use all `T` tokens there). The backward writes into a zero tensor of the
  /// attention's shape (one allocation per call: gather all heads of a layer at once).
  public static func headBlock(
    _ attention: Tensor, sequence: Int, heads: [Int], tokens n: Int
  ) -> Tensor {
    precondition(
      attention.rank == 4 && attention.shape[2] == attention.shape[3],
      "AttentionTerms.headBlock: attention of shape \(attention.shape) is not (B, nh, T, T)")
    let (b, nh, t) = (attention.shape[0], attention.shape[1], attention.shape[2])
    precondition(
      sequence >= 0 && sequence < b && n >= 1 && n <= t && heads.allSatisfy { $0 >= 0 && $0 < nh },
      "AttentionTerms.headBlock: sequence \(sequence), heads \(heads), tokens \(n) out of range for \(attention.shape)"
    )
    let out = Tensor(uninitializedShape: [heads.count, n, n])
    func offset(_ head: Int, _ row: Int) -> Int { ((sequence * nh + head) * t + row) * t }
    for (k, head) in heads.enumerated() {
      for row in 0..<n {
        (out.pointer + (k * n + row) * n).update(
          from: attention.pointer + offset(head, row), count: n)
      }
    }
    let shape = attention.shape
    return Tensor.custom(out, inputs: [attention]) { g in
      let grad = Tensor.zeros(shape)
      for (k, head) in heads.enumerated() {
        for row in 0..<n {
          let (dst, src) = (grad.pointer + offset(head, row), g.pointer + (k * n + row) * n)
          for col in 0..<n { dst[col] += src[col] }  // `+=`: a head may be listed twice
        }
      }
      return [grad]
    }
  }

  /// `Σ (death − birth)^p` over the finite bars of dimension `dimension` of the Rips filtration
  /// of the smoothed Jensen–Shannon matrix (base 2) of the rows of `rows`, `(n, m)`, and the
  /// diagrams.
  public static func totalPersistence(
    rows: Tensor, dimension: Int, exponent p: Double = 1,
    smoothing: Double = JensenShannon.defaultSmoothing
  ) -> (value: Tensor, persistence: RipsPersistence) {
    let distances = JensenShannon.distances(rows, smoothing: smoothing)
    return PersistenceTerm.totalPersistence(of: distances, dimension: dimension, exponent: p)
  }

  /// `−mean_{a<b} D(H_a, H_b)` with `D(H_a, H_b) = Σ_t JSD(H_a(t), H_b(t))`, the head distance
  /// of the seed paper (§6), over the heads of `heads`, shape `(H, n, m)`: row `t` of head `a`
  /// against row `t` of head `b` (smoothed JSD, base 2). Minimizing it pushes heads apart.
  /// Zero for fewer than two heads.
  public static func headDiversity(
    heads: Tensor, smoothing: Double = JensenShannon.defaultSmoothing
  ) -> Tensor {
    precondition(
      heads.rank == 3, "AttentionTerms.headDiversity: shape \(heads.shape) is not (H, n, m)")
    let (h, n, m) = (heads.shape[0], heads.shape[1], heads.shape[2])
    var pairs: [(Int, Int)] = []
    for a in 0..<h {
      for b in (a + 1)..<max(a + 1, h) { for t in 0..<n { pairs.append((a * n + t, b * n + t)) } }
    }
    guard !pairs.isEmpty else { return heads.sum() * 0 }
    let d = JensenShannon.pairDistances(
      heads.reshaped([h * n, m]), pairs: pairs, smoothing: smoothing)
    return d.sum() * (-1 / Float(h * (h - 1) / 2))
  }

  /// The head-distance matrix `D(H_a, H_b)` of the seed paper (§6) over the heads of `heads`,
  /// `(H, n, m)`, with the exact (unsmoothed) base-`base` Jensen–Shannon distance; not on the
  /// tape. Its persistence is the "global" persistent homology of the heads.
  public static func headDistanceMatrix(heads: Tensor, base: Double = 2) -> DistanceMatrix {
    precondition(heads.rank == 3, "AttentionTerms.headDistanceMatrix: shape \(heads.shape)")
    let (h, n, m) = (heads.shape[0], heads.shape[1], heads.shape[2])
    var pairs: [(Int, Int)] = []
    for a in 0..<h {
      for b in (a + 1)..<max(a + 1, h) { for t in 0..<n { pairs.append((a * n + t, b * n + t)) } }
    }
    let d = Tensor.withoutGradients {
      JensenShannon.pairDistances(
        heads.reshaped([h * n, m]), pairs: pairs, base: base, smoothing: 0)
    }.scalars
    var entries = [Float](repeating: 0, count: h * h)
    var k = 0
    for a in 0..<h {
      for b in (a + 1)..<max(a + 1, h) {
        var s = 0.0
        for _ in 0..<n {
          s += Double(d[k])
          k += 1
        }
        entries[a * h + b] = Float(s)
        entries[b * h + a] = Float(s)
      }
    }
    return try! DistanceMatrix(entries: entries, count: h)
  }
}
