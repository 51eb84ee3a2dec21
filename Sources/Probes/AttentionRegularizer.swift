import Autodiff
import Foundation
import Topology

/// One regularizer term's settings: weight λ (with sign; 0 = off), exponent, where and when.
public struct RegularizerTermSettings: Sendable, Equatable {
  /// λ: the term joins the loss as `λ · term`; negative weights maximize it. 0 = off.
  public var weight: Double
  /// `p` of `Σ (d − b)^p` (unused by head diversity).
  public var exponent: Double
  /// Layers the term reads; empty = all.
  public var layers: [Int]
  /// Heads the term reads in each layer; empty = all.
  public var heads: [Int]
  /// The term is computed at steps divisible by `every`.
  public var every: Int

  public init(
    weight: Double = 0, exponent: Double = 1, layers: [Int] = [], heads: [Int] = [], every: Int = 1
  ) {
    self.weight = weight
    self.exponent = exponent
    self.layers = layers
    self.heads = heads
    self.every = every
  }
}

/// Settings of `AttentionRegularizer`.
public struct RegularizerSettings: Sendable, Equatable {
  public var h0TotalPersistence = RegularizerTermSettings()
  public var h1TotalPersistence = RegularizerTermSettings()
  public var headDiversity = RegularizerTermSettings()
  /// Which sequences of the batch the terms read (their values are averaged).
  public var sequences: [Int] = [0]
  /// The first `tokens` positions of each sequence; 0 = all.
  public var tokens = 0
  /// Logged bar counts include only finite bars with `death − birth >` this.
  public var persistenceThreshold = 0.0
  /// `ε` of the smoothed Jensen–Shannon distance `√(JS + ε) − √ε`.
  public var smoothing = JensenShannon.defaultSmoothing

  public init() {}
}

/// The regularizer's contribution to one step: the loss to add, and what to log.
public struct RegularizerOutput {
  /// `Σ λ_i · term_i`, a scalar on the tape whose gradient flows into the captured attention
  /// (hence the model). Add it to the task loss before `backward()`.
  public let loss: Tensor
  /// Log values by column name (a subset of `AttentionRegularizer.columns`).
  public let values: [String: Double]
}

/// Persistent-homology and head-diversity terms of attention, for the training loss.
///
/// Per step (see the Trainer): `captureLayers(atStep:)` says which layers' attention the forward
/// pass must capture (empty: none, skip the regularizer); `output(attention:step:)` returns the
/// loss to add and the log values. Terms:
/// - `h0_total_persistence`: mean over selected (sequence, layer, head) of `Σ (d−b)^p` over the
///   finite H0 bars of the head's smoothed JSD matrix (first `tokens` rows and keys);
/// - `h1_total_persistence`: the same over H1;
/// - `head_diversity`: mean over (sequence, layer) of `−mean_{a<b} D(H_a, H_b)` over the
///   selected heads.
///
/// Each term is evaluated on detached copies of the selected attention blocks, and its
/// gradient with respect to them is computed there, term by term; the loss is then spliced
/// into the tape by one custom op whose backward hands back `Σ λ_i ∂term_i/∂A`. So each term's
/// gradient norm, logged as `<term>_grad_norm`, is `‖λ_i ∂term_i/∂A‖₂` over the selected
/// attention entries, available with the loss (no second backward is needed).
///
/// Per head with a persistence term (on the first selected sequence): `h0_bars`, `h1_bars`
/// (finite bars above `persistenceThreshold`) and `h0_bottleneck`, `h1_bottleneck`, the
/// bottleneck distance of the finite diagram to the one of the previous logged step (absent the
/// first time; computed only at steps that are logged, see `output(attention:step:logged:)`).
public final class AttentionRegularizer {
  public let settings: RegularizerSettings
  public let depth: Int
  public let heads: Int
  /// Every column this regularizer may log, in a stable order.
  public let columns: [String]
  private var previous: [String: (h0: PersistenceDiagram, h1: PersistenceDiagram)] = [:]

  /// The diagrams the next logged step's bottleneck distances compare with, for a checkpoint:
  /// `"<key>.h0"` and `"<key>.h1"`, each the finite bars as `birth, death` pairs in order.
  public var previousDiagrams: [String: [Float]] {
    var stored: [String: [Float]] = [:]
    for (key, diagrams) in previous {
      stored[key + ".h0"] = diagrams.h0.pairs.flatMap { [$0.birth, $0.death] }
      stored[key + ".h1"] = diagrams.h1.pairs.flatMap { [$0.birth, $0.death] }
    }
    return stored
  }

