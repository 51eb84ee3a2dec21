// swift-tools-version:6.0
import Foundation
import PackageDescription

// Kernels need the compiler to know the target CPU: without it every SIMD fused multiply-add
// becomes a per-lane library call (~200x slower). `BETTI_PORTABLE=1 swift build` builds for a
// generic x86-64/arm64 target instead, with a correct but slower non-FMA path.
let portable = ProcessInfo.processInfo.environment["BETTI_PORTABLE"] == "1"
let speed: [SwiftSetting] =
  (portable ? [] : [.unsafeFlags(["-target-cpu", "native"]), .define("BETTI_FMA")])
  + [
    .unsafeFlags(
      ["-enforce-exclusivity=unchecked", "-Xcc", "-fno-math-errno"], .when(configuration: .release))
  ]

let package = Package(
  name: "Betti",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "betti", targets: ["betti"]),
    .library(name: "Lab", targets: ["Lab"]),
  ],
  targets: [
    .target(name: "Autodiff", swiftSettings: speed),
    .target(name: "Topology", dependencies: ["Autodiff"], swiftSettings: speed),
    .target(name: "Transformer", dependencies: ["Autodiff"], swiftSettings: speed),
    .target(
      name: "Probes", dependencies: ["Autodiff", "Topology", "Transformer"], swiftSettings: speed),
    .target(
      name: "Lab", dependencies: ["Autodiff", "Topology", "Transformer", "Probes"],
      swiftSettings: speed),
    .executableTarget(name: "betti", dependencies: ["Lab"], swiftSettings: speed),
    .target(
      name: "TestSupport", dependencies: ["Autodiff"], path: "Tests/TestSupport",
      swiftSettings: speed),
    .testTarget(
      name: "AutodiffTests", dependencies: ["Autodiff", "TestSupport"], swiftSettings: speed),
    .testTarget(
      name: "TopologyTests", dependencies: ["Topology", "TestSupport"], exclude: ["Fixtures"],
      swiftSettings: speed),
    .testTarget(
      name: "TransformerTests", dependencies: ["Transformer", "TestSupport"], swiftSettings: speed),
    .testTarget(
      name: "ProbesTests", dependencies: ["Probes", "TestSupport"], swiftSettings: speed),
    .testTarget(
      name: "LabTests", dependencies: ["Lab", "TestSupport"], exclude: ["Fixtures"],
      swiftSettings: speed),
  ],
  swiftLanguageModes: [.v5]
)
