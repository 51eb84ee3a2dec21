import Autodiff
import Foundation

/// A model state that does not fit the model it is loaded into.
public enum StateDictError: LocalizedError, Equatable {
  case missing(path: String, names: [String])
  case unexpected(path: String, names: [String])
  case shapeMismatch(path: String, name: String, found: [Int], expected: [Int])
  case tiedHeadDiffers(path: String)
  case checksumMismatch(path: String)

  public var errorDescription: String? {
    switch self {
    case .missing(let path, let names):
      return
        "\(path): missing tensors \(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", …" : ""); the file was written for a different architecture — check the config (model.depth, model.bias, model.tied_head, model.positional)"
    case .unexpected(let path, let names):
      return
        "\(path): tensors the model does not have: \(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", …" : ""); the config describes a different architecture"
    case .shapeMismatch(let path, let name, let found, let expected):
      return "\(path): tensor \(name) has shape \(found), but the config's model needs \(expected)"
    case .tiedHeadDiffers(let path):
      return
        "\(path): lm_head.weight differs from transformer.wte.weight, but model.tied_head is true; set model.tied_head = false to load an untied head"
    case .checksumMismatch(let path):
      return "\(path): the stored checksum does not match the data; the checkpoint is corrupt"
    }
  }
}

extension GPT {
  /// The weights as nanoGPT's `state_dict`: the same names, shapes and `(out, in)` linear
  /// layout. A tied head is written twice, as `transformer.wte.weight` and `lm_head.weight`,
  /// because PyTorch's `load_state_dict` expects both keys.
  public func stateDict() -> [String: StoredTensor] {
    var dict: [String: StoredTensor] = [:]
    for p in parameters() {
      dict[p.name] = StoredTensor(shape: p.tensor.shape, values: p.tensor.scalars)
    }
    if config.tiedHead { dict["lm_head.weight"] = dict["transformer.wte.weight"] }
    return dict
  }

  /// Copies weights from a state dict with exactly this model's names and shapes (a tied
  /// head's `lm_head.weight` may be present, and must then equal `transformer.wte.weight`).
  /// Nothing is changed unless everything fits. `path` names the source in errors.
  public func load(stateDict dict: [String: StoredTensor], path: String) throws {
    let params = parameters()
    var expected = Set(params.map(\.name))
    if config.tiedHead { expected.insert("lm_head.weight") }
    let missing = params.map(\.name).filter { dict[$0] == nil }
    if !missing.isEmpty { throw StateDictError.missing(path: path, names: missing) }
    let extra = dict.keys.filter { !expected.contains($0) }.sorted()
    if !extra.isEmpty { throw StateDictError.unexpected(path: path, names: extra) }
    for p in params where dict[p.name]!.shape != p.tensor.shape {
      throw StateDictError.shapeMismatch(
        path: path, name: p.name, found: dict[p.name]!.shape, expected: p.tensor.shape)
    }
    if config.tiedHead, let head = dict["lm_head.weight"], head != dict["transformer.wte.weight"] {
      throw StateDictError.tiedHeadDiffers(path: path)
    }
    for p in params { p.tensor.assign(dict[p.name]!.values) }
  }
}

/// A 64-bit FNV-1a hash of tensors' names, shapes and value bits, in name order: a checksum
/// stored in checkpoint metadata so that corrupted data (not only truncation) is detected.
public func checksum(of tensors: [String: StoredTensor]) -> String {
  var h: UInt64 = 0xCBF2_9CE4_8422_2325
  @inline(__always) func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
  for name in tensors.keys.sorted() {
    for b in name.utf8 { mix(b) }
    let t = tensors[name]!
    for d in t.shape { for k in 0..<8 { mix(UInt8(truncatingIfNeeded: d >> (8 * k))) } }
    for v in t.values {
      let bits = v.bitPattern
      for k in 0..<4 { mix(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
    }
  }
  return String(h, radix: 16)
}
