import Testing

@testable import Lab

@Test func benchShapesParseSizesBatchAndTransposes() {
  #expect(
    GEMMBenchmark.Shape(parsing: "384x128x512") == GEMMBenchmark.Shape(m: 384, k: 128, n: 512))
  #expect(
    GEMMBenchmark.Shape(parsing: "64x64x16x32")
      == GEMMBenchmark.Shape(m: 64, k: 64, n: 16, batch: 32))
  #expect(
    GEMMBenchmark.Shape(parsing: "384x128x512:NT")
      == GEMMBenchmark.Shape(m: 384, k: 128, n: 512, transposeB: true))
  #expect(
    GEMMBenchmark.Shape(parsing: "128x384x512:TN")
      == GEMMBenchmark.Shape(m: 128, k: 384, n: 512, transposeA: true))
  #expect(
    GEMMBenchmark.Shape(parsing: "8x4x2x3:TT")
      == GEMMBenchmark.Shape(m: 8, k: 4, n: 2, batch: 3, transposeA: true, transposeB: true))
  #expect(GEMMBenchmark.Shape(parsing: "8x4x2:NN") == GEMMBenchmark.Shape(m: 8, k: 4, n: 2))
}

@Test func benchShapesRefuseMalformedText() {
  for text in [
    "", "384x128", "384x128x512x2x2", "384x0x512", "-1x2x3", "axbxc", "384x128x512:",
    "384x128x512:NX",
    "384x128x512:nt", "384x128x512:NT:TN", "384x128x512NT", "384xx512",
  ] {
    #expect(GEMMBenchmark.Shape(parsing: text) == nil, "\(text)")
  }
}

@Test func benchShapeLabelsNameTheTransposedOperands() {
  #expect(GEMMBenchmark.Shape(m: 2, k: 3, n: 4).label == "M=2 K=3 N=4")
  #expect(GEMMBenchmark.Shape(m: 2, k: 3, n: 4, transposeB: true).label == "M=2 K=3 N=4 ABᵀ")
  #expect(GEMMBenchmark.Shape(m: 2, k: 3, n: 4, transposeA: true).label == "M=2 K=3 N=4 AᵀB")
  #expect(
    GEMMBenchmark.Shape(m: 2, k: 3, n: 4, batch: 5, transposeA: true, transposeB: true).label
      == "batched 5x(2x3 @ 3x4) AᵀBᵀ")
}

@Test func benchTimesTransposedProducts() {
  // Every stored layout runs (a wrong leading dimension would stop at GEMM's precondition).
  for text in ["33x17x29:NN", "33x17x29:NT", "33x17x29:TN", "33x17x29:TT", "9x7x5x3:TT"] {
    let seconds = GEMMBenchmark.medianSeconds(GEMMBenchmark.Shape(parsing: text)!, threads: 1)
    #expect(seconds > 0 && seconds.isFinite, "\(text)")
  }
}

@Test func benchShapeTextParsesBackToTheSameShape() {
  let shapes = [
    GEMMBenchmark.Shape(m: 384, k: 128, n: 384, transposeB: true),
    GEMMBenchmark.Shape(m: 2, k: 3, n: 4),
    GEMMBenchmark.Shape(m: 64, k: 64, n: 16, batch: 32, transposeA: true),
    GEMMBenchmark.Shape(m: 8, k: 4, n: 2, batch: 3, transposeA: true, transposeB: true),
  ]
  #expect(shapes.map(\.text) == ["384x128x384:NT", "2x3x4:NN", "64x64x16x32:TN", "8x4x2x3:TT"])
  for shape in shapes { #expect(GEMMBenchmark.Shape(parsing: shape.text) == shape) }
}

@Test func operandRingHoldsEqualCopiesSpanningTheGivenBytes() {
  let a: [Float] = [1, 2, 3, 4, 5, 6]
  let b: [Float] = [-1, -2, -3]
  // One set is (6 + 3 + 4)·4 = 52 bytes: 1,000 bytes need 20 sets (19 would be 988).
  let ring = OperandRing(a: a, b: b, cCount: 4, span: 1000)
  #expect(ring.copies == 20)
  #expect(OperandRing(a: a, b: b, cCount: 4, span: 0).copies == 1)
  var seen = Set<UnsafePointer<Float>>()
  for turn in 0..<ring.copies {
    let (pa, pb, pc) = ring.operands(turn)
    #expect(Array(UnsafeBufferPointer(start: pa, count: a.count)) == a)
    #expect(Array(UnsafeBufferPointer(start: pb, count: b.count)) == b)
    #expect(Array(UnsafeBufferPointer(start: pc, count: 4)) == [0, 0, 0, 0])
    seen.insert(pa)
  }
  #expect(seen.count == ring.copies, "every turn within one round takes its own copy")
  #expect(ring.operands(ring.copies).a == ring.operands(0).a, "then the round starts again")
  #expect(ring.operands(ring.copies + 3).c == ring.operands(3).c)
}

@Test func coldMeasurementTimesTheProduct() {
  let seconds = GEMMBenchmark.medianSeconds(
    GEMMBenchmark.Shape(parsing: "33x17x29:TN")!, threads: 1, cold: true)
  #expect(seconds > 0 && seconds.isFinite)
}
