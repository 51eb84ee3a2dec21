import Foundation
import Lab

/// `betti eval RUN_OR_CHECKPOINT [--split train|validation]` or
/// `betti eval --config C --weights W --tokens T [--set …] [--logits OUT]`
func evalCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(
    words, valued: ["split", "config", "weights", "tokens", "logits"], switches: [])
  if let configPath = args.options["config"] {
    guard let weights = args.options["weights"], let tokens = args.options["tokens"],
      args.positional.isEmpty
    else {
      throw UsageError("eval --config needs --weights W and --tokens T")
    }
    let result = try Evaluator.evaluateTokens(
      configURL: URL(fileURLWithPath: configPath), overrides: args.overrides,
      weights: URL(fileURLWithPath: weights), tokensFile: URL(fileURLWithPath: tokens))
    for (i, loss) in result.perSequence.enumerated() {
      Terminal.print(String(format: "sequence %d: loss %.6f", i, loss))
    }
    Terminal.print(String(format: "mean loss %.6f", result.meanLoss))
    if let out = args.options["logits"] {
      let data = try JSONEncoder().encode(result.logits)
      try data.write(to: URL(fileURLWithPath: out), options: .atomic)
      Terminal.print("logits written to \(out)")
    }
    return 0
  }
  guard args.positional.count == 1 else {
    throw UsageError("eval takes a run folder or checkpoint")
  }
  let splitName = args.options["split"] ?? "validation"
  guard let split = DataSplit(rawValue: splitName == "val" ? "validation" : splitName) else {
    throw UsageError("--split must be train or validation, not \(splitName)")
  }
  let (_, result) = try Evaluator.evaluateRun(path: args.positional[0], split: split)
  Terminal.print(
    String(
      format: "%@ loss %.4f, accuracy %.4f (%d positions)", split.rawValue, result.loss,
      result.accuracy.value, result.accuracy.counted))
  return 0
}

/// `betti schedule CONFIG [--set …]`: the learning rate at every step.
func scheduleCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(words, valued: [], switches: [])
  guard args.positional.count == 1 else { throw UsageError("schedule takes one config file") }
  let config = try Config.load(
    from: URL(fileURLWithPath: args.positional[0]), overrides: args.overrides)
  Terminal.print("step,lr")
  for (step, lr) in Evaluator.learningRates(config).enumerated() { Terminal.print("\(step),\(lr)") }
  return 0
}

/// `betti sample RUN [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--seed S]`
func sampleCommand(_ words: [String]) throws -> Int32 {
  let args = try Arguments(
    words, valued: ["prompt", "tokens", "temperature", "top-k", "seed"], switches: [])
  guard args.positional.count == 1 else { throw UsageError("sample takes one run folder") }
  var settings = SampleSettings()
  settings.prompt = args.options["prompt"] ?? settings.prompt
  settings.tokens = try args.integer("tokens", default: settings.tokens)
  settings.temperature = try args.number("temperature", default: settings.temperature)
  settings.topK = try args.integer("top-k", default: settings.topK)
  settings.seed = UInt64(try args.integer("seed", default: 0))
  Terminal.print(try Sampler.sample(run: args.positional[0], settings: settings))
  return 0
}
