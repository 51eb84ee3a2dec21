import Probes

extension RegularizersConfig {
  /// The settings of `AttentionRegularizer` that this section describes.
  public var settings: RegularizerSettings {
    var s = RegularizerSettings()
    s.h0TotalPersistence = RegularizerTermSettings(
      weight: h0TotalPersistence.weight, exponent: h0TotalPersistence.p,
      layers: h0TotalPersistence.layers, heads: h0TotalPersistence.heads,
      every: h0TotalPersistence.every)
    s.h1TotalPersistence = RegularizerTermSettings(
      weight: h1TotalPersistence.weight, exponent: h1TotalPersistence.p,
      layers: h1TotalPersistence.layers, heads: h1TotalPersistence.heads,
      every: h1TotalPersistence.every)
    s.headDiversity = RegularizerTermSettings(
      weight: headDiversity.weight, layers: headDiversity.layers, heads: headDiversity.heads,
      every: headDiversity.every)
    s.sequences = sequences
    s.tokens = tokens
    s.persistenceThreshold = persistenceThreshold
    s.smoothing = smoothing
    return s
  }

  /// Whether any term has a nonzero weight.
  public var isActive: Bool {
    h0TotalPersistence.weight != 0 || h1TotalPersistence.weight != 0 || headDiversity.weight != 0
  }
}

extension Config {
  /// The regularizer for this config's model, or nil when every weight is 0.
  public func makeRegularizer() -> AttentionRegularizer? {
    guard regularizers.isActive else { return nil }
    return AttentionRegularizer(
      settings: regularizers.settings, depth: model.depth, heads: model.heads)
  }
}
