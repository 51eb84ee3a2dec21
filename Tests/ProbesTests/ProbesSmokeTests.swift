import Testing

@testable import Probes
