import Foundation
import Testing

@testable import Lab

/// Strict decoding, overrides, validation and encoding of the experiment config, checked
/// against hand-written JSON and the messages the rules promise.
struct ConfigTests {
  func decode(_ json: String, _ overrides: [String] = []) throws -> Config {
    try Config.decode(Data(json.utf8), overrides: overrides)
  }

  func issues(_ json: String, _ overrides: [String] = []) -> [ConfigIssue] {
    do {
      _ = try decode(json, overrides)
      return []
    } catch let error as ConfigError {
      return error.issues
    } catch {
      return [ConfigIssue(path: "?", message: "\(error)")]
    }
  }

  @Test func emptyObjectGivesEveryDefault() throws {
    let config = try decode("{}")
    #expect(config == Config())
    #expect(config.model.width == 128 && config.model.heads == 4 && config.optimizer.lr == 1e-3)
    #expect(config.task.kind == .modular && config.training.steps == 1000)
    #expect(Config().validationIssues().isEmpty)
  }

  @Test func readsSnakeCaseFieldsAndChoices() throws {
    let config = try decode(
      #"{"runs_dir":"Out","model":{"head_dim":16,"tied_head":false,"activation":"gelu_exact","init":"xavier"},"task":{"operation":"/"},"schedule":{"kind":"one_cycle"}}"#
    )
    #expect(config.runsDir == "Out" && config.model.headDim == 16 && !config.model.tiedHead)
    #expect(config.model.activation == .geluExact && config.model.`init` == .xavier)
    #expect(config.task.operation == .divide && config.schedule.kind == .oneCycle)
  }

  @Test func unknownFieldsNameTheFullPathAndSuggestTheClosest() {
    let found = issues(#"{"model":{"widht":64,"colour":1},"trainin":{}}"#)
    #expect(found.map(\.path) == ["model.colour", "model.widht", "trainin"])
    #expect(found[1].message == "unknown field model.widht (did you mean model.width?)")
    #expect(found[2].message == "unknown field trainin (did you mean training?)")
    #expect(
      found[0].message.hasPrefix(
        "unknown field model.colour; the fields of model are vocab_size, context"))
  }

