import Autodiff
import Foundation

/// Jensen–Shannon distances between the rows of a tensor, on the tape.
///
/// For probability rows `P`, `Q` (entries ≥ 0, each row summing to 1) with midpoint
/// `M = (P + Q)/2`, the divergence is `JS(P, Q) = ½ KL(P‖M) + ½ KL(Q‖M)` with logarithms to
/// `base` (base 2: values in [0, 1]). The distance returned is the *smoothed* square root
///
///     d(P, Q) = √(JS(P, Q) + ε) − √ε,
///
/// because `√JS` has infinite slope at 0: two nearly identical rows joined by a
/// minimum-spanning-tree edge would send an unbounded gradient into attention (PH_NOTES §4,
/// pitfall 4). With `ε > 0` the slope at 0 is `1/(2√ε)`; subtracting `√ε` keeps identical rows
/// at exactly 0, and since `x ↦ √(x + ε) − √ε` is concave, increasing and 0 at 0, `d` is still
/// a metric. It differs from `√JS` by less than `√ε`. `ε = 0` gives the exact distance (and an
/// infinite derivative at identical rows).
///
/// Zero entries are exact in the value (`0 · log 0 = 0`). In the gradient an entry that is
/// exactly 0 is taken to be a structural zero (a masked position of causal attention) and gets
/// derivative 0: its one-sided derivative is −∞ when the other row is positive there, and 0/0
/// when both are 0. Through a masked softmax this is the exact gradient with respect to the
/// unmasked logits, because the softmax backward multiplies every entry's gradient by the
/// entry itself.
///
/// Sums are accumulated in Double; values and gradients are rounded once to Float32.
public enum JensenShannon {
  /// The default smoothing `ε`: slope at most `1/(2√ε) = 500`, bias at most `√ε = 10⁻³`.
  public static let defaultSmoothing = 1e-6

