import Testing

@testable import Topology
