import Foundation
import Testing

@testable import Lab

@Suite struct RunReportTests {
  static let sections = [
    "overview", "loss", "accuracy", "lr", "gradients", "attention", "sphere", "regularizers",
    "sharpness", "topology",
  ]

  @Test func fullyProbedRunShowsEverySection() throws {
    let runs = scratchFolder("report")
    defer { try? FileManager.default.removeItem(at: runs) }
    let trainer = try Trainer.start(
      config: tinyConfig(runs: runs, name: "probed", steps: 16) { c in
        c.probes.attention.every = 2
        c.probes.sphere.every = 2
        c.probes.gradients.every = 2
        c.probes.sharpness.enabled = true
        c.probes.sharpness.every = 8
        c.probes.sharpness.iterations = 3
        c.regularizers.headDiversity.weight = 0.05
      })
    try trainer.run()
    _ = try AttentionTopology.analyze(run: trainer.folder.url.path, options: TopologyOptions())

    let url = try writeRunReport(folder: trainer.folder.url)
    #expect(url.lastPathComponent == "report.html")
    let data = try Data(contentsOf: url)
    let page = try PageOutline.parse(data)  // well-formed XML throughout
    #expect(page.ids == Self.sections)
    #expect(page.notes.isEmpty, "unexpected notes in \(page.notes.sorted())")
    #expect(page.misplacedMarks.isEmpty, "\(page.misplacedMarks.prefix(5))")
    for id in Self.sections where id != "overview" {
      #expect(page.svgCount[id, default: 0] > 0, "\(id) has no picture")
    }
    // One small chart per layer for each attention metric; heads in the legend.
    let html = String(decoding: data, as: UTF8.self)
    #expect(html.contains("<title>probed — Betti run report</title>"))
    #expect(html.contains("head 1") && html.contains("2 / lr") && html.contains("log10 ‖g‖"))
    #expect(html.contains("L0H0 barcode") && html.contains("head_diversity"))
    // Self-contained: no scripts and nothing fetched.
    for outside in ["<script", "src=", "href=\"http", "@import", "url("] {
      #expect(!html.contains(outside), "\(outside)")
    }
  }

  @Test func missingDataBecomesNotes() throws {
    let runs = scratchFolder("report-bare")
    defer { try? FileManager.default.removeItem(at: runs) }
    let trainer = try Trainer.start(
      config: tinyConfig(runs: runs, name: "bare", steps: 6) { c in
        c.probes.attention.enabled = false
        c.probes.sphere.enabled = false
        c.probes.gradients.enabled = false
      })
    try trainer.run()
    let page = try PageOutline.parse(Data(RunReport(folder: trainer.folder.url).html.utf8))
    #expect(page.ids == Self.sections)
    #expect(
      page.notes == ["attention", "sphere", "regularizers", "sharpness", "topology"])
    // The global gradient norm comes from metrics.csv, so that section keeps a chart.
    #expect(page.svgCount["gradients"] == 1)
    #expect(page.svgCount["loss"] == 1 && page.svgCount["lr"] == 1)

    // A run that has only started: config but no metrics, probes or summary.
    for file in ["metrics.csv", "probes.csv", "summary.json"] {
      try? FileManager.default.removeItem(at: trainer.folder.url.appendingPathComponent(file))
    }
    let empty = try PageOutline.parse(Data(RunReport(folder: trainer.folder.url).html.utf8))
    #expect(empty.notes == Set(Self.sections.dropFirst()))
  }

  @Test func aFolderThatIsNotARunIsRefusedByName() throws {
    let folder = scratchFolder("not-a-run")
    defer { try? FileManager.default.removeItem(at: folder) }
    for url in [folder, folder.appendingPathComponent("missing")] {
      #expect(throws: RunReportError.notARun(path: url.path)) {
        try writeRunReport(folder: url)
      }
      let message = RunReportError.notARun(path: url.path).localizedDescription
      #expect(message.contains(url.path) && message.contains("config.json"))
    }
    #expect(
      !FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
  }

  @Test func inlineChartsLoseOnlyTheWhiteSpaceAroundThem() {
    #expect(ReportLayout.inline(" \n\t<svg>é → ∞</svg>\r\n\n") == "<svg>é → ∞</svg>")
    #expect(ReportLayout.inline("<svg>\n  <g/>\n</svg>") == "<svg>\n  <g/>\n</svg>")
    #expect(ReportLayout.inline("<text>ü</text>ü\n") == "<text>ü</text>ü")
    #expect(ReportLayout.inline(" \n ") == "" && ReportLayout.inline("") == "")
  }
}
