import Probes

/// A complete experiment: every field has a default, so `{}` is a valid config file.
///
/// JSON spells the fields in snake_case (`runs_dir`, `model.head_dim`). Load one with
/// `Config.load(from:overrides:)`, which rejects unknown fields, wrong types and bad values.
public struct Config: Codable, Equatable, Sendable {
  /// The run's name and folder under `runs_dir`; "" = the config file's name without extension.
  public var name = ""
  /// The seed for every random choice (initialization, data order, dropout).
  public var seed = 0
  /// The folder that holds run folders.
  public var runsDir = "Runs"
  public var model = ModelConfig()
  public var optimizer = OptimizerConfig()
  public var schedule = ScheduleConfig()
  public var task = TaskConfig()
  public var training = TrainingConfig()
  /// Per-step measurements (see docs/probes.md); by default every family but sharpness runs
  /// every 10 steps on the first sequence of a fixed probe batch.
  public var probes = ProbesConfig(
    attention: ProbeConfig(every: 10), sphere: ProbeConfig(every: 10),
    gradients: ProbeConfig(every: 10))
  public var regularizers = RegularizersConfig()

  /// The default config.
  public init() {}
}

/// The transformer's shape and options.
public struct ModelConfig: Codable, Equatable, Sendable {
  /// Embedding rows; 0 = the task's vocabulary size.
  public var vocabSize = 0
  /// Maximum sequence length the model sees.
  public var context = 64
  /// Residual stream width (d_model).
  public var width = 128
  /// Number of blocks.
  public var depth = 4
  public var heads = 4
  /// Per-head dimension; 0 = width / heads.
  public var headDim = 0
  /// MLP hidden width = mlp_ratio · width.
  public var mlpRatio = 4
  public var activation = Activation.gelu
  public var attention = AttentionKind.causal
  /// Dropout probability on attention and residual branches.
  public var dropout = 0.0
  /// Whether the output head shares the token embedding matrix.
  public var tiedHead = true
  /// Whether linear layers and norms have biases.
  public var bias = true
  public var norm = NormPlacement.pre
  /// Normalize queries and keys per head before the dot product.
  public var qkNorm = false
  public var positional = PositionalEncoding.learned
  public var `init` = InitScheme.gpt2
  /// The standard deviation of the `gpt2` normal initialization.
  public var initStd = 0.02

  public init() {}

  /// The per-head dimension after resolving `head_dim = 0`.
  public var resolvedHeadDim: Int { headDim > 0 ? headDim : width / max(heads, 1) }
}

/// The optimizer and its parameter groups.
public struct OptimizerConfig: Codable, Equatable, Sendable {
  public var kind = OptimizerKind.adamw
  /// The peak learning rate.
  public var lr = 1e-3
  /// SGD momentum (0 = plain SGD).
  public var momentum = 0.0
  /// Nesterov momentum for SGD.
  public var nesterov = false
  public var beta1 = 0.9
  public var beta2 = 0.999
  public var eps = 1e-8
  /// Decoupled (adamw) or L2 (sgd, adam) weight decay on the decayed group.
  public var weightDecay = 0.0
  /// Whether embeddings join the weight-decay group.
  public var decayEmbeddings = false
  /// Whether norm gains and biases join the weight-decay group.
  public var decayNormsAndBiases = false
  /// Clip the global gradient norm to this value; 0 = off.
  public var gradClip = 0.0

  public init() {}
}

/// The learning-rate schedule; the peak is `optimizer.lr`, the length `training.steps`.
public struct ScheduleConfig: Codable, Equatable, Sendable {
  public var kind = ScheduleKind.constant
  /// Linear warmup steps (not used by `one_cycle`, which has `pct_start`).
  public var warmupSteps = 0
  /// The floor for `linear`, `cosine` and `wsd`.
  public var minLr = 0.0
  /// `step`: steps between decays.
  public var stepSize = 100
  /// `step` and `exponential`: the decay factor (per `step_size` steps, or per step).
  public var gamma = 0.1
  /// `wsd`: length of the final linear decay; 0 = the last 20% of `training.steps`.
  public var decaySteps = 0
  /// `one_cycle`: the fraction of the steps spent rising (PyTorch's `pct_start`).
  public var pctStart = 0.3
  /// `one_cycle`: the starting rate is `lr / div_factor`.
  public var divFactor = 25.0
  /// `one_cycle`: the final rate is `lr / div_factor / final_div_factor`.
  public var finalDivFactor = 1e4

  public init() {}
}

