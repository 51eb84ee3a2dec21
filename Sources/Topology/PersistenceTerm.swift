import Autodiff
import Foundation

/// Losses on persistence diagrams that are differentiable in the distance matrix.
///
/// Each finite bar's birth and death equal specific distance-matrix entries (see
/// `PersistencePair`: H0 death = its Kruskal merge edge; H1 birth = the column's edge, death =
/// the youngest edge of the death triangle). Wherever the filtration order is locally
/// constant, the diagram is a selection of entries and the gradient of a loss on it is
/// scattered onto exactly those entries (scatter-add: one edge may serve several bars). On ties
/// this is one subgradient among several, chosen by Ripser's deterministic order.
public enum PersistenceTerm {
  /// `Σ (death − birth)^p` over the finite bars of dimension `dimension` (0 or 1) of the
  /// Vietoris–Rips filtration of `distances`, an `(n, n)` tensor, and the diagrams themselves.
  ///
  /// The filtration is built from `½ (d[i][j] + d[j][i])` for `i < j` with a zero diagonal, so
  /// the gradient of each used entry is split equally between `[i][j]` and `[j][i]` (the exact
  /// gradient of that symmetrization; for a symmetric matrix either half carries it).
  /// Essential bars are excluded (they have no death edge); zero-persistence bars are never in
  /// the diagram, so they get no gradient (PH_NOTES §4, pitfall 3).
  ///
  /// - Parameters:
  ///   - exponent: `p > 0`; with `p < 1` bars of persistence near 0 have unbounded slope.
  ///   - threshold: as `VietorisRips.persistence(of:threshold:)` (default: enclosing radius).
  /// - Precondition: `distances` is square; off-diagonal entries are finite and ≥ 0.
  /// - Complexity: that of the persistence computation, plus O(n²) for the gradient.
  public static func totalPersistence(
    of distances: Tensor, dimension: Int, exponent p: Double = 1, threshold: Float? = nil
  ) -> (value: Tensor, persistence: RipsPersistence) {
    precondition(
      distances.rank == 2 && distances.shape[0] == distances.shape[1],
      "PersistenceTerm.totalPersistence: distances of shape \(distances.shape) are not (n, n)")
    precondition(dimension == 0 || dimension == 1, "PersistenceTerm: dimension \(dimension)")
    precondition(p > 0, "PersistenceTerm.totalPersistence: exponent \(p) must be > 0")
    let n = distances.shape[0]
    let d = distances.pointer
    let matrix = DistanceMatrix(count: n) { i, j in
      0.5 * (Double(d[i * n + j]) + Double(d[j * n + i]))
    }
    let persistence = VietorisRips.persistence(of: matrix, threshold: threshold)
    let bars = (dimension == 0 ? persistence.h0 : persistence.h1).finitePairs
    var total = 0.0
    var slopes: [Double] = []  // ∂(d − b)^p / ∂(d − b) per bar
    for bar in bars {
      let length = Double(bar.death) - Double(bar.birth)
      total += Foundation.pow(length, p)
      slopes.append(p * Foundation.pow(length, p - 1))
    }
    let value = Tensor(scalar: Float(total))
    let result = Tensor.custom(value, inputs: [distances]) { g in
      let grad = Tensor.zeros([n, n])
      let upstream = Double(g.item)
      func add(_ edge: Edge?, _ amount: Double) {
        guard let edge else { return }
        grad.pointer[edge.i * n + edge.j] += Float(0.5 * amount)
        grad.pointer[edge.j * n + edge.i] += Float(0.5 * amount)
      }
      for (bar, slope) in zip(bars, slopes) {
        add(bar.deathEdge, upstream * slope)
        add(bar.birthEdge, -upstream * slope)  // nil for H0: born at 0
      }
      return [grad]
    }
    return (result, persistence)
  }
}
