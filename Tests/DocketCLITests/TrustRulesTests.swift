import Foundation
import TestSupport
import Testing

/// Issue 12 §6: the commands that bypass the deciders need an admin, a clock override needs a test store, and the
/// store's files are owner-only.
@Suite struct TrustRulesTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String? = nil, stdin: String = "") throws -> DocketRun {
        var environment = ["DOCKET_USER": user]
        if let now { environment["DOCKET_NOW"] = now }
        return try DocketProcess.run(arguments, store: store, stdin: stdin, environment: environment)
    }

    /// The whole log, as `docket log --json` prints it (to show that nothing was written).
    func logLines() throws -> [Substring] {
        let run = try docket(["log", "--json", "--limit", "1000"])
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n")
    }

    /// A store with ann (admin), bob (tech), carol (billing) and dave (admin, deactivated).
    func team() throws {
        #expect(try docket(["init"]).status == 0)
        for (login, role) in [("bob", "tech"), ("carol", "billing"), ("dave", "admin")] {
            let run = try docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", role])
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try docket(["user", "deactivate", "dave"]).status == 0)
    }

    // MARK: - Clock override

    @Test func aStoreNotCreatedForTestsRefusesDocketNowAndWritesNothing() throws {
        let run = try DocketProcess.run(["init"], store: store, testClock: false)
        #expect(run.status == 0, "\(run.stderr)")
        let before = try logLines()
        let refused = try docket(
            ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"], now: "2099-01-01T00:00:00Z")
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("$DOCKET_NOW is set but the store at \(store) was not created with `docket init --test-clock`"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(try logLines() == before)
        #expect(!before.joined().contains("2099"))
    }

    @Test func initWithDocketNowButNoTestClockCreatesNothing() throws {
        let run = try DocketProcess.run(["init"], store: store, environment: ["DOCKET_NOW": "2099-01-01T00:00:00Z"], testClock: false)
        #expect(run.status == 64)
        #expect(!FileManager.default.fileExists(atPath: store + "/data.mdb"))
    }

    @Test func aTestStoreRecordsTheOverriddenTime() throws {
        #expect(try docket(["init"], now: "2026-11-02T09:00:00Z").status == 0)
        let log = try logLines()
        #expect(log.count == 1)
        #expect(log[0].contains("\"recordedAt\":\"2026-11-02T09:00:00.000Z\""), "\(log[0])")
    }

    @Test func aTestClockCannotBeChosenForAStoreWithHistory() throws {
        #expect(try DocketProcess.run(["init"], store: store, testClock: false).status == 0)
        let run = try docket(["init", "--test-clock"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("a test clock can only be chosen when a store is created"))
        let later = try docket(["log"], now: "2099-01-01T00:00:00Z")
        #expect(later.status == 64)
    }

    // MARK: - Admin-only commands

    @Test(arguments: ["bob", "carol", "dave", "mallory"])
    func onlyAnActiveAdminRunsTheCommandsThatBypassTheRules(user: String) throws {
        try team()
        let before = try logLines()
        let commands: [[String]] = [
            ["event", "append", "--stream", "tool-1", "--type", "tool.noted", "--payload", #"{"n":1}"#],
            ["export", "-o", folder.child("export.ndjson")],
            ["backup", folder.child("backup")],
            ["rebuild", "queue"],
            ["replay", "--as-of", "2099-01-01", "--into", folder.child("replay")],
        ]
        for command in commands {
            let run = try docket(command, as: user)
            #expect(run.status == 5, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("only an admin may"), "\(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1)
        }
        let export = try docket(["export"]).stdout
        let imported = try docket(["import"], as: user, stdin: export)
        #expect(imported.status == 5, "\(imported.stderr)")
        #expect(try logLines() == before)
        for written in ["export.ndjson", "backup", "replay"] {
            #expect(!FileManager.default.fileExists(atPath: folder.child(written)), "\(written)")
        }
    }

    @Test func aStrangerCannotMakeThemselvesAdminWithARawAppend() throws {
        try team()
        let before = try logLines()
        let payload = #"{"login":"mallory","name":"M","email":"m@evil.example","role":"admin"}"#
        for extra in [[], ["--repair"]] {
            let run = try docket(
                ["event", "append", "--stream", "user-mallory", "--type", "user.added", "--payload", payload] + extra,
                as: "mallory")
            #expect(run.status == 5, "\(run.stderr)")
        }
        #expect(try logLines() == before)
        #expect(!(try docket(["user", "list"]).stdout.contains("mallory")))
    }

    @Test func anAdminAppendsDocketsOwnEventsOnlyInRepairModeAndOnlyValidOnes() throws {
        try team()
        let before = try logLines()
        let payload = #"{"login":"erin","name":"Erin","email":"erin@msp.example","role":"tech"}"#
        let plain = try docket(["event", "append", "--stream", "user-erin", "--type", "user.added", "--payload", payload])
        #expect(plain.status == 5)
        #expect(plain.stderr.contains("--repair"))
        let onOwnStream = try docket(["event", "append", "--stream", "ticket-T-9999", "--type", "tool.noted", "--payload", "{}"])
        #expect(onOwnStream.status == 5)
        let bulk = try docket(
            ["event", "append", "--stdin"], stdin: #"{"stream":"tool-1","type":"tool.a"}"# + "\n" + #"{"stream":"user-x","type":"user.deactivated"}"# + "\n")
        #expect(bulk.status == 5)
        #expect(bulk.stderr.contains("line 2:"), "\(bulk.stderr)")
        let broken = try docket(
            ["event", "append", "--repair", "--stream", "user-erin", "--type", "user.added", "--payload", #"{"login":"erin"}"#])
        #expect(broken.status == 65, "\(broken.stderr)")
        #expect(try logLines() == before)
        let repaired = try docket(["event", "append", "--repair", "--stream", "user-erin", "--type", "user.added", "--payload", payload])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(try docket(["user", "list"]).stdout.contains("erin"))
        let tooling = try docket(["event", "append", "--stream", "tool-1", "--type", "tool.noted", "--payload", #"{"n":1}"#])
        #expect(tooling.status == 0, "\(tooling.stderr)")
    }

    @Test func rawAppendsCannotReachDocketsOwnNamesByCaseSpacesOrTheLogsOwnStream() throws {
        try team()
        let before = try logLines()
        let forged: [(stream: String, type: String, status: Int32)] = [
            ("store-integrity", "store.rollback-accepted", 5), ("tool-1", "store.rollback-accepted", 5), ("store-integrity", "tool.noted", 5),
            ("tool-1", "User.Added", 5), ("tool-1", " user.added", 5), ("User-mallory", "tool.noted", 5),
            ("tool-1", "Tool.Noted", 64), ("tool 1", "tool.noted", 64), ("tool-1", "tool_noted", 64),
        ]
        for (stream, type, status) in forged {
            let run = try docket(["event", "append", "--stream", stream, "--type", type, "--payload", "{}"])
            #expect(run.status == status, "\(stream) \(type): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
            let line = #"{"stream":"\#(stream)","type":"\#(type)"}"#
            let bulk = try docket(["event", "append", "--stdin"], stdin: line + "\n")
            #expect(bulk.status == (status == 5 ? 5 : 65), "\(line): \(bulk.stderr)")
        }
        // The name at fault is the one the message names, in either form of the append.
        for (stream, type, named) in [("tool 1", "tool.noted", "the stream 'tool 1'"), ("tool-1", "tool_noted", "the type 'tool_noted'")] {
            let run = try docket(["event", "append", "--stream", stream, "--type", type, "--payload", "{}"])
            #expect(run.stderr.contains(named + " may hold only lower-case letters"), "\(run.stderr)")
            let bulk = try docket(["event", "append", "--stdin"], stdin: #"{"stream":"\#(stream)","type":"\#(type)"}"# + "\n")
            #expect(bulk.stderr.contains("line 1: " + named), "\(bulk.stderr)")
        }
        let duplicate = try docket(["event", "append", "--stream", "tool-1", "--type", "tool.noted", "--payload", #"{"a":1,"a":2}"#])
        #expect(duplicate.status == 65 && duplicate.stderr.contains(#"--payload: the key "a" is given twice"#), "\(duplicate.stderr)")
        for line in [
            #"{"stream":"tool-1","type":"tool.noted","payload":{"a":1,"a":2}}"#, #"{"stream":"tool-1","stream":"user-x","type":"tool.noted"}"#,
            #"{"stream":"tool-1","type":"tool.noted","expectedVersoin":3}"#,
        ] {
            let bulk = try docket(["event", "append", "--stdin"], stdin: line + "\n")
            #expect(bulk.status == 65 && bulk.stderr.contains("line 1:"), "\(line): \(bulk.stderr)")
        }
        #expect(try logLines() == before, "nothing was appended")
        let help = try docket(["event", "append", "--help"]).stdout
        #expect(help.contains("e.g. tool-sync") && help.contains("e.g. tool.noted") && !help.contains("client-acme"), "\(help)")
        let tooling = try docket(["event", "append", "--stream", "tool-sync", "--type", "tool.noted", "--payload", #"{"note":"hi"}"#])
        #expect(tooling.status == 0, "\(tooling.stderr)")
    }

    // MARK: - File modes

    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func openingTightensTheStoreAndExportsAndBackupsAreOwnerOnly() throws {
        #expect(try docket(["init"]).status == 0)
        let manager = FileManager.default
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: store)
        try manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store + "/data.mdb")
        try manager.setAttributes([.posixPermissions: 0o666], ofItemAtPath: store + "/lock.mdb")
        try manager.createDirectory(atPath: store + "/attachments", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        #expect(try docket(["user", "list"]).status == 0)
        #expect(try mode(store) == 0o700)
        #expect(try mode(store + "/data.mdb") == 0o600)
        #expect(try mode(store + "/lock.mdb") == 0o600)
        #expect(try mode(store + "/attachments") == 0o700)

        let export = folder.child("export.ndjson")
        #expect(try docket(["export", "-o", export]).status == 0)
        #expect(try mode(export) == 0o600)
        let backup = folder.child("backup")
        #expect(try docket(["backup", backup]).status == 0)
        #expect(try mode(backup) == 0o700)
        #expect(try mode(backup + "/data.mdb") == 0o600)
    }
}
