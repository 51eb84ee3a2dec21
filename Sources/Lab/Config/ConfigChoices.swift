/// A config field that takes one of a fixed set of strings. The loader checks the value
/// against `allCases` and lists them in its error message.
public protocol ConfigChoice: CaseIterable, RawRepresentable, Codable, Sendable, Equatable
where RawValue == String {}

extension ConfigChoice {
  /// Every accepted spelling, in declaration order.
  public static var allRawValues: [String] { allCases.map(\.rawValue) }
}

/// The MLP nonlinearity.
public enum Activation: String, ConfigChoice {
  /// GELU by its tanh approximation (GPT-2's form).
  case gelu
  /// GELU with the exact error function.
  case geluExact = "gelu_exact"
  case relu
}

/// Which positions a token may attend to.
public enum AttentionKind: String, ConfigChoice {
  /// Position `i` attends to `j ≤ i`.
  case causal
  /// Every position attends to every position.
  case bidirectional
}

/// Where normalization sits in a block.
public enum NormPlacement: String, ConfigChoice {
  /// LayerNorm before attention and MLP (GPT-2).
  case pre
  /// LayerNorm after each residual addition (the original Transformer).
  case post
  /// No normalization.
  case none
  /// Token states projected onto the unit sphere after every block (nGPT-style).
  case sphere
}

/// How positions enter the model.
public enum PositionalEncoding: String, ConfigChoice {
  case learned
  case sinusoidal
  /// Rotary embeddings on queries and keys; needs an even head dimension.
  case rope
  case none
}

/// The weight initialization scheme.
public enum InitScheme: String, ConfigChoice {
  /// Normal(0, init_std), residual projections scaled by 1/√(2·depth), as GPT-2.
  case gpt2
  /// Xavier/Glorot uniform.
  case xavier
}

/// The optimizer.
public enum OptimizerKind: String, ConfigChoice {
  case sgd
  case adam
  /// Adam with decoupled weight decay.
  case adamw
}

/// The learning-rate schedule's shape (see `LearningRateSchedule.Shape` for each formula).
public enum ScheduleKind: String, ConfigChoice {
  case constant
  case linear
  case cosine
  case inverseSqrt = "inverse_sqrt"
  case step
  case exponential
  case wsd
  case oneCycle = "one_cycle"
}

/// The training task.
public enum TaskKind: String, ConfigChoice {
  /// Character-level language modelling of a UTF-8 text file.
  case char
  /// `a ∘ b mod p`.
  case modular
  /// Balanced bracket sequences over k bracket pairs.
  case dyck
  /// Reproduce the input after a separator.
  case copy
  /// Reproduce the input reversed after a separator.
  case reverse
  /// Continue a repeated random segment.
  case induction
}

/// The binary operation of the modular task.
public enum ModularOperation: String, ConfigChoice {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  /// `a · b⁻¹ mod p`; needs a prime modulus and excludes `b = 0`.
  case divide = "/"
}
