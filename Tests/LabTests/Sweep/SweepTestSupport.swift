import Foundation

@testable import Lab

/// A sweep spec whose base is the tiny copy-task config of the trainer tests, with runs under
/// `runs`; `extra` is the rest of the spec as JSON members (`"grid": {…}, "seeds": […]`).
func tinySweepSpec(runs: URL, name: String = "s", steps: Int = 16, _ extra: String) throws
  -> SweepSpec
{
  let base = String(
    decoding: try tinyConfig(runs: runs, name: "base", steps: steps).encodedJSON(), as: UTF8.self)
  let text = "{\"name\": \"\(name)\", \"base\": \(base)" + (extra.isEmpty ? "" : ", " + extra) + "}"
  return try SweepSpec.parse(Data(text.utf8), source: "spec.json")
}

/// The error `body` throws, as a `SweepError`; nil when it throws none or another kind.
func sweepError(_ body: () throws -> Void) -> SweepError? {
  do {
    try body()
    return nil
  } catch let error as SweepError {
    return error
  } catch {
    return nil
  }
}
