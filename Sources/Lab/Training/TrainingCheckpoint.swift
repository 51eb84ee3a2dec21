import Autodiff
import Foundation
import Transformer

/// Why a checkpoint could not be used.
public enum CheckpointError: LocalizedError {
  case notFound(path: String)
  case incomplete(path: String, detail: String)

  public var errorDescription: String? {
    switch self {
    case .notFound(let path):
      return
        "\(path): no checkpoint there; give a run folder, a checkpoint folder or a .safetensors file"
    case .incomplete(let path, let detail):
      return
        "\(path): the checkpoint is incomplete or corrupt (\(detail)); resume from an earlier checkpoint or start over"
    }
  }
}

/// A checkpoint folder `checkpoints/step_NNNNNN/` holding `model.safetensors` (the weights
/// exactly as nanoGPT's `state_dict`, loadable by PyTorch) and `trainer.safetensors` (the
/// optimizer's moments as `optimizer.<name>` tensors, and in the metadata the step, the
/// generator states and the run's config), each with a checksum of its tensors in the
/// metadata. `checkpoints/latest` names the newest complete one; it is replaced atomically
/// only after both files are on disk, so a crash never leaves it pointing at a torn checkpoint.
struct TrainingCheckpoint {
  static let formatVersion = "1"

  var step: Int
  var model: [String: StoredTensor]
  var optimizer: [String: [Float]]
  var dataRandom: SeededRandom
  var dropoutRandom: SeededRandom
  var wallTime: Double
  /// The regularizer's previous logged diagrams (`AttentionRegularizer.previousDiagrams`).
  var regularizerDiagrams: [String: [Float]] = [:]

  static func folderName(step: Int) -> String { String(format: "step_%06d", step) }

  /// Writes the checkpoint under `directory` and points `latest` at it; keeps the newest `keep`.
  func write(to directory: URL, configJSON: String, keep: Int = 2) throws {
    let fm = FileManager.default
    let folder = directory.appendingPathComponent(Self.folderName(step: step))
    try? fm.removeItem(at: folder)
    try fm.createDirectory(at: folder, withIntermediateDirectories: true)
    let modelMeta = [
      "format": "pt", "betti.checksum": checksum(of: model), "betti.step": String(step),
    ]
    try Safetensors.write(
      SafetensorsContents(tensors: model, metadata: modelMeta),
      to: folder.appendingPathComponent("model.safetensors"))
    var state: [String: StoredTensor] = [:]
    for (name, values) in optimizer {
      state["optimizer." + name] = StoredTensor(shape: [values.count], values: values)
    }
    for (name, values) in regularizerDiagrams {
      state["regularizer." + name] = StoredTensor(shape: [values.count], values: values)
    }
    let encoder = JSONEncoder()
    let meta: [String: String] = [
      "betti.version": Self.formatVersion,
      "betti.step": String(step),
      "betti.data_rng": String(decoding: try encoder.encode(dataRandom), as: UTF8.self),
      "betti.dropout_rng": String(decoding: try encoder.encode(dropoutRandom), as: UTF8.self),
      "betti.wall_time_s": String(wallTime),
      "betti.config": configJSON,
      "betti.checksum": checksum(of: state),
    ]
    try Safetensors.write(
      SafetensorsContents(tensors: state, metadata: meta),
      to: folder.appendingPathComponent("trainer.safetensors"))
    let latest = directory.appendingPathComponent("latest")
    let temp = directory.appendingPathComponent(".latest.tmp")
    try Data((Self.folderName(step: step) + "\n").utf8).write(to: temp)
    guard rename(temp.path, latest.path) == 0 else {
      throw CheckpointError.incomplete(
        path: latest.path, detail: "cannot update: \(String(cString: strerror(errno)))")
    }
    // Prune older checkpoints beyond `keep`.
    let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
    let steps = names.filter { $0.hasPrefix("step_") }.sorted()
    for old in steps.dropLast(keep) {
      try? fm.removeItem(at: directory.appendingPathComponent(old))
    }
  }

  /// The checkpoint `latest` points to, or nil when there is none.
  static func readLatest(in directory: URL) throws -> TrainingCheckpoint? {
    let latest = directory.appendingPathComponent("latest")
    guard let text = try? String(contentsOf: latest, encoding: .utf8) else { return nil }
    let folder = directory.appendingPathComponent(
      text.trimmingCharacters(in: .whitespacesAndNewlines))
    return try read(folder: folder)
  }

  static func read(folder: URL) throws -> TrainingCheckpoint {
    let modelURL = folder.appendingPathComponent("model.safetensors")
    let stateURL = folder.appendingPathComponent("trainer.safetensors")
    let model = try readModel(modelURL)
    let state = try Safetensors.read(from: stateURL)
    guard state.metadata["betti.checksum"] == checksum(of: state.tensors) else {
      throw CheckpointError.incomplete(path: stateURL.path, detail: "checksum mismatch")
    }
    let decoder = JSONDecoder()
    guard let stepText = state.metadata["betti.step"], let step = Int(stepText),
      let data = state.metadata["betti.data_rng"],
      let dropout = state.metadata["betti.dropout_rng"],
      let dataRandom = try? decoder.decode(SeededRandom.self, from: Data(data.utf8)),
      let dropoutRandom = try? decoder.decode(SeededRandom.self, from: Data(dropout.utf8))
    else {
      throw CheckpointError.incomplete(
        path: stateURL.path, detail: "missing step or generator state")
    }
    guard model.metadata["betti.step"] == stepText else {
      throw CheckpointError.incomplete(
        path: folder.path, detail: "model and trainer files are from different steps")
    }
    var optimizer: [String: [Float]] = [:]
    for (name, t) in state.tensors where name.hasPrefix("optimizer.") {
      optimizer[String(name.dropFirst("optimizer.".count))] = t.values
    }
    var diagrams: [String: [Float]] = [:]
    for (name, t) in state.tensors where name.hasPrefix("regularizer.") {
      diagrams[String(name.dropFirst("regularizer.".count))] = t.values
    }
    return TrainingCheckpoint(
      step: step, model: model.tensors, optimizer: optimizer, dataRandom: dataRandom,
      dropoutRandom: dropoutRandom,
      wallTime: Double(state.metadata["betti.wall_time_s"] ?? "") ?? 0,
      regularizerDiagrams: diagrams)
  }

  /// Reads a weights file, verifying its checksum when it carries one (files exported from
  /// PyTorch do not).
  static func readModel(_ url: URL) throws -> SafetensorsContents {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw CheckpointError.notFound(path: url.path)
    }
    let contents = try Safetensors.read(from: url)
    if let stored = contents.metadata["betti.checksum"], stored != checksum(of: contents.tensors) {
      throw StateDictError.checksumMismatch(path: url.path)
    }
    return contents
  }

  /// The weights file for a run folder (its latest checkpoint), a checkpoint folder, or a file.
  static func modelFile(for path: String) throws -> URL {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw CheckpointError.notFound(path: path)
    }
    if !isDirectory.boolValue { return url }
    let direct = url.appendingPathComponent("model.safetensors")
    if FileManager.default.fileExists(atPath: direct.path) { return direct }
    let checkpoints = url.appendingPathComponent("checkpoints")
    if let text = try? String(
      contentsOf: checkpoints.appendingPathComponent("latest"), encoding: .utf8)
    {
      return checkpoints.appendingPathComponent(
        text.trimmingCharacters(in: .whitespacesAndNewlines)
      ).appendingPathComponent("model.safetensors")
    }
    throw CheckpointError.notFound(path: path)
  }
}
