import Foundation
import Lab

FileHandle.standardError.write("usage: betti <command>\n".data(using: .utf8)!)
exit(2)
