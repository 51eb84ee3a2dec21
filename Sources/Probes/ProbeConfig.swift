/// When and where one probe family measures.
///
/// Every field has a default, and a JSON object may leave any of them out. `layers` and `heads`
/// select what is measured (nil: all of them); `sequences` are indices into the probe batch, and
/// values are averaged over them.
public struct ProbeConfig: Sendable, Equatable, Codable {
  public var enabled: Bool
  /// Measure at steps that are multiples of `every` (step 0 included).
  public var every: Int
  public var layers: [Int]?
  public var heads: [Int]?
  public var sequences: [Int]

  public init(
    enabled: Bool = true, every: Int = 1, layers: [Int]? = nil, heads: [Int]? = nil,
    sequences: [Int] = [0]
  ) {
    self.enabled = enabled
    self.every = every
    self.layers = layers
    self.heads = heads
    self.sequences = sequences
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = ProbeConfig()
    enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
    every = try c.decodeIfPresent(Int.self, forKey: .every) ?? d.every
    layers = try c.decodeIfPresent([Int].self, forKey: .layers) ?? d.layers
    heads = try c.decodeIfPresent([Int].self, forKey: .heads) ?? d.heads
    sequences = try c.decodeIfPresent([Int].self, forKey: .sequences) ?? d.sequences
  }

  /// Whether this family measures at `step`.
  public func isDue(atStep step: Int) -> Bool { enabled && every > 0 && step % every == 0 }
}

/// When and how the sharpness probe (`Sharpness.topEigenvalue`) runs; it costs up to
/// `2 · iterations` forward and backward passes (twice that when negative curvature dominates),
/// so it is off by default and runs rarely when on.
public struct SharpnessConfig: Sendable, Equatable, Codable {
  public var enabled: Bool
  public var every: Int
  /// The largest number of power-iteration steps per run.
  public var iterations: Int
  /// Stop when the estimate changes by less than this, relative to its magnitude.
  public var tolerance: Double
  /// The finite-difference step, relative to the parameter norm: `ε = relativeStep · ‖θ‖`.
  public var relativeStep: Double
  /// Seed of the random start vector.
  public var seed: UInt64

  public init(
    enabled: Bool = false, every: Int = 100, iterations: Int = 20, tolerance: Double = 1e-3,
    relativeStep: Double = 1e-4, seed: UInt64 = 0
  ) {
    self.enabled = enabled
    self.every = every
    self.iterations = iterations
    self.tolerance = tolerance
    self.relativeStep = relativeStep
    self.seed = seed
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = SharpnessConfig()
    enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
    every = try c.decodeIfPresent(Int.self, forKey: .every) ?? d.every
    iterations = try c.decodeIfPresent(Int.self, forKey: .iterations) ?? d.iterations
    tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? d.tolerance
    relativeStep = try c.decodeIfPresent(Double.self, forKey: .relativeStep) ?? d.relativeStep
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
  }

  /// Whether the probe runs at `step`.
  public func isDue(atStep step: Int) -> Bool { enabled && every > 0 && step % every == 0 }
}

/// The schedules of all probe families, as the experiment config holds them.
///
/// `gradients` uses only `enabled` and `every`: it measures every parameter tensor and every
/// residual position on the training batch of the step.
public struct ProbesConfig: Sendable, Equatable, Codable {
  public var attention: ProbeConfig
  public var sphere: ProbeConfig
  public var gradients: ProbeConfig
  public var sharpness: SharpnessConfig

  public init(
    attention: ProbeConfig = ProbeConfig(), sphere: ProbeConfig = ProbeConfig(),
    gradients: ProbeConfig = ProbeConfig(), sharpness: SharpnessConfig = SharpnessConfig()
  ) {
    self.attention = attention
    self.sphere = sphere
    self.gradients = gradients
    self.sharpness = sharpness
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    attention = try c.decodeIfPresent(ProbeConfig.self, forKey: .attention) ?? ProbeConfig()
    sphere = try c.decodeIfPresent(ProbeConfig.self, forKey: .sphere) ?? ProbeConfig()
    gradients = try c.decodeIfPresent(ProbeConfig.self, forKey: .gradients) ?? ProbeConfig()
    sharpness = try c.decodeIfPresent(SharpnessConfig.self, forKey: .sharpness) ?? SharpnessConfig()
  }
}