/// The task and its data. Only the fields of the chosen `kind` are used.
public struct TaskConfig: Codable, Equatable, Sendable {
  public var kind = TaskKind.modular
  /// `char`: the UTF-8 text file (relative paths are resolved against the current folder).
  public var path = ""
  /// `char`: the last fraction of the file (in file order) held out for validation.
  public var valFraction = 0.1
  /// `modular`: the modulus p.
  public var modulus = 97
  /// `modular`: the operation.
  public var operation = ModularOperation.add
  /// `modular`: the fraction of all pairs used for training (the rest validate).
  public var trainFraction = 0.3
  /// `dyck`: the number of bracket kinds k.
  public var pairs = 2
  /// `dyck`: the deepest nesting allowed.
  public var maxDepth = 8
  /// `dyck`: brackets per sequence (even); `copy`/`reverse`: symbols to reproduce.
  public var length = 16
  /// `copy`/`reverse`/`induction`: the alphabet size.
  public var symbols = 64
  /// `induction`: shortest repeated segment.
  public var minSegment = 8
  /// `induction`: longest repeated segment.
  public var maxSegment = 24

  public init() {}
}

/// The training loop's lengths and intervals.
public struct TrainingConfig: Codable, Equatable, Sendable {
  /// Optimizer steps.
  public var steps = 1000
  /// Sequences per step.
  public var batchSize = 32
  /// Micro-batches each batch is cut into (1 = none). Their gradients, weighted by their share
  /// of the batch's loss, are summed in order into one update: the whole batch's gradient, up
  /// to rounding. They run at the same time, one per thread, each op on one thread, which on a
  /// few cores beats splitting every op of a small model between threads. Gradient probes see
  /// the parts' residual gradients joined; steps with attention regularizers run the batch
  /// whole. Results depend on this value, never on the thread count.
  public var microBatches = 1
  /// Evaluate every this many steps (and at the end).
  public var evalEvery = 100
  /// Validation batches per evaluation.
  public var evalBatches = 10
  /// Write a metrics row every this many steps.
  public var logEvery = 10
  /// Save a checkpoint every this many steps; 0 = only at the end.
  public var checkpointEvery = 0
  /// A safetensors checkpoint to start from; "" = fresh initialization.
  public var initFrom = ""
  /// `modular`: use every training example in every step instead of `batch_size`.
  public var fullBatch = false

  public init() {}
}

/// Loss terms built from the topology of attention, each with its own weight λ (with sign:
/// the loss gains `λ · term`; 0 = off, the default). See `Probes.AttentionRegularizer`.
public struct RegularizersConfig: Codable, Equatable, Sendable {
  /// `Σ (d − b)^p` over the finite H0 bars of each selected head's Jensen–Shannon matrix.
  public var h0TotalPersistence = PersistenceTermConfig()
  /// The same over H1 bars.
  public var h1TotalPersistence = PersistenceTermConfig()
  /// `−mean_{a<b} Σ_tokens JSD(H_a(token), H_b(token))` over the selected heads of a layer.
  public var headDiversity = HeadDiversityConfig()
  /// Which sequences of each batch the terms read (indices below `training.batch_size`).
  public var sequences = [0]
  /// The first this many tokens of each sequence; 0 = the whole sequence.
  public var tokens = 0
  /// Logged bar counts include only bars with `death − birth` above this.
  public var persistenceThreshold = 0.0
  /// `ε` of the smoothed distance `√(JS + ε) − √ε` (bounds the slope at 0 by `1/(2√ε)`).
  public var smoothing = 1e-6

  public init() {}
}

/// A total-persistence term of `RegularizersConfig`.
public struct PersistenceTermConfig: Codable, Equatable, Sendable {
  /// λ, with sign; 0 = off.
  public var weight = 0.0
  /// The exponent p of `Σ (d − b)^p`.
  public var p = 1.0
  /// Layers to read; empty = all.
  public var layers: [Int] = []
  /// Heads to read in each layer; empty = all.
  public var heads: [Int] = []
  /// Compute the term every this many steps.
  public var every = 1

  public init() {}
}

/// The head-diversity term of `RegularizersConfig`.
public struct HeadDiversityConfig: Codable, Equatable, Sendable {
  /// λ, with sign; 0 = off.
  public var weight = 0.0
  /// Layers to read; empty = all.
  public var layers: [Int] = []
  /// Heads to compare in each layer (at least two); empty = all.
  public var heads: [Int] = []
  /// Compute the term every this many steps.
  public var every = 1

  public init() {}
}
