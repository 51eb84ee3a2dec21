/// Float32 tensors with reverse-mode automatic differentiation, and the kernels beneath them.
public enum Autodiff {}
