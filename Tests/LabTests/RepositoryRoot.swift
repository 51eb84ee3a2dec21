import Foundation

/// The package's root folder, for tests that read the shipped configs and data (this file is
/// `Tests/LabTests/RepositoryRoot.swift`).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
