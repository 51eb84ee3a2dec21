import Foundation

// Temporary serial stand-in with the final interface.
public enum Parallel {
  public static func forEach(_ count: Int, grain: Int = 1, _ body: (Int) -> Void) {
    for i in 0..<count { body(i) }
  }
}
