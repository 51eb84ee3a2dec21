import Testing
@testable import Transformer