  /// Restores what `previousDiagrams` returned, so that a resumed run logs the same bottleneck
  /// distances as an uninterrupted one. Keys without both halves are ignored.
  public func restorePreviousDiagrams(_ stored: [String: [Float]]) {
    previous = [:]
    func diagram(_ values: [Float], dimension: Int) -> PersistenceDiagram {
      let pairs = stride(from: 0, to: values.count - 1, by: 2).map {
        PersistencePair(birth: values[$0], death: values[$0 + 1])
      }
      return PersistenceDiagram(dimension: dimension, pairs: pairs)
    }
    for (name, h0) in stored where name.hasSuffix(".h0") {
      let key = String(name.dropLast(3))
      guard let h1 = stored[key + ".h1"] else { continue }
      previous[key] = (diagram(h0, dimension: 0), diagram(h1, dimension: 1))
    }
  }

  private enum Term: CaseIterable {
    case h0, h1, diversity
    var name: String {
      switch self {
      case .h0: "h0_total_persistence"
      case .h1: "h1_total_persistence"
      case .diversity: "head_diversity"
      }
    }
  }

  /// A regularizer for a model with `depth` layers of `heads` heads.
  public init(settings: RegularizerSettings, depth: Int, heads: Int) {
    self.settings = settings
    self.depth = depth
    self.heads = heads
    var columns: [String] = []
    let all = Term.allCases.filter { Self.termSettings($0, settings).weight != 0 }
    if !all.isEmpty { columns.append("reg_loss") }
    for term in all {
      columns += ["reg_\(term.name)", "reg_\(term.name)_weighted", "reg_\(term.name)_grad_norm"]
    }
    var diagnosed = Set<[Int]>()
    for term in all where term != .diversity {
      let s = Self.termSettings(term, settings)
      for l in Self.resolve(s.layers, depth) {
        for h in Self.resolve(s.heads, heads) { diagnosed.insert([l, h]) }
      }
    }
    for pair in diagnosed.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
      let key = Self.key(pair[0], pair[1])
      columns += [
        "\(key)_h0_bars", "\(key)_h1_bars", "\(key)_h0_bottleneck", "\(key)_h1_bottleneck",
      ]
    }
    self.columns = columns
  }

  /// The layers whose attention the forward pass at `step` must capture; empty when no term
  /// is due (then do not call `output`).
  public func captureLayers(atStep step: Int) -> Set<Int> {
    var layers = Set<Int>()
    for term in dueTerms(step) {
      layers.formUnion(Self.resolve(Self.termSettings(term, settings).layers, depth))
    }
    return layers
  }

  /// The loss and log values for `step`, from the captured attention (`ForwardCapture.attention`:
  /// per layer `(B, nh, T, T)` on the tape). Nil when no term is due at `step`.
  public func output(attention: [Int: Tensor], step: Int, logged: Bool = true)
    -> RegularizerOutput?
  {
    let due = dueTerms(step)
    guard !due.isEmpty else { return nil }
    // One detached leaf per (layer, sequence): the union of the heads any due term reads.
    var layerHeads: [Int: [Int]] = [:]
    for term in due {
      let s = Self.termSettings(term, settings)
      for l in Self.resolve(s.layers, depth) {
        layerHeads[l] = Array(Set(layerHeads[l] ?? []).union(Self.resolve(s.heads, heads))).sorted()
      }
    }
    struct Block {
      let layer: Int
      let sequence: Int
      let heads: [Int]
      let live: Tensor
      let leaf: Tensor
      var gradient: [Float]
    }
    var blocks: [Block] = []
    for l in layerHeads.keys.sorted() {
      guard let a = attention[l] else {
        preconditionFailure("AttentionRegularizer: layer \(l)'s attention was not captured")
      }
      let n = settings.tokens == 0 ? a.shape[2] : min(settings.tokens, a.shape[2])
      for s in settings.sequences {
        let live = AttentionTerms.headBlock(a, sequence: s, heads: layerHeads[l]!, tokens: n)
        let leaf = live.detached()
        leaf.requiresGrad = true
        blocks.append(
          Block(
            layer: l, sequence: s, heads: layerHeads[l]!, live: live, leaf: leaf,
            gradient: [Float](repeating: 0, count: leaf.count)))
      }
    }
    var values: [String: Double] = [:]
    var total = 0.0
    var diagrams: [String: RipsPersistence] = [:]
    for term in due {
      let s = Self.termSettings(term, settings)
      let termLayers = Set(Self.resolve(s.layers, depth))
      let termHeads = Self.resolve(s.heads, heads)
      var parts: [Tensor] = []
      for block in blocks where termLayers.contains(block.layer) {
        let n = block.leaf.shape[1]
        let rows = termHeads.map { h in
          block.leaf.slice(
            axis: 0, block.heads.firstIndex(of: h)!..<(block.heads.firstIndex(of: h)! + 1)
          )
          .reshaped([n, n])
        }
        switch term {
        case .h0, .h1:
          for (h, r) in zip(termHeads, rows) {
            let (value, persistence) = AttentionTerms.totalPersistence(
              rows: r, dimension: term == .h0 ? 0 : 1, exponent: s.exponent,
              smoothing: settings.smoothing)
            parts.append(value)
            if block.sequence == settings.sequences.first {
              diagrams[Self.key(block.layer, h)] = persistence
            }
          }
        case .diversity:
          let stacked = Tensor.concat(rows.map { $0.reshaped([1, n, n]) }, axis: 0)
          parts.append(AttentionTerms.headDiversity(heads: stacked, smoothing: settings.smoothing))
        }
      }
      guard !parts.isEmpty else { continue }
      let raw = parts.dropFirst().reduce(parts[0], +) * (1 / Float(parts.count))
      let weighted = raw * Float(s.weight)
      weighted.backward()
      var squares = 0.0
      for k in blocks.indices {
        guard let g = blocks[k].leaf.grad else { continue }
        let gs = g.scalars
        for i in gs.indices {
          squares += Double(gs[i]) * Double(gs[i])
          blocks[k].gradient[i] += gs[i]
        }
        blocks[k].leaf.grad = nil
      }
      values["reg_\(term.name)"] = Double(raw.item)
      values["reg_\(term.name)_weighted"] = Double(weighted.item)
      values["reg_\(term.name)_grad_norm"] = squares.squareRoot()
      total += Double(weighted.item)
    }
    values["reg_loss"] = total
    for (key, persistence) in diagrams {
      let threshold = Float(settings.persistenceThreshold)
      values["\(key)_h0_bars"] = Double(
        persistence.h0.finitePairs.filter { $0.persistence > threshold }.count)
      values["\(key)_h1_bars"] = Double(
        persistence.h1.finitePairs.filter { $0.persistence > threshold }.count)
      let h0 = PersistenceDiagram(dimension: 0, pairs: persistence.h0.finitePairs)
      let h1 = PersistenceDiagram(dimension: 1, pairs: persistence.h1.finitePairs)
      guard logged else { continue }
      if let last = previous[key] {
        values["\(key)_h0_bottleneck"] = DiagramDistance.bottleneck(last.h0, h0)
        values["\(key)_h1_bottleneck"] = DiagramDistance.bottleneck(last.h1, h1)
      }
      previous[key] = (h0, h1)
    }
    let gradients = blocks.map { Tensor($0.gradient, shape: $0.leaf.shape) }
    let loss = Tensor.custom(Tensor(scalar: Float(total)), inputs: blocks.map(\.live)) { g in
      gradients.map { $0 * g.item }
    }
    return RegularizerOutput(loss: loss, values: values)
  }

  private func dueTerms(_ step: Int) -> [Term] {
    Term.allCases.filter {
      let s = Self.termSettings($0, settings)
      return s.weight != 0 && s.every >= 1 && step % s.every == 0
    }
  }

  private static func termSettings(_ term: Term, _ settings: RegularizerSettings)
    -> RegularizerTermSettings
  {
    switch term {
    case .h0: settings.h0TotalPersistence
    case .h1: settings.h1TotalPersistence
    case .diversity: settings.headDiversity
    }
  }

  private static func resolve(_ list: [Int], _ count: Int) -> [Int] {
    list.isEmpty ? Array(0..<count) : list
  }

  private static func key(_ layer: Int, _ head: Int) -> String { "ph_l\(layer)_h\(head)" }
}
