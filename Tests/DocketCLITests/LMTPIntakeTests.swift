import Foundation
import TestSupport
import Testing

/// Issue 13 §3 with a real LMTP client: Python's `smtplib.LMTP` (scripts/lmtp-send.py) delivers the shared fixture
/// emails to `docket intake lmtp`, started per connection on a socket as inetd would; the tickets are those
/// `docket intake email` makes of the same bytes, and a store that refuses writes answers 451 with nothing written.
@Suite struct LMTPIntakeTests {
    let folder = TemporaryFolder()
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let now = "2026-11-20T10:00:00Z"

    func docket(_ arguments: [String], store: String, as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": Self.now])
    }

    func makeStore(_ name: String) throws -> String {
        let store = folder.child(name)
        #expect(try docket(["init"], store: store).status == 0)
        _ = try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"], store: store)
        _ = try docket(["client", "add", "triage", "--name", "Triage", "--time-zone", "UTC", "--currency", "USD"], store: store)
        _ = try docket(["client", "add", "ddd", "--name", "DDD", "--domain", "ddd.com", "--time-zone", "UTC", "--currency", "USD"], store: store)
        return store
    }

    /// Sends `files` over LMTP to `docket intake lmtp` on `store` (started per connection, or at `target`: `--host`/
    /// `--port` or `--socket` arguments of scripts/lmtp-send.py); one JSON object per file.
    func lmtp(_ files: [String], store: String, recipients: [String] = ["support@msp.example"], target: [String]? = nil) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let command = "\(DocketProcess.executable) intake lmtp --triage-client triage --as intake"
        process.arguments = ["python3", Self.root.appendingPathComponent("scripts/lmtp-send.py").path] + (target ?? ["--exec", command])
            + recipients.flatMap { ["--to", $0] } + files
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKET_STORE"] = store
        environment["DOCKET_NOW"] = Self.now
        environment["TZ"] = "UTC"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The fixture messages as an MTA hands them over: CRLF line ends, ending in CRLF.
    func fixtureCopies(_ corpus: String) throws -> [String] {
        let source = Self.root.appendingPathComponent("Tests/Fixtures/mail/\(corpus)").path
        let names = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".eml") }.sorted()
        let target = folder.child("mta-\(corpus)")
        try FileManager.default.createDirectory(atPath: target + "/new", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: target + "/cur", withIntermediateDirectories: true)
        return try names.map { name in
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: source + "/" + name)))
            var crlf: [UInt8] = []
            for (i, byte) in bytes.enumerated() {
                if byte == 10, i == 0 || bytes[i - 1] != 13 { crlf.append(13) }
                crlf.append(byte)
            }
            if crlf.suffix(2) != [13, 10] { crlf += [13, 10] }
            bytes = crlf
            let path = target + "/new/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    /// Every event as (stream, type, command id, payload); the payload is left out for queued mail, whose
    /// Message-IDs are random.
    func events(_ store: String) throws -> [String] {
        try docket(["export"], store: store).stdout.split(separator: "\n").map { line in
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let type = event["type"] as? String ?? ""
            let payload = type == "ticket.mail-queued" ? "" : String(decoding: try JSONSerialization.data(withJSONObject: event["payload"] ?? [:], options: [.sortedKeys]), as: UTF8.self)
            return "\(event["stream"] ?? "") \(type) \(event["commandId"] ?? "") \(payload)"
        }
    }

    @Test func theFixtureEmailsOverLMTPMakeTheSameTicketsAsIntakeEmail() throws {
        let files = try fixtureCopies("cpython-test_email")
        #expect(files.count > 40)
        let byPipe = try makeStore("pipe")
        let run = try docket(["intake", "email", "--maildir", folder.child("mta-cpython-test_email"), "--triage-client", "triage"], store: byPipe, as: "intake")
        #expect(run.status == 0, "\(run.stderr)")
        let pipeOutcomes = run.stdout.split(separator: "\n").map { $0.split(separator: ": ", maxSplits: 1).last.map(String.init) ?? "" }

        let byLMTP = try makeStore("lmtp")
        let results = try lmtp(files, store: byLMTP)
        #expect(results.count == files.count)
        let lmtpOutcomes = results.map { result -> String in
            let replies = result["replies"] as? [[Any]] ?? []
            #expect(replies.count == 1 && replies.first?.first as? Int == 250, "\(result)")
            let text = replies.first?.last as? String ?? ""
            return text.split(separator: "> ", maxSplits: 1).last.map(String.init) ?? text
        }
        #expect(lmtpOutcomes == pipeOutcomes)
        #expect(lmtpOutcomes.filter { $0.hasPrefix("opened") }.count > 20)
        #expect(try events(byLMTP) == events(byPipe))
        #expect(try docket(["verify"], store: byLMTP).status == 0)
    }

    @Test func everyRecipientGetsItsOwnReply() throws {
        let store = try makeStore("store")
        let files = try fixtureCopies("cpython-test_email")
        let results = try lmtp([files[0]], store: store, recipients: ["support@msp.example", "help@msp.example"])
        let replies = try #require(results.first?["replies"] as? [[Any]])
        #expect(replies.map { $0.first as? Int } == [250, 250])
        #expect((replies[0].last as? String)?.contains("<support@msp.example> opened T-1001") == true)
        #expect((replies[1].last as? String)?.contains("<help@msp.example> opened T-1001") == true)
    }

    /// Without a triage client, mail from a sender no client knows is refused with 550 5.7.1 and a line for the
    /// sender, who reads it in their bounce; the operator's fix goes to stderr. The sender was told 550 5.6.0 "…; add
    /// the sender as a contact (`docket client contact add`), … or pass --triage-client CODE": our tools, to a stranger.
    @Test func aStrangersMailIsRefusedWithALineForTheSender() throws {
        let store = try makeStore("store")
        let mail = folder.child("stranger.eml")
        try "From: someone@nowhere.example\r\nTo: support@msp.example\r\nSubject: Hello\r\nMessage-ID: <s1@nowhere.example>\r\n\r\nHi.\r\n"
            .write(toFile: mail, atomically: true, encoding: .utf8)
        let before = try events(store)
        let results = try lmtp([mail], store: store, target: ["--exec", "\(DocketProcess.executable) intake lmtp --as intake"])
        let reply = try #require((results.first?["replies"] as? [[Any]])?.first)
        #expect(reply.first as? Int == 550, "\(reply)")
        let text = reply.last as? String ?? ""
        #expect(text.hasPrefix("5.7.1 <support@msp.example> this support address takes mail from our clients' known addresses only"), "\(text)")
        #expect(!text.contains("docket") && !text.contains("triage"), "\(text)")
        #expect(try events(store) == before, "nothing written")
    }

    @Test func aStoreThatRefusesWritesAnswers451AndKeepsNothingUntilItIsFixed() throws {
        let store = try makeStore("store")
        let files = try fixtureCopies("cpython-test_email")
        #expect((try lmtp([files[0]], store: store).first?["replies"] as? [[Any]])?.first?.first as? Int == 250)
        // Roll the store back behind its anchors (an old data.mdb put back): Docket refuses every write until an
        // admin accepts it, while reads go on.
        let data = store + "/data.mdb"
        let old = Array(try Data(contentsOf: URL(fileURLWithPath: data)))
        let second = try #require(try lmtp([files[5]], store: store).first?["replies"] as? [[Any]])
        #expect((second.first?.last as? String)?.contains("opened T-1002") == true, "\(second)")
        try Data(old).write(to: URL(fileURLWithPath: data))
        let before = try events(store)

        let refused = try #require(try lmtp([files[6]], store: store).first?["replies"] as? [[Any]])
        #expect(refused.first?.first as? Int == 451, "\(refused)")
        #expect(try events(store) == before, "nothing written")

        #expect(try docket(["verify", "--accept-rollback", "--reason", "test"], store: store).status == 0)
        let retried = try #require(try lmtp([files[6]], store: store).first?["replies"] as? [[Any]])
        #expect(retried.first?.first as? Int == 250, "the MTA's retry lands: \(retried)")
    }

    /// `docket intake lmtp --listen`: a real LMTP server on a loopback port and on a Unix socket.
    @Test(arguments: ["127.0.0.1:0", "socket"])
    func theListenerServesARealClientOnAPortOrASocket(address: String) throws {
        let store = try makeStore("store")
        let files = try fixtureCopies("cpython-test_email")
        let listen = address == "socket" ? folder.child("lmtp.sock") : address
        let (process, _, output, _) = try DocketProcess.start(
            ["intake", "lmtp", "--listen", listen, "--triage-client", "triage"], store: store,
            environment: ["DOCKET_USER": "intake", "DOCKET_NOW": Self.now])
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        var first = Data()
        while !first.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first += chunk
        }
        let line = String(decoding: first, as: UTF8.self)
        #expect(line.hasPrefix("lmtp listening on "), "\(line)")
        let bound = line.dropFirst("lmtp listening on ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        let target: [String]
        if address == "socket" {
            target = ["--socket", listen]
            #expect(try FileManager.default.attributesOfItem(atPath: listen)[.posixPermissions] as? Int == 0o600)
        } else {
            let port = try #require(bound.split(separator: ":").last.map(String.init))
            target = ["--host", "127.0.0.1", "--port", port]
        }
        let results = try lmtp(Array(files.prefix(12)), store: store, target: target)
        #expect(results.count == 12)
        #expect(results.allSatisfy { ($0["replies"] as? [[Any]])?.first?.first as? Int == 250 }, "\(results)")
        #expect((results.first?["replies"] as? [[Any]])?.first?.last as? String == "2.0.0 <support@msp.example> opened T-1001")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "SIGTERM stops it cleanly")
        if address == "socket" { #expect(!FileManager.default.fileExists(atPath: listen), "the socket file is removed") }
    }
}