  /// The `n × n` matrix of smoothed distances between the rows of `rows`, shape `(n, m)`.
  ///
  /// The result is exactly symmetric with a zero diagonal; its gradient flows to `rows`.
  /// - Precondition: `rows` has rank 2 and every entry is finite and ≥ 0; `base > 1`, `ε ≥ 0`.
  /// - Complexity: O(n² m) time with one logarithm per pair and column (forward and backward).
  public static func distances(
    _ rows: Tensor, base: Double = 2, smoothing: Double = defaultSmoothing
  ) -> Tensor {
    precondition(rows.rank == 2, "JensenShannon.distances: rows of shape \(rows.shape), not (n, m)")
    let n = rows.shape[0]
    var pairs: [(Int, Int)] = []
    pairs.reserveCapacity(n * (n - 1) / 2)
    for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { pairs.append((i, j)) } }
    let kernel = Kernel(rows: rows, base: base, smoothing: smoothing, op: "distances")
    let d = kernel.values(pairs)
    let out = Tensor.zeros([n, n])
    for (k, (i, j)) in pairs.enumerated() {
      out.pointer[i * n + j] = Float(d[k])
      out.pointer[j * n + i] = Float(d[k])
    }
    return Tensor.custom(out, inputs: [rows]) { g in
      // both (i, j) and (j, i) hold d(i, j)
      let coefficients = pairs.map {
        Double(g.pointer[$0.0 * n + $0.1] + g.pointer[$0.1 * n + $0.0])
      }
      return [kernel.gradient(pairs, values: d, coefficients: coefficients)]
    }
  }

  /// Smoothed distances `d(rows[i], rows[j])` for each `(i, j)` of `pairs`, shape `(k)`.
  ///
  /// - Precondition: as `distances(_:base:smoothing:)`; indices within `0..<n`.
  /// - Complexity: O(k m).
  public static func pairDistances(
    _ rows: Tensor, pairs: [(Int, Int)], base: Double = 2, smoothing: Double = defaultSmoothing
  ) -> Tensor {
    precondition(
      rows.rank == 2, "JensenShannon.pairDistances: rows of shape \(rows.shape), not (n, m)")
    let n = rows.shape[0]
    for (i, j) in pairs {
      precondition(
        i >= 0 && i < n && j >= 0 && j < n,
        "JensenShannon.pairDistances: pair (\(i), \(j)) out of range for \(n) rows")
    }
    let kernel = Kernel(rows: rows, base: base, smoothing: smoothing, op: "pairDistances")
    let d = kernel.values(pairs)
    let out = Tensor(d.map { Float($0) }, shape: [pairs.count])
    return Tensor.custom(out, inputs: [rows]) { g in
      let coefficients = (0..<pairs.count).map { Double(g.pointer[$0]) }
      return [kernel.gradient(pairs, values: d, coefficients: coefficients)]
    }
  }

  /// The rows (copied, in Double) and the constants shared by forward and backward.
  private struct Kernel {
    let p: [Double]
    let n: Int
    let m: Int
    /// `1 / (2 ln base)`: nats of `Σ` to `JS` in `base`.
    let toBase: Double
    let smoothing: Double

    init(rows: Tensor, base: Double, smoothing: Double, op: String) {
      precondition(base > 1, "JensenShannon.\(op): base \(base) must be > 1")
      precondition(smoothing >= 0, "JensenShannon.\(op): smoothing \(smoothing) must be ≥ 0")
      n = rows.shape[0]
      m = rows.shape[1]
      p = rows.scalars.map(Double.init)
      for (index, x) in p.enumerated() {
        precondition(
          x.isFinite && x >= 0,
          "JensenShannon.\(op): rows[\(index / max(m, 1))][\(index % max(m, 1))] = \(x) is not a probability"
        )
      }
      toBase = 0.5 / Foundation.log(base)
      self.smoothing = smoothing
    }

    /// `Σ_k p ln p + q ln q − s ln(s/2)` (nats, ≥ 0), `s = p + q`, for rows `a` and `b`.
    func sum(_ a: Int, _ b: Int) -> Double {
      var total = 0.0
      p.withUnsafeBufferPointer { p in
        let (x, y) = (p.baseAddress! + a * m, p.baseAddress! + b * m)
        for k in 0..<m {
          let (u, v) = (x[k], y[k])
          if u == v { continue }  // both terms cancel exactly
          let mid = 0.5 * (u + v)
          let logMid = Foundation.log(mid)
          if u > 0 { total += u * (Foundation.log(u) - logMid) }
          if v > 0 { total += v * (Foundation.log(v) - logMid) }
        }
      }
      return max(0, total)
    }

    func values(_ pairs: [(Int, Int)]) -> [Double] {
      let root = smoothing.squareRoot()
      return pairs.map { (sum($0.0, $0.1) * toBase + smoothing).squareRoot() - root }
    }

    /// `Σ_pairs c · ∂d/∂rows`, shaped like the rows.
    func gradient(_ pairs: [(Int, Int)], values d: [Double], coefficients: [Double]) -> Tensor {
      var grad = [Double](repeating: 0, count: n * m)
      let root = smoothing.squareRoot()
      p.withUnsafeBufferPointer { p in
        grad.withUnsafeMutableBufferPointer { grad in
          for (index, (a, b)) in pairs.enumerated() where coefficients[index] != 0 && a != b {
            // d = √(S·toBase + ε) − √ε  ⇒  ∂d/∂S = toBase / (2 (d + √ε))
            let radius = d[index] + root
            guard radius > 0 else { continue }  // ε = 0 and identical rows: no derivative
            let c = coefficients[index] * toBase / (2 * radius)
            let (x, y) = (p.baseAddress! + a * m, p.baseAddress! + b * m)
            let (gx, gy) = (grad.baseAddress! + a * m, grad.baseAddress! + b * m)
            for k in 0..<m {
              let (u, v) = (x[k], y[k])
              if u == v { continue }  // ∂S/∂u = ln(u/mid) = 0
              let logMid = Foundation.log(0.5 * (u + v))
              // ∂S/∂u = ln u − ln mid; a zero entry is structural (see the type's comment)
              if u > 0 { gx[k] += c * (Foundation.log(u) - logMid) }
              if v > 0 { gy[k] += c * (Foundation.log(v) - logMid) }
            }
          }
        }
      }
      return Tensor(grad.map { Float($0) }, shape: [n, m])
    }
  }
}
