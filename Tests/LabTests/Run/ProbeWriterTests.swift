import Foundation
import Probes
import Testing

@testable import Lab

/// Probe rows through `probes.csv`: every kind of cell (empty locations, names, signed,
/// fractional, huge and non-finite values) read back as written, and lines that are not rows
/// skipped.
struct ProbeWriterTests {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "betti-probes-\(UUID().uuidString)")

  init() throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  let rows = [
    ProbeRow(step: 0, family: .attention, layer: 0, head: 3, metric: "entropy", value: 2.75),
    ProbeRow(step: 10, family: .sphere, layer: 2, metric: "mean_cosine", value: -0.125),
    ProbeRow(
      step: 10, family: .gradients, tensor: "blocks.1.mlp.fc.weight", metric: "grad_norm",
      value: 3.1415926535897931e-7),
    ProbeRow(step: 20, family: .gradients, layer: 4, metric: "residual_grad", value: 1e300),
    ProbeRow(step: 20, family: .sharpness, metric: "top_eigenvalue", value: .infinity),
    ProbeRow(step: 30, family: .sharpness, metric: "top_eigenvalue", value: -.infinity),
  ]

  @Test func rowsRoundTripThroughTheCSV() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try ProbeWriter(directory: folder)
    try writer.append(rows)
    try writer.append([ProbeRow(step: 40, family: .attention, metric: "x", value: .nan)])
    try writer.synchronize()
    let read = try ProbeWriter.read(writer.csvURL)
    #expect(read.count == rows.count + 1)
    #expect(Array(read.prefix(rows.count)) == rows)
    #expect(read.last!.step == 40 && read.last!.value.isNaN && read.last!.layer == nil)
  }

  @Test func linesThatAreNotRowsAreSkipped() throws {
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("probes.csv")
    let text = """
      step,family,layer,head,tensor,metric,value
      5,attention,1,0,,entropy,0.5
      6,unknown_family,1,0,,entropy,0.5
      x,attention,1,0,,entropy,0.5
      7,attention,1,0,,entropy,not-a-number
      8,attention,1,0,entropy,0.5
      9,sphere,,,,mean_norm,1.5

      """
    try text.write(to: url, atomically: true, encoding: .utf8)
    let read = try ProbeWriter.read(url)
    #expect(
      read == [
        ProbeRow(step: 5, family: .attention, layer: 1, head: 0, metric: "entropy", value: 0.5),
        ProbeRow(step: 9, family: .sphere, metric: "mean_norm", value: 1.5),
      ])
  }
}
