import Foundation

extension RunReport {
  /// Persistence diagrams and barcodes from `topology/topology.json`.
  var topologySection: ReportSection {
    guard let topology, !topology.heads.isEmpty || topology.global != nil else {
      return .missing(
        "topology", "Persistent homology of attention",
        note: "No topology analysis: run `betti topology \(folder.url.path)` to add one.")
    }
    var parts: [String] = []
    if !topology.tokens.isEmpty {
      let text = topology.tokens.joined()
      parts.append(
        ReportLayout.explain(
          "Vietoris–Rips H0/H1 of each head's Jensen–Shannon matrix on \(topology.tokens.count) "
            + "tokens: <code>\(SVG.escape(String(text.prefix(120))))</code>"))
    }
    if let global = topology.global {
      parts.append(
        ReportLayout.row([
          PersistencePlots.diagram(
            h0: global.h0, h1: global.h1, title: "All heads: persistence of head distances",
            width: 440, height: 360)
        ]))
    }
    var diagrams: [String] = []
    var barcodes: [String] = []
    for head in topology.heads {
      let name = "L\(head.layer)H\(head.head)"
      diagrams.append(
        PersistencePlots.diagram(
          h0: head.h0, h1: head.h1, title: "\(name) diagram", width: 265, height: 250))
      barcodes.append(
        PersistencePlots.barcode(
          h0: head.h0, h1: head.h1, title: "\(name) barcode", width: 265, maxHeight: 420))
    }
    if !diagrams.isEmpty {
      parts.append("<h3>Persistence diagrams per head</h3>")
      parts.append(ReportLayout.row(diagrams))
      parts.append("<h3>Barcodes per head</h3>")
      parts.append(ReportLayout.row(barcodes))
    }
    return ReportSection(
      id: "topology", title: "Persistent homology of attention",
      body: parts.joined(separator: "\n"))
  }
}
