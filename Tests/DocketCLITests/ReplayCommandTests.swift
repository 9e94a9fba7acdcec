import Foundation
import TestSupport
import Testing

/// `docket replay --as-of` and `docket stats --read-models` end to end, with the clock fixed by $DOCKET_NOW.
/// The key property: a replay as of t1 has every read model byte-identical to a backup taken at t1,
/// however much was written after t1, and the live store is not touched.
@Suite struct ReplayCommandTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(
        _ arguments: [String], at now: String = "2026-12-01T12:00:00Z", as user: String = "ann", store path: String? = nil
    ) throws -> DocketRun {
        try DocketProcess.run(
            arguments, store: path ?? store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    @discardableResult
    func ok(_ arguments: [String], at now: String, as user: String = "ann") throws -> DocketRun {
        let run = try docket(arguments, at: now, as: user)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run
    }

    func file(_ name: String, _ text: String) -> String {
        let path = folder.child(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    func json(_ run: DocketRun) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
    }

    /// Each read model's name, checkpoint, entries and digest, from `docket stats --read-models --json`.
    func digests(of path: String) throws -> [String] {
        let run = try docket(["stats", "--read-models", "--json"], store: path)
        #expect(run.status == 0, "\(run.stderr)")
        let models = try #require(try json(run)["readModels"] as? [[String: Any]])
        return models.map { "\($0["name"] ?? "") \($0["checkpoint"] ?? "") \($0["entries"] ?? "") \($0["sha256"] ?? "")" }
    }

    static let t1 = "2026-10-31T23:59:59Z"

    /// Users, a client with an SLA contract, tickets, time, a tick and a close — all before t1.
    func writeBeforeT1() throws {
        let t = "2026-10-01T12:00:00Z"
        try ok(["init"], at: t)
        try ok(["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"], at: t)
        try ok(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"], at: t)
        try ok(["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"], at: t)
        try ok(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"], at: t)
        let calendar = file("office.yaml", SLAFiles.officeCalendar(timeZone: "UTC"))
        try ok(["calendar", "define", "office", "--name", "Office", "--file", calendar, "--effective", "2026-01-01"], at: t)
        let policy = file("gold.yaml", """
            calendar: office
            targets:
              P1: {responseMinutes: 30, resolutionMinutes: 120}
              P2: {responseMinutes: 60, resolutionMinutes: 240}
              P3: {responseMinutes: 240, resolutionMinutes: 960}
              P4: {responseMinutes: 480, resolutionMinutes: 2400}
            warnAtPercent: [75]
            """)
        try ok(["sla-policy", "define", "gold", "--name", "Gold", "--file", policy, "--effective", "2026-01-01"], at: t)
        try ok(["contract", "add", "acme-2026", "--client", "acme", "--name", "Managed", "--effective", "2026-01-01", "--sla-policy", "gold"], at: t)
        try ok(["ticket", "open", "--client", "acme", "--subject", "VPN down", "--priority", "P2"], at: "2026-10-05T10:00:00Z", as: "bob")
        try ok(["ticket", "open", "--client", "acme", "--subject", "Printer", "--priority", "P3"], at: "2026-10-05T11:00:00Z", as: "bob")
        try ok(["ticket", "comment", "T-1001", "Looking"], at: "2026-10-05T10:20:00Z", as: "bob")
        try ok(["time", "log", "T-1001", "1.5h", "--work-type", "remote", "--at", "2026-10-05T10:30:00Z"], at: "2026-10-05T12:00:00Z", as: "bob")
        try ok(["time", "log", "T-1002", "30m", "--work-type", "remote"], at: "2026-10-06T09:00:00Z", as: "bob")
        try ok(["tick"], at: "2026-10-06T16:00:00Z", as: "dora")
        try ok(["ticket", "close", "T-1002", "--resolution", "Replaced toner"], at: "2026-10-20T09:00:00Z", as: "bob")
        try ok(["ticket", "open", "--client", "acme", "--subject", "Exactly at t1", "--priority", "P4"], at: ReplayCommandTests.t1, as: "bob")
    }

    /// Corrections, voids, more tickets and a tick — all after t1.
    func writeAfterT1() throws {
        try ok(["time", "correct", "TE-1", "--minutes", "2h", "--reason", "Forgot the drive"], at: "2026-11-02T09:00:00Z", as: "bob")
        try ok(["time", "void", "TE-2", "--reason", "Duplicate"], at: "2026-11-02T09:05:00Z", as: "bill")
        try ok(["ticket", "reopen", "T-1002", "--reason", "Still streaky"], at: "2026-11-03T09:00:00Z", as: "bob")
        try ok(["ticket", "open", "--client", "acme", "--subject", "New laptop", "--priority", "P1"], at: "2026-11-03T10:00:00Z", as: "bob")
        try ok(["ticket", "close", "T-1001", "--resolution", "Reset the tunnel"], at: "2026-11-04T09:00:00Z", as: "bob")
        try ok(["tick"], at: "2026-11-05T16:00:00Z", as: "dora")
    }

    @Test func aReplayAsOfT1EqualsABackupTakenAtT1AndLeavesTheLiveStoreUntouched() throws {
        try writeBeforeT1()
        let backup = folder.child("backup-at-t1")
        try ok(["backup", backup], at: ReplayCommandTests.t1)
        try writeAfterT1()

        let liveData = try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb"))
        let liveExport = try docket(["export"]).stdout
        let liveDigests = try digests(of: store)

        let replay = folder.child("replay")
        let run = try docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", replay, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        let report = try json(run)
        let backupHead = try #require(try json(try docket(["stats", "--json"], store: backup))["head"] as? Int)
        #expect(report["position"] as? Int == backupHead)
        #expect(report["events"] as? Int == backupHead)
        #expect(report["asOf"] as? String == "2026-10-31T23:59:59.000Z")
        #expect(report["lastRecordedAt"] as? String == "2026-10-31T23:59:59.000Z", "the bound is inclusive")
        #expect(report["into"] as? String == replay)
        #expect((report["readModels"] as? [[String: Any]])?.count == liveDigests.count)

        // Byte-identical read models, and different from the live store's (which moved on).
        let replayDigests = try digests(of: replay)
        #expect(replayDigests == (try digests(of: backup)))
        #expect(replayDigests != liveDigests)
        let reported = try #require(report["readModels"] as? [[String: Any]])
        #expect(reported.map { "\($0["name"] ?? "") \($0["checkpoint"] ?? "") \($0["entries"] ?? "") \($0["sha256"] ?? "")" } == replayDigests)

        // The replay is a sound store showing the past; the live store is byte for byte as it was.
        #expect(try docket(["verify"], store: replay).status == 0)
        #expect(try docket(["export"], store: replay).stdout == (try docket(["export"], store: backup).stdout))
        let entries = try #require(
            try JSONSerialization.jsonObject(with: Data(try docket(["time", "list", "--json"], store: replay).stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["minutes"] as? Int } == [90, 30])
        #expect(entries.map { $0["voided"] as? Bool } == [false, false])
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb")) == liveData)
        #expect(try docket(["export"]).stdout == liveExport)
        #expect(try docket(["verify"]).status == 0)
    }

    @Test func theReplayIsReadOnlyAndSaysSo() throws {
        try writeBeforeT1()
        try writeAfterT1()
        let replay = folder.child("replay")
        let run = try docket(["replay", "--as-of", "2026-10-06", "--into", replay])
        #expect(run.status == 0, "\(run.stderr)")
        // Its moment and last event's time in the viewer's zone (this machine's, UTC), as `log` gives times: they were
        // RFC 3339 UTC (`as of 2026-10-06T00:00:00.000Z`).
        #expect(run.stdout.contains("replayed \(store) as of 2026-10-06 00:00 UTC\n"), "\(run.stdout)")
        #expect(run.stdout.contains(" UTC)\n") && !run.stdout.contains(".000Z"), "\(run.stdout)")
        #expect(run.stdout.contains("READ MODEL"))
        #expect(run.stdout.contains("--store \(replay)"))
        #expect(FileManager.default.fileExists(atPath: replay + "/REPLAY"))

        let refused = try docket(["ticket", "open", "--client", "acme", "--subject", "x"], as: "bob", store: replay)
        #expect(refused.status == 6)
        #expect(refused.stderr.contains("replay") && refused.stderr.contains("read-only"), "\(refused.stderr)")
        #expect(try docket(["rebuild"], store: replay).status == 6)
        // `stats` reads no user's data (no --as): its moment in this machine's zone, named (it was RFC 3339 UTC,
        // `as of 2026-10-06T00:00:00.000Z`); `--json` keeps the marker's RFC 3339.
        let stats = try DocketProcess.run(["stats", "--read-models"], store: replay, environment: ["TZ": "America/New_York"])
        #expect(stats.stdout.contains("a replay of \(store) as of 2026-10-05 20:00 EDT (positions 1…"), "\(stats.stdout)")
        #expect(stats.stdout.contains("read-only"))
        let statsJSON = try JSONSerialization.jsonObject(with: Data(try docket(["stats", "--read-models", "--json"], store: replay).stdout.utf8))
        #expect(((statsJSON as? [String: Any])?["replay"] as? [String: Any])?["asOf"] as? String == "2026-10-06T00:00:00.000Z", "\(statsJSON)")
        let queue = try docket(["queue", "--json"], store: replay)
        #expect(queue.status == 0, "\(queue.stderr)")
        #expect(queue.stdout.contains("T-1002") && !queue.stdout.contains("T-1003"))
    }

    /// A date or local time without a zone on `--as-of` is the viewer's, as `time list --from` reads one: the admin's
    /// own zone, else this machine's, with a note saying so. It was midnight UTC whoever typed it, so a New York admin
    /// asking for "2026-10-06" got the store as of 20:00 the evening before, their time, without a word.
    @Test func aMomentWithoutAZoneIsReadInTheViewersZone() throws {
        try writeBeforeT1()
        func replay(_ moment: String, into name: String, tz: String) throws -> (asOf: String, note: String) {
            let run = try DocketProcess.run(
                ["replay", "--as-of", moment, "--into", folder.child(name), "--json"], store: store,
                environment: ["DOCKET_USER": "ann", "DOCKET_NOW": "2026-12-01T12:00:00Z", "TZ": tz])
            #expect(run.status == 0, "\(run.stderr)")
            return (try json(run)["asOf"] as? String ?? "", run.stderr)
        }
        let machine = try replay("2026-10-06", into: "kolkata", tz: "Asia/Kolkata")
        #expect(machine.asOf == "2026-10-05T18:30:00.000Z")
        #expect(machine.note.contains("this machine's time zone, Asia/Kolkata) = 2026-10-05T18:30:00.000Z"), "\(machine.note)")

        try ok(["user", "time-zone", "ann", "America/New_York"], at: "2026-12-01T12:00:00Z")
        let own = try replay("2026-10-06", into: "own", tz: "Asia/Kolkata")
        #expect(own.asOf == "2026-10-06T04:00:00.000Z")
        #expect(own.note.contains("user ann's time zone, America/New_York) = 2026-10-06T04:00:00.000Z"), "\(own.note)")
        #expect(try replay("2026-10-06 08:30", into: "local", tz: "UTC").asOf == "2026-10-06T12:30:00.000Z")
        let exact = try replay("2026-10-06T00:00:00Z", into: "exact", tz: "Asia/Kolkata")
        #expect(exact.asOf == "2026-10-06T00:00:00.000Z" && exact.note.isEmpty, "\(exact.note)")
    }

    /// A replay is looked at on its moment, as the live store was then: T-1003 (P4, opened at t1, a Saturday) had used
    /// one business hour of its eight by Monday 10:00, and the terms in force were those before an amendment effective
    /// later. The views read the clock when they are shown: on a replay they used the time of reading, so a replay read
    /// a month later showed T-1003 breached by hundreds of hours and the later amendment in force.
    @Test func aReplayShowsItsViewsAsOfItsMomentNotWhenItIsRead() throws {
        try writeBeforeT1()
        try ok(
            ["contract", "amend", "acme-2026", "--effective", "2026-11-15", "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":10000}}"#],
            at: "2026-11-01T12:00:00Z", as: "bill")
        let moment = "2026-11-02T10:00:00Z"
        let backup = folder.child("backup")
        try ok(["backup", backup], at: moment)
        try ok(["ticket", "comment", "T-1003", "On it"], at: "2026-11-20T09:00:00Z", as: "bob")
        try ok(["tick"], at: "2026-11-20T10:00:00Z", as: "dora")
        let replay = folder.child("replay")
        let made = try docket(["replay", "--as-of", moment, "--into", replay])
        #expect(made.status == 0, "\(made.stderr)")

        let views = [["ticket", "show", "T-1003"], ["sla"], ["queue", "--json"], ["contract", "show", "acme-2026"]]
        // What the live store showed at the moment (its copy taken then, read then).
        let then = try views.map { try docket($0, at: moment, store: backup).stdout }
        #expect(then[0].contains("response: on-track · target 8h · used 1h · remaining 7h · due 2026-11-02 17:00 UTC"), "\(then[0])")
        #expect(then[3].contains("in force at 2026-11-02 10:00 UTC: amendment 0 (the original terms)"), "\(then[3])")
        // The replay, read a month later ($DOCKET_NOW) or on the machine's clock, shows the same.
        for environment in [["DOCKET_NOW": "2026-12-01T12:00:00Z"], [:]] {
            for (view, shown) in zip(views, then) {
                let run = try DocketProcess.run(view, store: replay, environment: environment.merging(["DOCKET_USER": "ann"]) { $1 })
                #expect(run.status == 0, "\(view): \(run.stderr)")
                #expect(run.stdout == shown, "\(view) \(environment)")
            }
        }
    }

    @Test func theDefaultFolderSitsNextToTheStoreAndIsNeverOverwritten() throws {
        try writeBeforeT1()
        let first = try docket(["replay", "--as-of", "2026-10-05T10:00:00Z"])
        #expect(first.status == 0, "\(first.stderr)")
        let made = store + "-as-of-20261005T100000Z"
        #expect(FileManager.default.fileExists(atPath: made + "/REPLAY"))
        let again = try docket(["replay", "--as-of", "2026-10-05T10:00:00Z"])
        #expect(again.status == 73)
        #expect(again.stderr == "docket: error: \(made) is not empty; remove it or give --into a new or empty folder\n")
        try? FileManager.default.removeItem(atPath: made)
    }

    @Test func errorsAreOneLineWithTheirExitCodes() throws {
        try writeBeforeT1()
        let before = try docket(["replay", "--as-of", "2026-09-30T23:59:59Z", "--into", folder.child("early")])
        #expect(before.status == 4)
        // In the viewer's zone (this machine's, UTC here), as the note about reading --as-of: it was RFC 3339 UTC.
        #expect(
            before.stderr.hasPrefix("docket: error: nothing was recorded at or before 2026-09-30 23:59:59 UTC in ")
                && before.stderr.contains("(its first event was recorded at 2026-10-01 12:00 UTC); give a later --as-of"), "\(before.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.child("early")))

        let full = folder.child("full")
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: full + "/notes.txt", contents: Data("keep".utf8)))
        let notEmpty = try docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", full])
        #expect(notEmpty.status == 73)
        #expect(notEmpty.stderr == "docket: error: \(full) is not empty; give --into a new or empty folder\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: full) == ["notes.txt"])

        let badTime = try docket(["replay", "--as-of", "last tuesday", "--into", folder.child("x")])
        #expect(badTime.status == 64)

        let noStore = try docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", folder.child("y")], store: folder.child("nowhere"))
        #expect(noStore.status == 66)
        #expect(noStore.stderr.contains("no Docket store at"))

        let junk = folder.child("junk")
        try FileManager.default.createDirectory(atPath: junk, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: junk + "/data.mdb", contents: Data(repeating: 0x5a, count: 16384)))
        let damaged = try docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", folder.child("z")], store: junk)
        #expect(damaged.status == 2, "\(damaged.stderr)")
        #expect(damaged.stderr.split(separator: "\n").count == 1)
    }
}
