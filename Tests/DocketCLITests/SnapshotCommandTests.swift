import Foundation
import TestSupport
import Testing

/// `docket snapshot` and the month-end snapshots `docket replay` takes and starts from, end to end (the stores of
/// `ReplayCommandTests`: October's events, then November's).
@Suite struct SnapshotCommandTests {
    let base = ReplayCommandTests()

    func json(_ run: DocketRun) throws -> Any {
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
    }

    @Test func aReplayTakesTheMonthEndAndTheNextStartsFromItWithTheSameBytes() throws {
        try base.writeBeforeT1()
        try base.writeAfterT1()
        let export = try base.docket(["export"]).stdout
        let moment = "2026-11-04T12:00:00Z"

        // The first replay passes the end of October (the log holds November events, so October is over): it takes it.
        let first = try #require(try json(try base.docket(["replay", "--as-of", moment, "--into", base.folder.child("r1"), "--json"])) as? [String: Any])
        #expect(first["snapshot"] == nil)
        #expect(first["snapshotsTaken"] as? [String] == ["2026-10"])
        let listed = try #require(try json(try base.docket(["snapshot", "list", "--json"])) as? [[String: Any]])
        #expect(listed.count == 1)
        let october = try #require(listed.first)
        #expect(october["month"] as? String == "2026-10")
        #expect(october["before"] as? String == "2026-11-01T00:00:00.000Z")
        #expect(october["lastRecordedAt"] as? String == "2026-10-31T23:59:59.000Z")
        #expect(october["usable"] as? Bool == true)
        #expect((october["bytes"] as? Int ?? 0) > 0)
        #expect((october["readModels"] as? [[String: Any]])?.count == (first["readModels"] as? [Any])?.count)
        #expect((october["foldedFromStart"] as? [String]) == [])

        // The next replay starts from it; the bytes are those of the full fold.
        let second = try #require(try json(try base.docket(["replay", "--as-of", moment, "--into", base.folder.child("r2"), "--json"])) as? [String: Any])
        let used = try #require(second["snapshot"] as? [String: Any])
        #expect(used["month"] as? String == "2026-10")
        #expect(used["position"] as? Int == october["position"] as? Int)
        #expect((second["snapshotsTaken"] as? [String]) == [])
        let full = try #require(try json(try base.docket(["replay", "--as-of", moment, "--into", base.folder.child("r3"), "--no-snapshots", "--json"])) as? [String: Any])
        #expect(full["snapshot"] == nil)
        #expect(try base.digests(of: base.folder.child("r2")) == (try base.digests(of: base.folder.child("r3"))))
        #expect(try base.digests(of: base.folder.child("r1")) == (try base.digests(of: base.folder.child("r3"))))
        let text = try base.docket(["replay", "--as-of", moment, "--into", base.folder.child("r4")])
        #expect(text.stdout.contains("from snapshot  2026-10 (position \(october["position"] ?? ""); folded "), "\(text.stdout)")

        // Stats show their disk use; a backup leaves them out; the log and verify are untouched.
        #expect(try base.docket(["stats"]).stdout.contains("1 read-model snapshots, "))
        let stats = try #require(try json(try base.docket(["stats", "--json"])) as? [String: Any])
        #expect((stats["snapshots"] as? [String: Any])?["count"] as? Int == 1)
        let backup = base.folder.child("backup")
        try base.ok(["backup", backup], at: "2026-12-01T12:00:00Z")
        let manifest = try String(contentsOfFile: backup + "/MANIFEST.json", encoding: .utf8)
        #expect(!manifest.contains("snapshots/"))
        #expect(!FileManager.default.fileExists(atPath: backup + "/snapshots"))
        #expect(try base.docket(["export"]).stdout == export)
        #expect(try base.docket(["verify"]).status == 0)
    }

