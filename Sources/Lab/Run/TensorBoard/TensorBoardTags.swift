import Probes

/// The TensorBoard tag of each metric column and probe row, grouped the way people browse:
/// TensorBoard puts tags with the same text before the first `/` into one section.
/// `docs/tensorboard.md` lists the mapping; every tag names exactly one series.
public enum TensorBoardTags {
  /// The named metric columns (`MetricsWriter.standardColumns` and the regularizer's scalars).
  static let metricTags: [String: String] = [
    "lr": "lr",
    "train_loss": "loss/train",
    "val_loss": "loss/val",
    "train_eval_loss": "loss/train_eval",
    "train_accuracy": "accuracy/train",
    "val_accuracy": "accuracy/val",
    "train_eval_accuracy": "accuracy/train_eval",
    "grad_norm": "grad_norm/global",
    "grad_clipped": "grad_norm/clipped",
    "tokens_per_s": "progress/tokens_per_s",
    "tokens": "progress/tokens",
    "elapsed_s": "progress/elapsed_s",
    "reg_loss": "topology/loss",
  ]

  /// The tag of metric column `column`: a named column by `metricTags`; a regularizer term
  /// `reg_<term>[_weighted|_grad_norm]` as `topology/<term>…`; a per-head persistence column
  /// `ph_l<L>_h<H>_<what>` as `topology/L<L>H<H>/<what>`; any other column as `metrics/<column>`.
  public static func tag(forMetric column: String) -> String {
    if let tag = metricTags[column] { return tag }
    if column.hasPrefix("reg_") { return "topology/" + column.dropFirst(4) }
    if let (layer, head, rest) = persistenceColumn(column) {
      return "topology/L\(layer)H\(head)/\(rest)"
    }
    return "metrics/" + column
  }

  /// The tag of a probe row: per tensor `<metric>/<tensor>` (without the `transformer.` prefix
  /// every block tensor shares, so `grad_norm/h.0.attn.c_attn.weight`); otherwise
  /// `<family>/<location>/<metric>` with location `L<layer>H<head>` or `L<layer>` (left out for
  /// model-level values) and the metric without its family prefix (`attn_`, `sphere_`,
  /// `sharpness_`, `grad_`), so `attention/L0H1/entropy_bits`, `sphere/action`.
  public static func tag(for row: ProbeRow) -> String {
    if let tensor = row.tensor {
      let short = tensor.hasPrefix("transformer.") ? tensor.dropFirst(12) : Substring(tensor)
      return "\(row.metric)/\(short)"
    }
    var location = ""
    if let layer = row.layer { location = "L\(layer)" }
    if let head = row.head { location += "H\(head)" }
    let prefix = familyPrefix[row.family] ?? ""
    let metric =
      row.metric.hasPrefix(prefix) ? row.metric.dropFirst(prefix.count) : Substring(row.metric)
    let family = row.family.rawValue
    return location.isEmpty ? "\(family)/\(metric)" : "\(family)/\(location)/\(metric)"
  }

  private static let familyPrefix: [ProbeFamily: String] = [
    .attention: "attn_", .sphere: "sphere_", .sharpness: "sharpness_", .gradients: "grad_",
  ]

  /// `ph_l<L>_h<H>_<rest>` split into its parts (nil for any other column).
  private static func persistenceColumn(_ column: String) -> (Int, Int, Substring)? {
    guard column.hasPrefix("ph_l") else { return nil }
    let parts = column.dropFirst(4).split(separator: "_", maxSplits: 2)
    guard parts.count == 3, let layer = Int(parts[0]), parts[1].first == "h",
      let head = Int(parts[1].dropFirst()), !parts[2].isEmpty
    else { return nil }
    return (layer, head, parts[2])
  }
}
