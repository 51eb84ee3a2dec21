/// Persistent homology of finite metric spaces: distance matrices, Vietoris–Rips H0/H1,
/// persistence diagrams and the distances between them.
public enum Topology {}
