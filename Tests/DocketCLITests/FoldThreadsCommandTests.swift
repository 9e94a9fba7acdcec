import Foundation
import TestSupport
import Testing

extension ReplayCommandTests {
    /// `--threads N` on `rebuild`, `replay` and `import`, and `$DOCKET_FOLD_THREADS`: one thread (the models one after
    /// the other) and three give the read models the appends gave, byte for byte.
    @Test func theFoldThreadsGiveTheSameReadModels() throws {
        try writeBeforeT1()
        let now = "2026-12-01T12:00:00Z"
        let current = try digests(of: store)
        let export = folder.child("export.ndjson")
        #expect(FileManager.default.createFile(atPath: export, contents: Data(try ok(["export"], at: now).stdout.utf8)))
        for threads in ["1", "3"] {
            try ok(["rebuild", "--threads", threads], at: now)
            #expect(try digests(of: store) == current, "rebuild on \(threads)")
            let replay = folder.child("replay-\(threads)")
            try ok(["replay", "--as-of", now, "--into", replay, "--standalone", "--no-snapshots", "--threads", threads], at: now)
            #expect(try digests(of: replay) == current, "replay on \(threads)")
            // A new store, not a test store: no $DOCKET_NOW.
            let imported = folder.child("imported-\(threads)")
            let run = try DocketProcess.run(["import", export, "--threads", threads], store: imported, environment: ["DOCKET_USER": "ann"])
            #expect(run.status == 0, "\(run.stderr)")
            let stats = try DocketProcess.run(["stats", "--read-models", "--json"], store: imported, environment: ["DOCKET_USER": "ann"])
            let models = try #require(try json(stats)["readModels"] as? [[String: Any]])
            let digests = models.map { "\($0["name"] ?? "") \($0["checkpoint"] ?? "") \($0["entries"] ?? "") \($0["sha256"] ?? "")" }
            #expect(digests == current, "import on \(threads)")
        }
        for threads in ["1", "2"] {
            let run = try DocketProcess.run(
                ["rebuild"], store: store, environment: ["DOCKET_USER": "ann", "DOCKET_NOW": now, "DOCKET_FOLD_THREADS": threads])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try digests(of: store) == current, "DOCKET_FOLD_THREADS=\(threads)")
        }
    }

    /// A thread count that is not 1 to 64 is refused before anything is done: by the argument parser for `--threads`,
    /// in one line for `$DOCKET_FOLD_THREADS` (by any command that opens a store).
    @Test func aBadFoldThreadCountIsRefused() throws {
        try writeBeforeT1()
        for bad in ["0", "65", "two", "1.5"] {
            for command in [["rebuild"], ["replay", "--as-of", "2026-11-01"], ["import", "-"]] {
                let run = try docket(command + ["--threads", bad])
                #expect(run.status == 64, "\(command) --threads \(bad)")
                #expect(run.stderr.hasPrefix("docket: error: The value '\(bad)' is invalid for '--threads <n>'"), "\(run.stderr)")
            }
        }
        for bad in ["0", "lots", " 2"] {
            let run = try DocketProcess.run(
                ["stats"], store: store, environment: ["DOCKET_USER": "ann", "DOCKET_FOLD_THREADS": bad])
            #expect(run.status == 64)
            #expect(
                run.stderr == "docket: error: $DOCKET_FOLD_THREADS '\(bad)' is not a thread count from 1 to 64; "
                    + "set e.g. DOCKET_FOLD_THREADS=2, or unset it\n")
        }
    }
}
