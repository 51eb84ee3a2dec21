// Packing for `GEMM`: copies blocks of op(B) into contiguous, zero-padded panels in exactly the
// order the micro-kernel reads them, so its inner loop walks memory linearly.

/// Packs the `depth × columns` block of op(B) starting at (`row`, `col`) into panels of `nr`
/// columns: panel `t` holds columns `t·nr ..< t·nr+nr`, k-major (`nr` values per k), columns past
/// the block filled with zeros. `dst` must hold `ceil(columns/nr)·nr·depth` floats.
@inline(__always)
func packB(
  transposed: Bool, b: UnsafePointer<Float>, ldb: Int, row: Int, col: Int, depth: Int, columns: Int,
  nr: Int, into dst: UnsafeMutablePointer<Float>
) {
  var panel = dst
  var j = 0
  while j < columns {
    let width = min(nr, columns - j)
    if transposed {
      // op(B)[p, j] = B[j, p]: each output column is a contiguous row of B.
      for c in 0..<nr {
        var out = panel + c
        if c < width {
          let src = b + (col + j + c) * ldb + row
          for p in 0..<depth {
            out.pointee = src[p]
            out += nr
          }
        } else {
          for _ in 0..<depth {
            out.pointee = 0
            out += nr
          }
        }
      }
    } else {
      var src = b + row * ldb + col + j
      var out = panel
      if width == nr {
        for _ in 0..<depth {
          var v = 0
          while v < nr {
            storeVector(loadVector8(src + v), out + v)
            v += 8
          }
          src += ldb
          out += nr
        }
      } else {
        for _ in 0..<depth {
          for c in 0..<width { out[c] = src[c] }
          for c in width..<nr { out[c] = 0 }
          src += ldb
          out += nr
        }
      }
    }
    panel += nr * depth
    j += nr
  }
}
