import Probes
import Testing

@testable import Lab

@Suite struct TensorBoardTagsTests {
  @Test func metricColumns() {
    let expected = [
      "lr": "lr", "train_loss": "loss/train", "val_loss": "loss/val",
      "train_eval_loss": "loss/train_eval", "train_accuracy": "accuracy/train",
      "val_accuracy": "accuracy/val", "train_eval_accuracy": "accuracy/train_eval",
      "grad_norm": "grad_norm/global", "grad_clipped": "grad_norm/clipped",
      "tokens_per_s": "progress/tokens_per_s", "tokens": "progress/tokens",
      "elapsed_s": "progress/elapsed_s", "reg_loss": "topology/loss",
      "reg_h0_total_persistence": "topology/h0_total_persistence",
      "reg_head_diversity_weighted": "topology/head_diversity_weighted",
      "reg_h1_total_persistence_grad_norm": "topology/h1_total_persistence_grad_norm",
      "ph_l0_h1_h0_bars": "topology/L0H1/h0_bars",
      "ph_l12_h3_h1_bottleneck": "topology/L12H3/h1_bottleneck",
      "ph_lx_h1_bars": "metrics/ph_lx_h1_bars", "something_new": "metrics/something_new",
    ]
    for (column, tag) in expected {
      #expect(TensorBoardTags.tag(forMetric: column) == tag, "\(column)")
    }
    // Every standard column has its own section and name.
    let standard = MetricsWriter.standardColumns.dropFirst()
    #expect(Set(standard.map(TensorBoardTags.tag(forMetric:))).count == standard.count)
    #expect(standard.allSatisfy { !TensorBoardTags.tag(forMetric: $0).hasPrefix("metrics/") })
  }

  @Test func probeRows() {
    let cases: [(ProbeRow, String)] = [
      (
        ProbeRow(
          step: 1, family: .attention, layer: 1, head: 2, metric: "attn_entropy_bits", value: 0),
        "attention/L1H2/entropy_bits"
      ),
      (
        ProbeRow(
          step: 1, family: .attention, layer: 0, head: 0, metric: "curv_discrete_min", value: 0),
        "attention/L0H0/curv_discrete_min"
      ),
      (
        ProbeRow(step: 1, family: .sphere, layer: 3, metric: "sphere_mean_cosine", value: 0),
        "sphere/L3/mean_cosine"
      ),
      (ProbeRow(step: 1, family: .sphere, metric: "sphere_action", value: 0), "sphere/action"),
      (
        ProbeRow(
          step: 1, family: .gradients, tensor: "transformer.h.3.attn.c_attn.weight",
          metric: "grad_norm", value: 0),
        "grad_norm/h.3.attn.c_attn.weight"
      ),
      (
        ProbeRow(
          step: 1, family: .gradients, tensor: "lm_head.weight", metric: "update_ratio", value: 0),
        "update_ratio/lm_head.weight"
      ),
      (
        ProbeRow(step: 1, family: .gradients, layer: 2, metric: "residual_grad_norm", value: 0),
        "gradients/L2/residual_grad_norm"
      ),
      (
        ProbeRow(step: 1, family: .gradients, metric: "grad_global_norm", value: 0),
        "gradients/global_norm"
      ),
      (
        ProbeRow(step: 1, family: .sharpness, metric: "sharpness_top_eigenvalue", value: 0),
        "sharpness/top_eigenvalue"
      ),
    ]
    for (row, tag) in cases {
      #expect(TensorBoardTags.tag(for: row) == tag)
    }
  }
}