  @Test func wrongTypesNameThePathAndExpectedType() {
    let found = issues(#"{"model":{"width":"wide","depth":2.5,"bias":1},"optimizer":"adam"}"#)
    let messages = Dictionary(uniqueKeysWithValues: found.map { ($0.path, $0.message) })
    #expect(messages["model.width"] == #"model.width = "wide": expected an integer, found string"#)
    #expect(messages["model.depth"] == "model.depth = 2.5: expected an integer, found number")
    #expect(messages["model.bias"] == "model.bias = 1: expected true or false, found number")
    #expect(messages["optimizer"] == #"optimizer = "adam": expected an object, found string"#)
  }

  @Test func badChoicesListTheAllowedValues() {
    let found = issues(#"{"model":{"activation":"gelu_exakt"}}"#)
    #expect(
      found.map(\.message) == [
        #"model.activation = "gelu_exakt" must be one of "gelu", "gelu_exact", "relu" (did you mean "gelu_exact"?)"#
      ])
  }

  @Test func overridesApplyBeforeDecodingAndParseJSONOrText() throws {
    let config = try decode(
      #"{"model":{"width":64}}"#,
      [
        "model.width=256", "optimizer.lr=3e-4", "model.bias=false", "model.activation=relu",
        "name=123", "task.path=data/a b.txt", "model={\"depth\":6}",
      ])
    #expect(config.model.width == 256 && config.model.depth == 6)
    #expect(config.optimizer.lr == 3e-4 && !config.model.bias && config.model.activation == .relu)
    #expect(config.name == "123" && config.task.path == "data/a b.txt")
  }

  @Test func overridesOfUnknownPathsAreRejectedWithSuggestions() {
    let found = issues("{}", ["model.hedas=2", "optimiser.lr=1", "model.width.x=1", "novalue"])
    #expect(found.count == 4)
    #expect(
      found[0].message
        == "--set model.hedas=2: unknown field model.hedas (did you mean model.heads?)")
    #expect(
      found[1].message == "--set optimiser.lr=1: unknown field optimiser (did you mean optimizer?)")
    #expect(found[2].message.contains("model.width is not a section"))
    #expect(found[3].message.contains("expected a dotted field path"))
  }

  @Test func overrideValuesAreTypeChecked() {
    let found = issues("{}", ["training.steps=many"])
    #expect(
      found.map(\.message) == [#"training.steps = "many": expected an integer, found string"#])
  }

  @Test func errorDescriptionListsEveryIssueUnderTheSource() {
    let error = ConfigError.invalid(
      source: "Configs/x.json",
      issues: [
        ConfigIssue(path: "a", message: "first"), ConfigIssue(path: "b", message: "second"),
      ])
    #expect(error.localizedDescription == "Configs/x.json: 2 problems:\n  first\n  second")
  }

  @Test func malformedJSONIsReported() {
    #expect(throws: ConfigError.self) { try decode("{\"model\": ") }
    #expect {
      try decode("[1]")
    } throws: { error in
      guard case .malformedJSON(_, let detail) = error as? ConfigError else { return false }
      return detail.contains("array")
    }
  }

  @Test func validationCollectsEveryProblem() {
    var config = Config()
    config.model.heads = 3
    config.model.dropout = 1
    config.optimizer.lr = 0
    config.optimizer.beta2 = 1
    config.schedule.warmupSteps = 2000
    config.task.trainFraction = 1.5
    let found = config.validationIssues()
    let messages = found.map(\.message)
    #expect(
      messages.contains("model.heads = 3 must divide model.width = 128 (or set model.head_dim)"))
    #expect(messages.contains("model.dropout = 1.0 must be in [0, 1)"))
    #expect(messages.contains("optimizer.lr = 0.0 must be > 0"))
    #expect(messages.contains("optimizer.beta2 = 1.0 must be in [0, 1)"))
    #expect(messages.contains("schedule.warmup_steps = 2000 must be ≤ training.steps = 1000"))
    #expect(messages.contains("task.train_fraction = 1.5 must be in (0, 1)"))
    #expect(found.count == 6)
  }

  @Test func microBatchesMustFitTheBatch() {
    var config = Config()
    config.training.batchSize = 4
    for bad in [0, 5] {
      config.training.microBatches = bad
      #expect(
        config.validationIssues().map(\.message) == [
          "training.micro_batches = \(bad) must be between 1 and training.batch_size = 4"
        ])
    }
    config.training.microBatches = 4
    #expect(config.validationIssues().isEmpty)
  }

  @Test func headDimLiftsTheDivisibilityRule() {
    var config = Config()
    config.model.heads = 3
    config.model.headDim = 32
    #expect(config.validationIssues().isEmpty)
  }

  @Test func divisionNeedsAPrimeModulus() {
    var config = Config()
    config.task.operation = .divide
    config.task.modulus = 91
    #expect(
      config.validationIssues().map(\.message) == [
        "task.modulus = 91 must be prime when task.operation = \"/\" (every b ≠ 0 needs an inverse)"
      ])
    config.task.modulus = 97
    #expect(config.validationIssues().isEmpty)
    config.task.modulus = 1
    #expect(config.validationIssues().map(\.path) == ["task.modulus"])
  }

  @Test func contextMustHoldTheTaskSequence() {
    var config = Config()
    config.task.kind = .copy
    config.task.length = 40
    #expect(
      config.validationIssues().map(\.message) == [
        "model.context = 64 must be ≥ 80, the sequence length of task \"copy\" (2 · task.length)"
      ])
  }

  @Test func charTaskPathMustExist() throws {
    var config = Config()
    config.task.kind = .char
    #expect(config.validationIssues().map(\.path) == ["task.path"])
    config.task.path = "no/such/file.txt"
    let message = try #require(config.validationIssues().first?.message)
    #expect(message.hasPrefix("task.path = \"no/such/file.txt\" does not exist"))
  }

  @Test func scheduleRulesDependOnTheKind() {
    var config = Config()
    config.schedule.kind = .oneCycle
    config.schedule.warmupSteps = 10
    config.schedule.pctStart = 1
    #expect(
      Set(config.validationIssues().map(\.path)) == ["schedule.warmup_steps", "schedule.pct_start"])
    config = Config()
    config.schedule.kind = .wsd
    config.schedule.decaySteps = 2000
    #expect(config.validationIssues().map(\.path) == ["schedule.decay_steps"])
  }

  @Test func encodedConfigIsSortedAndReadsBackEqual() throws {
    var config = Config()
    config.name = "x"
    config.model.activation = .geluExact
    config.optimizer.lr = 3e-4
    let data = try config.encodedJSON()
    #expect(try Config.decode(data) == config)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains(#""head_dim" : 0"#) && text.contains(#""activation" : "gelu_exact""#))
    let keys = [
      "model", "name", "optimizer", "probes", "regularizers", "runs_dir", "schedule", "seed",
      "task",
      "training",
    ]
    let positions = keys.map { text.range(of: "\n  \"\($0)\"")!.lowerBound }
    #expect(positions == positions.sorted())
  }

  @Test func loadDerivesTheNameFromTheFileAndValidates() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("grok-97.json")
    try Data(#"{"model":{"heads":3}}"#.utf8).write(to: url)
    #expect {
      try Config.load(from: url)
    } throws: { error in
      (error as? ConfigError)?.issues.map(\.path) == ["model.heads"]
    }
    let config = try Config.load(from: url, overrides: ["model.heads=8"])
    #expect(config.name == "grok-97" && config.model.heads == 8)
  }

  @Test func everyConfigFileDecodesAndValidates() throws {
    let root = repositoryRoot
    let configs = root.appendingPathComponent("Configs")
    let files = FileManager.default.enumerator(at: configs, includingPropertiesForKeys: nil)!
      .compactMap { $0 as? URL }
      .filter { $0.pathExtension == "json" }
      // Sweep specs (the studies are sweeps too) are checked by ShippedSweepTests.
      .filter { !$0.path.contains("/sweeps/") && !$0.path.contains("/studies/") }
    #expect(files.count >= 6)
    for file in files {
      let config = try Config.load(from: file, baseDirectory: root)
      #expect(!config.name.isEmpty)
      _ = try config.makeTask(baseDirectory: root)
    }
  }

  @Test func largeIntegersStayExact() throws {
    #expect(try decode(#"{"seed": 9007199254740993}"#).seed == 9_007_199_254_740_993)
    #expect(try decode("{}", ["seed=9007199254740995"]).seed == 9_007_199_254_740_995)
  }

  @Test func probeSectionsAreCheckedLikeTheRest() throws {
    #expect(try decode(#"{"probes":{},"regularizers":{}}"#) == Config())
    #expect(
      issues(#"{"probes":{"entropy":true}}"#).map(\.message) == [
        "unknown field probes.entropy; the fields of probes are attention, sphere, gradients, sharpness"
      ])
    let layers = try decode(#"{"probes":{"attention":{"layers":[0,1],"heads":null}}}"#)
    #expect(layers.probes.attention.layers == [0, 1] && layers.probes.attention.heads == nil)
    #expect(!issues(#"{"probes":{"attention":{"layers":[0,"x"]}}}"#).isEmpty)
    var config = Config()
    config.probes.attention.heads = [5]
    #expect(
      config.validationIssues().map(\.message).contains {
        $0.contains("probes.attention.heads") && $0.contains("5")
      })
  }

  @Test func modelAndOptimizerCombinationRules() {
    var config = Config()
    config.model.positional = .rope
    config.model.width = 96
    config.model.heads = 32
    config.optimizer.nesterov = true
    config.model.vocabSize = 50
    config.training.fullBatch = true
    config.task.kind = .copy
    #expect(
      Set(config.validationIssues().map(\.path)) == [
        "model.positional", "optimizer.nesterov", "model.vocab_size", "training.full_batch",
      ])
    config.training.fullBatch = false
    config.model.vocabSize = 65
    config.model.heads = 24
    config.optimizer.kind = .sgd
    config.optimizer.momentum = 0.9
    #expect(config.validationIssues().isEmpty)
  }

  @Test func editDistanceIsLevenshtein() {
    #expect(editDistance("kitten", "sitting") == 3)
    #expect(editDistance("", "abc") == 3)
    #expect(editDistance("width", "widht") == 2)
    #expect(closestMatch(to: "xyzzy", among: ["width", "depth"]) == nil)
  }

  @Test func configMapsToItsSchedule() {
    var config = Config()
    config.schedule.kind = .wsd
    config.training.steps = 500
    let schedule = config.learningRateSchedule
    #expect(schedule.shape == .warmupStableDecay(decaySteps: 100))
    #expect(schedule.peak == config.optimizer.lr && schedule.totalSteps == 500)
  }
}
