@testable import DocketCLI
import Foundation
import TestSupport
import Testing

extension ReplayCommandTests {
    /// `import` writes the log, then builds every read model once: the imported store's models have the digests of
    /// the live store's. `import`, `rebuild` and a first open that catches up say nothing on stderr when it is not a
    /// terminal (here a pipe): progress lines are for terminals only.
    @Test func importBuildsTheModelsOnceAndProgressIsSilentOffATerminal() throws {
        try writeBeforeT1()
        let live = try digests(of: store)
        let export = file("export.ndjson", try ok(["export"], at: "2026-12-01T12:00:00Z").stdout)
        // The imported store is not a test store: no clock override.
        let imported = folder.child("imported")
        func docketImported(_ arguments: [String]) throws -> DocketRun {
            try DocketProcess.run(arguments, store: imported, environment: ["DOCKET_USER": "ann"])
        }
        func importedDigests() throws -> [String] {
            let models = try #require(try json(try docketImported(["stats", "--read-models", "--json"]))["readModels"] as? [[String: Any]])
            return models.map { "\($0["name"] ?? "") \($0["checkpoint"] ?? "") \($0["entries"] ?? "") \($0["sha256"] ?? "")" }
        }
        let run = try docketImported(["import", export])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
        #expect(try importedDigests() == live)
        let rebuild = try docketImported(["rebuild"])
        #expect(rebuild.status == 0 && rebuild.stderr.isEmpty, "\(rebuild.stderr)")
        #expect(try importedDigests() == live)
    }

    /// On a terminal the line shows the position, the percentage, the rate since the label's first line and the
    /// time left at that rate.
    @Test func aProgressLineShowsRateAndTimeLeft() {
        let line = ProgressLine()
        let start = ContinuousClock.now
        #expect(line.line("rebuilding", 0, 1_000, now: start) == "\rrebuilding: 0/1000 (0%)\u{1B}[K")
        #expect(line.line("rebuilding", 500, 1_000, now: start + .seconds(2)) == "\rrebuilding: 500/1000 (50%), 250 events/s, ETA 2s\u{1B}[K")
        #expect(line.line("rebuilding", 1_000, 1_000, now: start + .seconds(4)) == "\rrebuilding: 1000/1000 (100%), 250 events/s\u{1B}[K")
    }
}
