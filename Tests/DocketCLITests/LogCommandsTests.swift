import Foundation
import TestSupport
import Testing

@testable import DocketCLI

@Suite struct ParsingTests {
    @Test func subcommandsParseTheirOptions() throws {
        let command = try DocketCommand.parseAsRoot(["log", "--stream", "ticket-T-1", "--limit", "5", "--json"])
        let log = try #require(command as? LogCommand)
        #expect(log.stream == "ticket-T-1")
        #expect(log.limit == 5)
        #expect(log.output.json)
    }

    @Test(arguments: [["log", "--limit", "0"], ["log", "--backward"], ["log", "--until", "soon"], ["event", "append", "--stream", "s-1"], ["frobnicate"]])
    func badUsageIsRejected(arguments: [String]) {
        #expect(throws: (any Error).self) { try DocketCommand.parseAsRoot(arguments) }
    }

    @Test func expectedVersionArgumentReadsItsForms() {
        #expect(ExpectedVersionArgument(argument: "any")?.value == .any)
        #expect(ExpectedVersionArgument(argument: "none")?.value == .noStream)
        #expect(ExpectedVersionArgument(argument: "4")?.value == .exact(4))
        #expect(ExpectedVersionArgument(argument: "four") == nil)
    }
}

@Suite struct EndToEndTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    func append(_ stream: String, _ extra: [String] = []) throws -> DocketRun {
        try DocketProcess.run(["event", "append", "--stream", stream, "--type", "test.noted", "--payload", #"{"x":1}"#] + extra, store: store)
    }

    @Test func initCreatesAnOwnerOnlyStoreAndIsRepeatable() throws {
        let first = try DocketProcess.run(["init"], store: store)
        #expect(first.status == 0)
        #expect(first.stdout.contains("Created an empty Docket store"))
        let mode = try FileManager.default.attributesOfItem(atPath: store)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let second = try DocketProcess.run(["init"], store: store)
        #expect(second.status == 0)
        #expect(second.stdout.contains("already exists"))
    }

    @Test func aMissingStoreIsNamedWithTheFixAndNothingIsCreated() throws {
        let run = try DocketProcess.run(["log"], store: store)
        #expect(run.status == 66)
        #expect(run.stderr.contains("no Docket store at \(store)"))
        #expect(run.stderr.contains("docket init"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func anUnknownFlagIsAUsageError() throws {
        _ = try DocketProcess.run(["init"], store: store)
        let run = try DocketProcess.run(["log", "--colour"], store: store)
        #expect(run.status == 64)
        #expect(run.stderr.contains("--colour"))
    }

    @Test func appendsShowInTheLogAsTableAndJSON() throws {
        _ = try DocketProcess.run(["init"], store: store)
        #expect(try append("client-acme", ["--repair"]).status == 0)
        #expect(try append("ticket-T-1001", ["--repair"]).status == 0)
        let table = try DocketProcess.run(["log"], store: store)
        #expect(table.stdout.hasPrefix("POS"))
        #expect(table.stdout.contains("ticket-T-1001"))
        let json = try DocketProcess.run(["log", "--json", "--stream", "ticket-T-1001"], store: store)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(parsed.count == 1)
        #expect(parsed[0]["position"] as? Int == 3, "after the bootstrap admin and client-acme")
        #expect(parsed[0]["actor"] as? String == "ann")
        #expect((parsed[0]["payload"] as? [String: Any])?["x"] as? Int == 1)
    }

    @Test func aStaleExpectedVersionExitsThreeAndWritesNothing() throws {
        _ = try DocketProcess.run(["init"], store: store)
        _ = try append("s-1")
        let run = try append("s-1", ["--expected-version", "none"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("stream s-1 was expected at no stream but it is at version 1"))
        #expect(try DocketProcess.run(["log", "--json"], store: store).stdout.components(separatedBy: "\"position\"").count == 3)
    }

    @Test func aRetriedCommandIdIsReportedAndWritesNothing() throws {
        _ = try DocketProcess.run(["init"], store: store)
        _ = try append("s-1", ["--command-id", "retry-me"])
        let retry = try append("s-1", ["--command-id", "retry-me"])
        #expect(retry.status == 0)
        #expect(retry.stdout.contains("nothing written"))
        let verify = try DocketProcess.run(["verify"], store: store)
        #expect(verify.stdout.contains("ok: 2 events"), "the bootstrap admin and one append")
    }

    @Test func malformedPayloadIsBadInput() throws {
        _ = try DocketProcess.run(["init"], store: store)
        let run = try DocketProcess.run(["event", "append", "--stream", "s-1", "--type", "t", "--payload", "{oops"], store: store)
        #expect(run.status == 65)
        #expect(run.stderr.contains("--payload is not a JSON object"))
    }

    @Test func exportImportRoundTripsAndAMalformedLineImportsNothing() throws {
        _ = try DocketProcess.run(["init"], store: store)
        for i in 0..<5 { _ = try append("s-\(i % 2)") }
        let export = try DocketProcess.run(["export"], store: store)
        #expect(export.stdout.split(separator: "\n").count == 6)
        let copy = folder.child("copy")
        var lines = export.stdout.split(separator: "\n").map(String.init)
        lines[3] = "{\"position\": 4, \"stream\": }"
        let bad = try DocketProcess.run(["import"], store: copy, stdin: lines.joined(separator: "\n"))
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("line 4"))
        // Nothing imported: the store folder the import made is gone again (7f53ecd; it was left empty before).
        #expect(!FileManager.default.fileExists(atPath: copy))
        let good = try DocketProcess.run(["import"], store: copy, stdin: export.stdout)
        #expect(good.status == 0)
        #expect(try DocketProcess.run(["export"], store: copy).stdout == export.stdout)
    }

    @Test func verifyNamesTheFirstBadPositionOfADamagedStore() throws {
        _ = try DocketProcess.run(["init"], store: store)
        for i in 0..<4 {
            _ = try DocketProcess.run(["event", "append", "--stream", "s-1", "--type", "t", "--payload", "{\"m\":\"mark-\(i)\"}"], store: store)
        }
        let file = store + "/data.mdb"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = Array("mark-2".utf8)
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            bytes[start + 5] ^= 0x04
        }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let run = try DocketProcess.run(["verify"], store: store)
        #expect(run.status == 2)
        #expect(run.stdout.contains("position 4: hash mismatch"))
        #expect(run.stderr.contains("the first bad position is 4"))
    }

