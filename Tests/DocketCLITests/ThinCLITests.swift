import DocketApp
import Foundation
import Testing

/// The CLI is a thin layer over the application (docs/architecture.md): it imports no storage module, and every
/// command that works on a store opens it through the one `StoreCommand`/`StoreAccess` path.
@Suite struct ThinCLITests {
    static let cliSources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/DocketCLI")

    static func sources() throws -> [(name: String, text: String)] {
        try FileManager.default.contentsOfDirectory(atPath: cliSources.path).filter { $0.hasSuffix(".swift") }.sorted().map {
            ($0, try String(contentsOf: cliSources.appendingPathComponent($0), encoding: .utf8))
        }
    }

    @Test func noCLIFileImportsTheLogOrLMDB() throws {
        let files = try Self.sources()
        #expect(files.count > 20)
        let offending = files.filter { file in
            file.text.split(separator: "\n").contains { $0.hasPrefix("import EventLog") || $0.hasPrefix("import LMDB") || $0.hasPrefix("import CLMDB") }
        }.map(\.name)
        #expect(offending.isEmpty, "these CLI files import the storage layer: \(offending)")
    }

    @Test func onlyStoreAccessOpensAStore() throws {
        let offending = try Self.sources().filter { $0.text.contains("EventStore(") || $0.text.contains("Environment(") }.map(\.name)
        #expect(offending.isEmpty, "\(offending)")
    }
}
