import Foundation
import Probes

extension Config {
  /// `self` if every value satisfies its rule, else `ConfigError.invalid` listing all the
  /// problems. `baseDirectory` resolves relative file paths (default: the current folder).
  public func validated(source: String = "<config>", baseDirectory: URL? = nil) throws -> Config {
    let issues = validationIssues(baseDirectory: baseDirectory)
    guard issues.isEmpty else { throw ConfigError.invalid(source: source, issues: issues) }
    return self
  }

  /// Every value that breaks a rule, each naming the field path, the value and the rule.
  public func validationIssues(baseDirectory: URL? = nil) -> [ConfigIssue] {
    var check = Checker()
    let base = baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)

    if !name.isEmpty, !Config.isValidRunName(name) {
      check.fail(
        "name",
        "name = \"\(name)\" must use only letters, digits, '.', '_' and '-', and not start with '.'"
      )
    }
    check.require(seed >= 0, "seed", seed, "must be ≥ 0")
    check.require(!runsDir.isEmpty, "runs_dir", "\"\"", "must name a folder")

    let m = model
    check.require(
      m.vocabSize >= 0, "model.vocab_size", m.vocabSize, "must be ≥ 0 (0 = from the task)")
    for (field, value) in [
      ("context", m.context), ("width", m.width), ("depth", m.depth),
      ("heads", m.heads), ("mlp_ratio", m.mlpRatio),
    ] {
      check.require(value >= 1, "model.\(field)", value, "must be ≥ 1")
    }
    check.require(m.headDim >= 0, "model.head_dim", m.headDim, "must be ≥ 0 (0 = width / heads)")
    if m.headDim == 0, m.heads >= 1, m.width % m.heads != 0 {
      check.fail(
        "model.heads",
        "model.heads = \(m.heads) must divide model.width = \(m.width) (or set model.head_dim)")
    }
    if m.positional == .rope, m.resolvedHeadDim % 2 != 0 {
      check.fail(
        "model.positional",
        "model.positional = \"rope\" needs an even head dimension, but it is \(m.resolvedHeadDim)")
    }
    check.require(m.dropout >= 0 && m.dropout < 1, "model.dropout", m.dropout, "must be in [0, 1)")
    check.require(m.initStd > 0 && m.initStd.isFinite, "model.init_std", m.initStd, "must be > 0")

    let o = optimizer
    check.require(o.lr > 0 && o.lr.isFinite, "optimizer.lr", o.lr, "must be > 0")
    check.require(
      o.momentum >= 0 && o.momentum < 1, "optimizer.momentum", o.momentum, "must be in [0, 1)")
    if o.nesterov, o.kind != .sgd || o.momentum == 0 {
      check.fail(
        "optimizer.nesterov",
        "optimizer.nesterov = true needs optimizer.kind = \"sgd\" and optimizer.momentum > 0")
    }
    check.require(o.beta1 >= 0 && o.beta1 < 1, "optimizer.beta1", o.beta1, "must be in [0, 1)")
    check.require(o.beta2 >= 0 && o.beta2 < 1, "optimizer.beta2", o.beta2, "must be in [0, 1)")
    check.require(o.eps > 0, "optimizer.eps", o.eps, "must be > 0")
    check.require(o.weightDecay >= 0, "optimizer.weight_decay", o.weightDecay, "must be ≥ 0")
    check.require(o.gradClip >= 0, "optimizer.grad_clip", o.gradClip, "must be ≥ 0 (0 = off)")

    validateSchedule(&check)
    validateTask(&check, base: base)
    validateRegularizers(&check)