    /// A damaged `user.added` (one bit of its type flipped in the record, as a random flip did in `DamagedStoreTests`) is
    /// reported as damage by every command that asks who the user is, not taken as "unknown user" (exit 5).
    @Test func aDamagedUserEventIsReportedAsDamageNotAsAnUnknownUser() throws {
        _ = try DocketProcess.run(["init"], store: store)
        let file = store + "/data.mdb"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        // The record's type field: its length (u16, little-endian), then the text.
        let needle = [UInt8(10), 0] + Array("user.added".utf8)
        var flipped = 0
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            bytes[start + 2 + 5] ^= 0x20  // "user.Added"
            flipped += 1
        }
        #expect(flipped >= 1)  // the live record, and any older copy of its page LMDB has not reused yet
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let addClient = ["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]
        let addUser = ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]
        for arguments in [["export"], addClient, addUser] {
            let run = try DocketProcess.run(arguments, store: store)
            #expect(run.status == 2, "\(arguments): exit \(run.status): \(run.stderr)")
            #expect(run.stderr.contains("damaged at position 1"), "\(arguments): \(run.stderr)")
        }
        let verify = try DocketProcess.run(["verify"], store: store)
        #expect(verify.status == 2)
        #expect(verify.stdout.contains("position 1: hash mismatch"))
    }

    @Test func aGarbageStoreIsReportedAsDamaged() throws {
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: store + "/data.mdb", contents: Data(repeating: 0x5a, count: 8192)))
        let run = try DocketProcess.run(["log"], store: store)
        #expect(run.status == 2)
        #expect(run.stderr.contains("damaged or is not a Docket store"))
    }

    @Test func rebuildReproducesTheSameReadModel() throws {
        _ = try DocketProcess.run(["init"], store: store)
        for i in 0..<6 { _ = try append(i % 2 == 0 ? "ticket-T-\(i)" : "client-\(i)", ["--repair"]) }
        let before = try DocketProcess.run(["stats", "--json"], store: store).stdout
        let rebuild = try DocketProcess.run(["rebuild", "stream-counts"], store: store)
        #expect(rebuild.status == 0)
        #expect(rebuild.stdout.contains("rebuilt stream-counts through position 7"))
        #expect(try DocketProcess.run(["stats", "--json"], store: store).stdout == before)
        let unknown = try DocketProcess.run(["rebuild", "nope"], store: store)
        #expect(unknown.status == 64)
    }

    @Test func backupMakesAVerifiableCopy() throws {
        _ = try DocketProcess.run(["init"], store: store)
        for i in 0..<3 { _ = try append("s-\(i)") }
        let copy = folder.child("backup")
        #expect(try DocketProcess.run(["backup", copy], store: store).status == 0)
        #expect(try DocketProcess.run(["verify"], store: copy).stdout.contains("ok: 4 events"))
        let again = try DocketProcess.run(["backup", copy], store: store)
        #expect(again.status == 73)
        #expect(again.stderr.contains("not empty"))
    }
}

