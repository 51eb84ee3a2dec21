import Foundation

/// The diagrams of `topology.json` as written by `betti topology` (`AttentionTopology.analyze`):
/// per analysed head its H0/H1 bars, and the model's global diagram over head distances.
/// A `null` death (JSON has no infinity) is an essential bar, `death = .infinity`.
public struct TopologyFile: Sendable {
  /// One analysed head.
  public struct Head: Sendable {
    public var layer: Int
    public var head: Int
    public var h0: [PersistencePlots.Bar]
    public var h1: [PersistencePlots.Bar]
  }

  /// The tokens the attention was computed on.
  public var tokens: [String]
  public var heads: [Head]
  /// The diagram of the head-distance matrix over all heads (nil when absent).
  public var global: (h0: [PersistencePlots.Bar], h1: [PersistencePlots.Bar])?

  /// Reads `url`; a file that is not such JSON throws `RunFolderError.io` naming it.
  public init(url: URL) throws {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    } catch {
      throw RunFolderError.io(path: url.path, detail: "unreadable: \(error.localizedDescription)")
    }
    func fail(_ detail: String) -> RunFolderError { .io(path: url.path, detail: detail) }
    func bars(_ value: Any?, _ field: String) throws -> [PersistencePlots.Bar] {
      guard let list = value as? [[Any]] else { throw fail("\(field) is not a list of bars") }
      return try list.map { pair in
        guard pair.count == 2, let birth = (pair[0] as? NSNumber)?.doubleValue else {
          throw fail("\(field) has a bar that is not [birth, death]")
        }
        return (birth, (pair[1] as? NSNumber)?.doubleValue ?? .infinity)
      }
    }
    guard let root = object as? [String: Any], let heads = root["heads"] as? [[String: Any]] else {
      throw fail("not a topology.json object with \"heads\"")
    }
    tokens = (root["tokens"] as? [String]) ?? []
    self.heads = try heads.map { entry in
      guard let layer = entry["layer"] as? Int, let head = entry["head"] as? Int else {
        throw fail("a head entry has no integer \"layer\" and \"head\"")
      }
      return Head(
        layer: layer, head: head, h0: try bars(entry["h0"], "L\(layer)H\(head).h0"),
        h1: try bars(entry["h1"], "L\(layer)H\(head).h1"))
    }
    if let g = root["global"] as? [String: Any] {
      global = (try bars(g["h0"], "global.h0"), try bars(g["h1"], "global.h1"))
    }
  }
}
