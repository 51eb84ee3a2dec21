/// Per-step measurements of training dynamics.
public enum Probes {}