@Suite struct SchemaTests {
    let folder = TemporaryFolder()

    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs scripts/validate-json.py over `ndjson` with `schema`.
    static func validate(_ ndjson: String, schema: String, events: Bool = false) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/validate-json.py").path]
            + (events ? ["--events"] : []) + [root.appendingPathComponent(schema).path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(ndjson.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func everyExportLineMatchesTheExportSchema() throws {
        let store = folder.child("store")
        _ = try DocketProcess.run(["init"], store: store)
        _ = try DocketProcess.run(["event", "append", "--stream", "tool-acme", "--type", "tool.noted", "--payload", #"{"note":"tab\there \"quoted\""}"#, "--command-id", "c-1"], store: store)
        _ = try DocketProcess.run(["event", "append", "--stream", "tool-acme", "--type", "tool.noted", "--payload", #"{"n":[1,2,{"deep":null}]}"#], store: store)
        let export = try DocketProcess.run(["export"], store: store).stdout
        let (status, report) = try SchemaTests.validate(export, schema: "schemas/export-line.schema.json")
        #expect(status == 0, "\(report)")
        #expect(report.contains("3 documents, 0 errors"))
        let tampered = export.replacingOccurrences(of: "\"actor\":\"ann\"", with: "\"actor\":\"ann\",\"extra\":true")
        #expect(try SchemaTests.validate(tampered, schema: "schemas/export-line.schema.json").0 == 1)
    }
}

/// A portal sign-in mail holds a live link in the log (`ticket.mail-queued`); `docket log` shows it to admins only.
@Suite struct SignInLinkReadTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let secret = String(repeating: "0123456789abcdef", count: 4)

    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    @Test(arguments: DocketMode.allCases) func onlyAnAdminReadsASignInLinkInTheLog(_ mode: DocketMode) throws {
        try mode.run {
            #expect(try docket(["init"]).status == 0)
            for (login, role) in [("bob", "tech"), ("carol", "billing")] {
                #expect(try docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", role]).status == 0)
            }
            // The mail as the portal queues it: the link in a quoted-printable body, split by a soft line break.
            let message = "From: support@msp.example\r\nTo: carla@acme.example\r\nSubject: Your sign-in link\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\nHello Carla,\r\n\r\n"
                + "https://support.example/portal/link/acme-1.\(Self.secret.prefix(30))=\r\n\(Self.secret.dropFirst(30))\r\n"
            let payload = try JSONSerialization.data(
                withJSONObject: [
                    "messageId": "portal.0123456789abcdef@docket", "reason": "sign-in", "to": ["carla@acme.example"],
                    "subject": "Your sign-in link", "message": message,
                ], options: .sortedKeys)
            let appended = try docket([
                "event", "append", "--repair", "--stream", "portal-acme-1", "--type", "ticket.mail-queued",
                "--payload", String(decoding: payload, as: UTF8.self),
            ])
            #expect(appended.status == 0, "\(appended.stderr)")
            for reader in ["bob", "carol"] {
                for arguments in [["log", "--json"], ["log"], ["log", "--json", "--stream", "portal-acme-1"]] {
                    let run = try docket(arguments, as: reader)
                    #expect(run.status == 0, "\(run.stderr)")
                    #expect(!run.stdout.contains(Self.secret.prefix(30)) && !run.stdout.contains(Self.secret.dropFirst(30)), "\(reader) \(arguments)")
                }
                let json = try docket(["log", "--json"], as: reader).stdout
                #expect(json.contains("[sign-in link hidden]") && json.contains("Subject: Your sign-in link"), "\(json)")
                // The outbox shows the same message: headers only, in text and JSON.
                for arguments in [["outbox", "show", "portal.0123456789abcdef@docket"], ["outbox", "show", "portal.0123456789abcdef@docket", "--json"]] {
                    let shown = try docket(arguments, as: reader)
                    #expect(shown.status == 0, "\(shown.stderr)")
                    #expect(shown.stdout.contains("[sign-in link hidden]") && !shown.stdout.contains(Self.secret.prefix(30)), "\(reader) \(arguments)")
                }
            }
            #expect(try docket(["outbox", "show", "portal.0123456789abcdef@docket"]).stdout.contains(String(Self.secret.prefix(30))), "an admin reads it")
            let admin = try docket(["log", "--json"]).stdout
            #expect(admin.contains(String(Self.secret.prefix(30))) && !admin.contains("[sign-in link hidden]"), "the admin reads it as stored")
        }
    }
}

/// `docket log --until` reads a time as `replay --as-of` does: RFC 3339 exactly, a date or local time without a zone in
/// the viewer's zone, a date meaning the start of that day there, with a note on stderr. It took RFC 3339 only:
/// `--until 2026-11-01` was a usage error (64).
@Suite struct LogUntilTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    func docket(_ arguments: [String], now: String? = nil) throws -> DocketRun {
        var environment = ["DOCKET_USER": "ann"]
        if let now { environment["DOCKET_NOW"] = now }
        return try DocketProcess.run(arguments, store: store, environment: environment)
    }

    /// The streams of the events `log --json` printed.
    func streams(_ run: DocketRun) throws -> [String] {
        let events = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        return events.compactMap { $0["stream"] as? String }.filter { $0.hasPrefix("note-") }
    }

    /// `log`'s RECORDED AT and `anchor`'s line gave RFC 3339 UTC among tables that all give the viewer's zone: they
    /// give it too (`log` the viewer's, `anchor`, which acts as nobody, this machine's); `--json` keeps RFC 3339 UTC.
    @Test(arguments: DocketMode.allCases) func logAndAnchorGiveTimesInTheViewersZone(_ mode: DocketMode) throws {
        #expect(try docket(["init"], now: "2026-10-30T12:00:00Z").status == 0)
        #expect(try docket(["user", "time-zone", "ann", "America/New_York"], now: "2026-10-30T12:00:00Z").status == 0)
        let append = try docket(["event", "append", "--stream", "note-1", "--type", "test.noted", "--payload", #"{"x":1}"#], now: "2026-11-02T15:00:00Z")
        #expect(append.status == 0, "\(append.stderr)")
        // The head is the note (before a served run makes ann's token), in this machine's zone.
        let offsite = folder.child("offsite-anchors")
        let anchored = try DocketProcess.run(
            ["anchor", "--to", offsite], store: store, environment: ["DOCKET_USER": "ann", "TZ": "America/New_York"])
        #expect(anchored.status == 0, "\(anchored.stderr)")
        #expect(anchored.stdout.hasSuffix(", 2026-11-02 10:00 EST) to \(offsite)\n"), "\(anchored.stdout)")
        try mode.run {
            let table = try docket(["log", "--stream", "note-1"])
            #expect(table.status == 0, "\(table.stderr)")
            let row = try #require(table.stdout.split(separator: "\n").last.map(String.init))
            #expect(row.contains(" 2026-11-02 10:00 EST "), "\(table.stdout)")
            #expect(!table.stdout.contains("2026-11-02T15:00:00"), "\(table.stdout)")
            let json = try docket(["log", "--json", "--stream", "note-1"])
            #expect(json.stdout.contains(#""recordedAt":"2026-11-02T15:00:00.000Z""#), "\(json.stdout)")
        }
    }

    @Test(arguments: DocketMode.allCases) func untilReadsADateOrALocalTimeInTheViewersZone(_ mode: DocketMode) throws {
        #expect(try docket(["init"], now: "2026-10-30T12:00:00Z").status == 0)
        #expect(try docket(["user", "time-zone", "ann", "America/New_York"], now: "2026-10-30T12:00:00Z").status == 0)
        // October 31 noon, October 31 23:00 in New York (03:00Z), November 1 10:00 in New York (15:00Z, EST).
        for (stream, now) in [("note-1", "2026-10-31T12:00:00Z"), ("note-2", "2026-11-01T03:00:00Z"), ("note-3", "2026-11-01T15:00:00Z")] {
            let append = try docket(["event", "append", "--stream", stream, "--type", "test.noted", "--payload", #"{"x":1}"#], now: now)
            #expect(append.status == 0, "\(append.stderr)")
        }
        try mode.run {
            _ = try docket(["log", "--limit", "1"])  // served: ann's token is made (written, after all three) first
            let date = try docket(["log", "--json", "--until", "2026-11-01"])
            #expect(date.status == 0, "\(date.stderr)")
            #expect(try streams(date) == ["note-1", "note-2"], "up to the start of November 1 in New York")
            #expect(
                date.stderr
                    == "--until \"2026-11-01\" read as 2026-11-01 00:00 EDT (user ann's time zone, America/New_York) = 2026-11-01T04:00:00.000Z\n")
            let local = try docket(["log", "--json", "--until", "2026-10-31 22:59"])
            #expect(try streams(local) == ["note-1"], "\(local.stderr)")
            let exact = try docket(["log", "--json", "--until", "2026-11-01T15:00:00Z"])
            #expect(try streams(exact) == ["note-1", "note-2", "note-3"])
            #expect(exact.stderr.isEmpty, "an exact time needs no note")
            let bad = try docket(["log", "--until", "soon"])
            #expect(bad.status == 64)
            #expect(bad.stderr.contains(#"--until 'soon' is not a time; write it like 2026-10-31T23:59:59Z, "2026-10-31 18:00" or 2026-11-01"#), "\(bad.stderr)")
        }
    }
}
