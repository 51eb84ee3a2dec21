import Foundation
import Topology

/// What is wrong with a file offered to `betti ph`.
public enum PersistenceInputError: LocalizedError, Equatable {
  case unreadable(path: String, detail: String)
  case empty(path: String)
  case unparsable(path: String, detail: String)
  case ragged(path: String, row: Int, length: Int, expected: Int)
  case notSquare(path: String, rows: Int, columns: Int)
  case invalidMatrix(path: String, detail: String)
  case badOption(String)

  public var errorDescription: String? {
    switch self {
    case .unreadable(let path, let detail): return "cannot read \(path): \(detail)"
    case .empty(let path):
      return "\(path): no rows (expected a matrix as CSV or a JSON array of arrays)"
    case .unparsable(let path, let detail): return "\(path): \(detail)"
    case .ragged(let path, let row, let length, let expected):
      return "\(path): ragged rows: row \(row) has \(length) entries, row 0 has \(expected)"
    case .notSquare(let path, let rows, let columns):
      return "\(path): a distance matrix must be square, but it has \(rows) rows of \(columns) "
        + "entries (for a point cloud pass --metric euclidean|cosine|jensen-shannon)"
    case .invalidMatrix(let path, let detail): return "\(path): \(detail)"
    case .badOption(let message): return message
    }
  }
}

/// How the rows of a point cloud become distances.
public enum PointMetric: String, CaseIterable, Sendable {
  case euclidean
  case cosine
  /// Rows are probability distributions (Jensen–Shannon distance, `--base`).
  case jensenShannon = "jensen-shannon"
}

/// Reading matrices for persistence from text: CSV (one row per line, commas or whitespace) or
/// JSON (an array of arrays of numbers).
public enum PersistenceInput {
  /// The rows of `text`; `source` names it in errors. JSON when the first non-blank character
  /// is `[`, else CSV (blank lines and lines starting with `#` are skipped).
  ///
  /// - Throws: `.unparsable` naming the line and field (or the JSON problem), `.empty`,
  ///   `.ragged` when rows differ in length.
  public static func parse(_ text: String, source: String) throws -> [[Float]] {
    var rows: [[Float]] = []
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.hasPrefix("[") {
      do {
        rows = try JSONDecoder().decode([[Double]].self, from: Data(trimmed.utf8)).map {
          $0.map { Float($0) }
        }
      } catch DecodingError.typeMismatch(_, let context) {
        let at = context.codingPath.map { "[\($0.intValue ?? 0)]" }.joined()
        throw PersistenceInputError.unparsable(
          path: source,
          detail: "JSON entry \(at) is not a number (expected an array of arrays of numbers)")
      } catch DecodingError.valueNotFound(_, let context) {
        let at = context.codingPath.map { "[\($0.intValue ?? 0)]" }.joined()
        throw PersistenceInputError.unparsable(
          path: source, detail: "JSON entry \(at) is null (expected an array of arrays of numbers)")
      } catch {
        throw PersistenceInputError.unparsable(
          path: source, detail: "invalid JSON (expected an array of arrays of numbers)")
      }
    } else {
      for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated()
      {
        let content = line.trimmingCharacters(in: .whitespaces)
        if content.isEmpty || content.hasPrefix("#") { continue }
        let fields = content.split(whereSeparator: {
          $0 == "," || $0 == " " || $0 == "\t" || $0 == ";"
        })
        rows.append(
          try fields.enumerated().map { j, field in
            guard let value = Float(field.trimmingCharacters(in: .whitespaces)) else {
              throw PersistenceInputError.unparsable(
                path: source,
                detail: "line \(index + 1), field \(j + 1): \"\(field)\" is not a number")
            }
            return value
          })
      }
    }
    guard let first = rows.first else { throw PersistenceInputError.empty(path: source) }
    for (i, row) in rows.enumerated() where row.count != first.count {
      throw PersistenceInputError.ragged(
        path: source, row: i, length: row.count, expected: first.count)
    }
    return rows
  }

  /// The distance matrix of `rows`: the rows themselves (square, symmetric, ≥ 0, zero
  /// diagonal, finite) when `metric` is nil, else the distances between the rows as points.
  ///
  /// - Throws: `.notSquare`, or `.invalidMatrix` with `DistanceMatrixError`'s message naming
  ///   the offending entry.
  public static func distances(
    _ rows: [[Float]], metric: PointMetric?, base: Double = 2, source: String
  ) throws -> DistanceMatrix {
    let n = rows.count
    let m = rows.first?.count ?? 0
    do {
      switch metric {
      case nil:
        guard n == m else {
          throw PersistenceInputError.notSquare(path: source, rows: n, columns: m)
        }
        return try DistanceMatrix(rows: rows)
      case .euclidean:
        return try DistanceMatrix.euclidean(points: rows.flatMap { $0 }, count: n, dimension: m)
      case .cosine:
        return try DistanceMatrix.cosine(points: rows.flatMap { $0 }, count: n, dimension: m)
      case .jensenShannon:
        return try DistanceMatrix.jensenShannon(
          rows: rows.flatMap { $0 }, rowCount: n, columnCount: m, base: base)
      }
    } catch let error as DistanceMatrixError {
      throw PersistenceInputError.invalidMatrix(
        path: source, detail: error.errorDescription ?? "\(error)")
    }
  }
}