    /// Flips the first byte of `text` in the snapshot `month`'s file (a ticket subject in a read model); true when found.
    func alter(_ text: String, inSnapshot month: String) throws -> Bool {
        let file = URL(fileURLWithPath: base.store + "/snapshots/\(month)/data.mdb")
        var bytes = try Data(contentsOf: file)
        guard let found = bytes.range(of: Data(text.utf8)) else { return false }
        bytes[found.lowerBound] ^= 0x20
        // In place: a linked replay holds a hard link to this very file.
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: bytes)
        try handle.close()
        return true
    }

    /// The SHA-256 (hex) of the file at `path`, by coreutils' `sha256sum`: what manifests recorded before `fileDigest`.
    func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(try #require(text.split(separator: " ").first))
    }

    @Test func aDamagedSnapshotIsNotLinkedAtItsMonthEnd() throws {
        try base.writeBeforeT1()
        try base.writeAfterT1()
        #expect(try base.docket(["snapshot", "take"]).stdout == "took 2026-10\n")
        let full = base.folder.child("full")
        #expect(try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", full, "--no-snapshots"]).status == 0)
        let manifest = base.store + "/snapshots/2026-10/SNAPSHOT"
        #expect(try String(contentsOfFile: manifest, encoding: .utf8).contains("\"fileDigest\""))

        // The file's digest in pieces, then an older manifest with the file's plain SHA-256, then one older still with
        // neither (its models' digests are checked instead).
        for older in ["", "fileSHA256", "models"] {
            if !older.isEmpty {
                var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as? [String: Any])
                object["fileDigest"] = nil
                if older == "fileSHA256" { object["fileSHA256"] = try sha256sum(base.store + "/snapshots/2026-10/data.mdb") }
                try JSONSerialization.data(withJSONObject: object, options: .sortedKeys).write(to: URL(fileURLWithPath: manifest))
            }
            #expect(try alter("Exactly at t1", inSnapshot: "2026-10"))
            let listed = try #require(try json(try base.docket(["snapshot", "list", "--json"])) as? [[String: Any]])
            #expect(listed.first?["usable"] as? Bool == true, "the listing does not read the file")
            let into = base.folder.child("r-\(older)")
            let run = try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", into, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let warnings = run.stderr.split(separator: "\n")
            #expect(warnings.count == 1 && warnings[0].hasPrefix("docket: warning: snapshot 2026-10 is not used: "), "\(run.stderr)")
            let reason = ["": "file's digest is not the one recorded", "fileSHA256": "SHA-256", "models": "does not match its digest"]
            #expect(run.stderr.contains(reason[older]!), "\(run.stderr)")
            #expect(try base.digests(of: into) == (try base.digests(of: full)), "the replay folded the log instead")
            let tickets = try base.docket(["ticket", "list"], store: into).stdout
            #expect(tickets.contains("Exactly at t1") && !tickets.contains("exactly at t1"), "\(tickets)")
            // The damaged snapshot was removed and taken again from the log.
            let again = try #require(try json(try base.docket(["snapshot", "list", "--json"])) as? [[String: Any]])
            #expect(again.map { $0["month"] as? String } == ["2026-10"] && again.first?["usable"] as? Bool == true)
        }

        // A linked replay of a sound snapshot shares its file: damaged afterwards, verify names the fix a replay takes.
        let linked = base.folder.child("linked")
        let made = try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", linked])
        #expect(made.status == 0 && made.stderr.isEmpty, "\(made.stderr)")
        #expect(made.stdout.contains("linked"), "\(made.stdout)")
        #expect(try alter("Exactly at t1", inSnapshot: "2026-10"))
        let verify = try base.docket(["verify"], store: linked)
        #expect(verify.status == 2, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stderr.contains("make the replay again") && !verify.stderr.contains("docket rebuild"), "\(verify.stderr)")
        #expect(!verify.stdout.contains("docket rebuild"), "\(verify.stdout)")
    }

    @Test func badInputIsOneLineAndADamagedSnapshotIsPassedOver() throws {
        try base.writeBeforeT1()
        let none = try base.docket(["snapshot", "list"])
        #expect(none.status == 0 && none.stdout.contains("no snapshots"), "\(none.stdout)")
        #expect(try json(try base.docket(["snapshot", "list", "--json"])) as? [Any] != nil)
        // October is not over while the log holds nothing recorded after it.
        let early = try base.docket(["snapshot", "take"])
        #expect(early.status == 0 && early.stdout == "every month end has its snapshot\n", "\(early.stdout)")
        try base.writeAfterT1()
        let export = try base.docket(["export"]).stdout

        let unknown = try base.docket(["snapshot", "remove", "2026-11"])
        #expect(unknown.status == 4)
        #expect(unknown.stderr == "docket: error: there is no snapshot '2026-11' (the store has none); see docket snapshot list\n")
        // Not a month at all is bad usage (64), not a missing snapshot: it said "there is no snapshot '2026-13'", exit 4.
        let notAMonth = try base.docket(["snapshot", "remove", "2026-13"])
        #expect(notAMonth.status == 64 && notAMonth.stderr.contains("'2026-13' is not a month; give it as YYYY-MM"), "\(notAMonth.stderr)")
        let refused = try base.docket(["snapshot", "take"], as: "bob")
        #expect(refused.status == 5, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: base.store + "/snapshots/2026-10"))

        let took = try base.docket(["snapshot", "take"])
        #expect(took.status == 0 && took.stdout == "took 2026-10\n", "\(took.stdout) \(took.stderr)")
        #expect(try base.docket(["snapshot", "take"]).stdout == "every month end has its snapshot\n")

        // A damaged manifest: one warning line, the full fold (same bytes), and the month taken again.
        try Data("{".utf8).write(to: URL(fileURLWithPath: base.store + "/snapshots/2026-10/SNAPSHOT"))
        let listed = try #require(try json(try base.docket(["snapshot", "list", "--json"])) as? [[String: Any]])
        #expect(listed.first?["usable"] as? Bool == false)
        let run = try base.docket(["replay", "--as-of", "2026-11-04T12:00:00Z", "--into", base.folder.child("r1"), "--json"])
        #expect(run.status == 0)
        #expect(run.stderr == "docket: warning: snapshot 2026-10 is not used: its SNAPSHOT file is damaged\n")
        let full = try base.docket(["replay", "--as-of", "2026-11-04T12:00:00Z", "--into", base.folder.child("r2"), "--no-snapshots"])
        #expect(full.status == 0)
        #expect(try base.digests(of: base.folder.child("r1")) == (try base.digests(of: base.folder.child("r2"))))
        let again = try #require(try json(try base.docket(["snapshot", "list", "--json"])) as? [[String: Any]])
        #expect(again.first?["usable"] as? Bool == true)

        try base.ok(["snapshot", "remove", "2026-10"], at: "2026-12-01T12:00:00Z")
        #expect(!FileManager.default.fileExists(atPath: base.store + "/snapshots/2026-10"))
        #expect(try base.docket(["export"]).stdout == export, "nothing was written to the log")
    }
}