    let t = training
    for (field, value) in [
      ("steps", t.steps), ("batch_size", t.batchSize),
      ("eval_every", t.evalEvery), ("eval_batches", t.evalBatches), ("log_every", t.logEvery),
    ] {
      check.require(value >= 1, "training.\(field)", value, "must be ≥ 1")
    }
    check.require(
      t.microBatches >= 1 && (t.fullBatch || t.microBatches <= t.batchSize),
      "training.micro_batches", t.microBatches,
      "must be between 1 and training.batch_size = \(t.batchSize)")
    check.require(
      t.checkpointEvery >= 0, "training.checkpoint_every", t.checkpointEvery,
      "must be ≥ 0 (0 = only at the end)")
    if !t.initFrom.isEmpty, !Config.fileExists(t.initFrom, base: base) {
      check.fail(
        "training.init_from",
        "training.init_from = \"\(t.initFrom)\" does not exist (relative to \(base.path))")
    }
    if t.fullBatch, task.kind != .modular {
      check.fail(
        "training.full_batch",
        "training.full_batch = true needs task.kind = \"modular\", not \"\(task.kind.rawValue)\"")
    }
    do {
      try probes.validate(depth: m.depth, heads: m.heads, batch: training.batchSize)
    } catch ProbeConfigError.invalid(let path, let value, let rule) {
      check.fail(path, "\(path) = \(value) \(rule)")
    } catch {
      check.fail("probes", error.localizedDescription)
    }
    return check.issues
  }

  private func validateSchedule(_ check: inout Checker) {
    let s = schedule
    check.require(s.warmupSteps >= 0, "schedule.warmup_steps", s.warmupSteps, "must be ≥ 0")
    if s.warmupSteps > training.steps {
      check.fail(
        "schedule.warmup_steps",
        "schedule.warmup_steps = \(s.warmupSteps) must be ≤ training.steps = \(training.steps)")
    }
    if s.minLr < 0 || s.minLr > optimizer.lr {
      check.fail(
        "schedule.min_lr",
        "schedule.min_lr = \(s.minLr) must be in [0, optimizer.lr = \(optimizer.lr)]")
    }
    switch s.kind {
    case .step:
      check.require(s.stepSize >= 1, "schedule.step_size", s.stepSize, "must be ≥ 1")
      check.require(s.gamma > 0 && s.gamma <= 1, "schedule.gamma", s.gamma, "must be in (0, 1]")
    case .exponential:
      check.require(s.gamma > 0 && s.gamma <= 1, "schedule.gamma", s.gamma, "must be in (0, 1]")
    case .wsd:
      let room = training.steps - s.warmupSteps
      if s.decaySteps < 0 || s.decaySteps > room {
        check.fail(
          "schedule.decay_steps",
          "schedule.decay_steps = \(s.decaySteps) must be in [0, training.steps − schedule.warmup_steps = \(room)] (0 = the last 20%)"
        )
      }
    case .oneCycle:
      check.require(
        s.pctStart > 0 && s.pctStart < 1, "schedule.pct_start", s.pctStart, "must be in (0, 1)")
      check.require(s.divFactor > 0, "schedule.div_factor", s.divFactor, "must be > 0")
      check.require(
        s.finalDivFactor > 0, "schedule.final_div_factor", s.finalDivFactor, "must be > 0")
      if s.warmupSteps != 0 {
        check.fail(
          "schedule.warmup_steps",
          "schedule.warmup_steps = \(s.warmupSteps) must be 0 for \"one_cycle\", whose rise is set by schedule.pct_start"
        )
      }
    case .constant, .linear, .cosine, .inverseSqrt:
      break
    }
  }

  private func validateRegularizers(_ check: inout Checker) {
    let r = regularizers
    let terms: [(String, Double, Double?, [Int], [Int], Int)] = [
      (
        "h0_total_persistence", r.h0TotalPersistence.weight, r.h0TotalPersistence.p,
        r.h0TotalPersistence.layers, r.h0TotalPersistence.heads, r.h0TotalPersistence.every
      ),
      (
        "h1_total_persistence", r.h1TotalPersistence.weight, r.h1TotalPersistence.p,
        r.h1TotalPersistence.layers, r.h1TotalPersistence.heads, r.h1TotalPersistence.every
      ),
      (
        "head_diversity", r.headDiversity.weight, nil, r.headDiversity.layers,
        r.headDiversity.heads, r.headDiversity.every
      ),
    ]
    func checkIndices(_ list: [Int], _ path: String, below limit: Int, _ limitName: String) {
      for value in list where value < 0 || value >= limit {
        check.fail(
          path, "\(path) = \(list) has \(value), which must be in [0, \(limitName) = \(limit))")
        return
      }
      if Set(list).count != list.count { check.fail(path, "\(path) = \(list) repeats an entry") }
    }
    for (name, weight, p, layers, heads, every) in terms {
      let path = "regularizers.\(name)"
      check.require(weight.isFinite, "\(path).weight", weight, "must be finite (0 = off)")
      if let p { check.require(p > 0 && p.isFinite, "\(path).p", p, "must be > 0") }
      check.require(every >= 1, "\(path).every", every, "must be ≥ 1")
      checkIndices(layers, "\(path).layers", below: model.depth, "model.depth")
      checkIndices(heads, "\(path).heads", below: model.heads, "model.heads")
    }
    let diversityHeads = r.headDiversity.heads.isEmpty ? model.heads : r.headDiversity.heads.count
    if r.headDiversity.weight != 0, diversityHeads < 2 {
      check.fail(
        "regularizers.head_diversity.heads",
        "regularizers.head_diversity needs at least two heads to compare, but it reads \(diversityHeads)"
      )
    }
    if r.sequences.isEmpty {
      check.fail(
        "regularizers.sequences", "regularizers.sequences = [] must name at least one sequence")
    }
    checkIndices(
      r.sequences, "regularizers.sequences", below: training.batchSize, "training.batch_size")
    check.require(
      r.tokens >= 0 && r.tokens != 1 && r.tokens <= model.context, "regularizers.tokens", r.tokens,
      "must be 0 (the whole sequence) or in [2, model.context = \(model.context)]")
    check.require(
      r.persistenceThreshold >= 0 && r.persistenceThreshold.isFinite,
      "regularizers.persistence_threshold", r.persistenceThreshold, "must be ≥ 0")
    check.require(
      r.smoothing >= 0 && r.smoothing.isFinite, "regularizers.smoothing", r.smoothing, "must be ≥ 0"
    )
  }

  private func validateTask(_ check: inout Checker, base: URL) {
    let t = task
    switch t.kind {
    case .char:
      check.require(
        t.valFraction > 0 && t.valFraction < 1, "task.val_fraction", t.valFraction,
        "must be in (0, 1)")
      if t.path.isEmpty {
        check.fail("task.path", "task.path must name a UTF-8 text file when task.kind = \"char\"")
      } else if !Config.fileExists(t.path, base: base) {
        check.fail(
          "task.path", "task.path = \"\(t.path)\" does not exist (relative to \(base.path))")
      }
    case .modular:
      check.require(t.modulus >= 2, "task.modulus", t.modulus, "must be ≥ 2")
      if t.operation == .divide, t.modulus >= 2, !isPrime(t.modulus) {
        check.fail(
          "task.modulus",
          "task.modulus = \(t.modulus) must be prime when task.operation = \"/\" (every b ≠ 0 needs an inverse)"
        )
      }
      check.require(
        t.trainFraction > 0 && t.trainFraction < 1, "task.train_fraction", t.trainFraction,
        "must be in (0, 1)")
      if t.modulus >= 2, t.trainFraction > 0, t.trainFraction < 1 {
        let pairs = t.modulus * (t.operation == .divide ? t.modulus - 1 : t.modulus)
        let train = Int((t.trainFraction * Double(pairs)).rounded(.down))
        if train < 1 || train >= pairs {
          check.fail(
            "task.train_fraction",
            "task.train_fraction = \(t.trainFraction) leaves \(train) of \(pairs) pairs for training; both splits need at least one"
          )
        }
      }
    case .dyck:
      check.require(t.pairs >= 1, "task.pairs", t.pairs, "must be ≥ 1")
      check.require(t.maxDepth >= 1, "task.max_depth", t.maxDepth, "must be ≥ 1")
      check.require(
        t.length >= 2 && t.length % 2 == 0, "task.length", t.length, "must be even and ≥ 2")
    case .copy, .reverse:
      check.require(t.length >= 1, "task.length", t.length, "must be ≥ 1")
      check.require(t.symbols >= 2, "task.symbols", t.symbols, "must be ≥ 2")
    case .induction:
      check.require(t.symbols >= 2, "task.symbols", t.symbols, "must be ≥ 2")
      check.require(t.minSegment >= 2, "task.min_segment", t.minSegment, "must be ≥ 2")
      if t.maxSegment < t.minSegment {
        check.fail(
          "task.max_segment",
          "task.max_segment = \(t.maxSegment) must be ≥ task.min_segment = \(t.minSegment)")
      }
    }
    let needed = t.requiredContext
    if model.context >= 1, needed > model.context {
      check.fail(
        "model.context",
        "model.context = \(model.context) must be ≥ \(needed), the sequence length of task \"\(t.kind.rawValue)\" (\(t.sequenceLengthRule))"
      )
    }
    if let vocabulary = t.fixedVocabularySize, model.vocabSize > 0, model.vocabSize < vocabulary {
      check.fail(
        "model.vocab_size",
        "model.vocab_size = \(model.vocabSize) must be ≥ \(vocabulary), the vocabulary of task \"\(t.kind.rawValue)\" (or 0 to take it from the task)"
      )
    }
  }

  /// Run names become folder names: letters, digits, '.', '_', '-', not starting with '.'.
  public static func isValidRunName(_ name: String) -> Bool {
    !name.isEmpty && !name.hasPrefix(".")
      && name.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || $0 == "." || $0 == "_" || $0 == "-"
      }
  }

  static func fileExists(_ path: String, base: URL) -> Bool {
    let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
    return FileManager.default.fileExists(atPath: url.path)
  }
}

/// Whether `n` is prime (trial division; n is a modulus, so small).
func isPrime(_ n: Int) -> Bool {
  guard n >= 2 else { return false }
  var d = 2
  while d * d <= n {
    if n % d == 0 { return false }
    d += 1
  }
  return true
}

/// Collects validation issues.
private struct Checker {
  var issues: [ConfigIssue] = []

  mutating func fail(_ path: String, _ message: String) {
    issues.append(ConfigIssue(path: path, message: message))
  }

  mutating func require(_ ok: Bool, _ path: String, _ value: Any, _ rule: String) {
    if !ok { fail(path, "\(path) = \(value) \(rule)") }
  }
}
