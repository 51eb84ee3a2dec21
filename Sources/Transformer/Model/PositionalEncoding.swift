import Autodiff
import Foundation

/// Rotary position embedding (RoPE, Su et al. 2021) in the half-split layout:
/// `x·cos + rotate_half(x)·sin`, with `rotate_half([x₁, x₂]) = [−x₂, x₁]` and frequency
/// `10000^(−2i/d)` for pair `i` of a `d`-wide head. Composed from primitive ops.
final class RotaryEmbedding {
  let cos: Tensor
  let sin: Tensor
  let half: Int

  /// Tables for positions `0..<length` and head width `dim` (even).
  init(length: Int, dim: Int, base: Double = 10_000) {
    precondition(dim % 2 == 0, "RotaryEmbedding: head width \(dim) must be even")
    half = dim / 2
    var c = [Float](repeating: 0, count: length * dim)
    var s = [Float](repeating: 0, count: length * dim)
    for t in 0..<length {
      for i in 0..<half {
        let angle = Double(t) * Foundation.pow(base, -2 * Double(i) / Double(dim))
        for j in [i, i + half] {
          c[t * dim + j] = Float(Foundation.cos(angle))
          s[t * dim + j] = Float(Foundation.sin(angle))
        }
      }
    }
    cos = Tensor(c, shape: [length, dim])
    sin = Tensor(s, shape: [length, dim])
  }

  /// `(…, T, d) -> (…, T, d)`
  func apply(_ x: Tensor) -> Tensor {
    let t = x.shape[x.rank - 2]
    let (c, s) =
      t == cos.shape[0] ? (cos, sin) : (cos.slice(axis: 0, 0..<t), sin.slice(axis: 0, 0..<t))
    let parts = x.split([half, half], axis: -1)
    let rotated = Tensor.concat([-parts[1], parts[0]], axis: -1)
    return x * c + rotated * s
  }
}

/// The fixed sinusoidal table of "Attention Is All You Need":
/// `PE[t, 2i] = sin(t/10000^(2i/C))`, `PE[t, 2i+1] = cos(t/10000^(2i/C))`.
func sinusoidalTable(length: Int, width: Int) -> Tensor {
  var table = [Float](repeating: 0, count: length * width)
  for t in 0..<length {
    for i in stride(from: 0, to: width, by: 2) {
      let angle = Double(t) / Foundation.pow(10_000, Double(i) / Double(width))
      table[t * width + i] = Float(Foundation.sin(angle))
      if i + 1 < width { table[t * width + i + 1] = Float(Foundation.cos(angle)) }
    }
  }
  return Tensor(table, shape: [length, width])
}
