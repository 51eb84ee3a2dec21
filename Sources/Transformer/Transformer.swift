/// Transformer models, their parameters, optimizers, learning-rate schedules and checkpoints.
public enum TransformerModule {}
