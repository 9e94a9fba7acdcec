import Foundation
import TestSupport
import Testing

/// An LMTP listener (`serve --lmtp`, `intake lmtp --listen`) stopped by SIGTERM while a real client (Python's
/// `smtplib.LMTP`) is mid-transaction: the listener drains instead of the process ending under the sessions. A
/// message is either appended and answered 250 per recipient, or not appended and answered 421 (the MTA keeps it and
/// retries); an idle session is answered `421 4.3.2` and closed; no new connection is taken.
@Suite struct LMTPDrainTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    var socket: String { folder.child("lmtp.sock") }

    /// The client: one idle session and one in DATA with half its message sent; prints `in-data`, then waits for the
    /// idle session's answer to the stop and, with `finish`, sends the rest; prints what each session was answered.
    static let client = #"""
        import json, smtplib, socket, sys
        path, mode = sys.argv[1], sys.argv[2]
        def session():
            client = smtplib.LMTP(local_hostname="mta.example")
            client.connect(path)
            client.sock.settimeout(120)
            client.ehlo_or_helo_if_needed()
            return client
        def reply(client):
            try:
                code, text = client.getreply()
                return [code, text.decode()]
            except (smtplib.SMTPServerDisconnected, OSError, AttributeError):
                return "closed"  # AttributeError: smtplib dropped the socket at an earlier disconnect
        idle, busy = session(), session()
        busy.mail("carla@ddd.com")
        busy.rcpt("support@msp.example")
        busy.rcpt("help@msp.example")
        busy.putcmd("data")
        assert busy.getreply()[0] == 354
        message = (b"From: Carla <carla@ddd.com>\r\nTo: support@msp.example\r\nSubject: Printer on fire\r\n"
                   b"Message-ID: <drain-1@ddd.com>\r\nDate: Fri, 20 Nov 2026 09:00:00 +0000\r\n\r\nIt is on fire.\r\n")
        busy.send(message[:40])
        print("in-data", flush=True)
        result = {"idle": [reply(idle), reply(idle)]}
        if mode == "finish":
            try:
                busy.send(message[40:] + b".\r\n")
            except (smtplib.SMTPServerDisconnected, OSError):
                pass
            result["busy"] = [reply(busy), reply(busy), reply(busy), reply(busy)]
        else:
            result["busy"] = [reply(busy), reply(busy)]
        try:
            socket.socket(socket.AF_UNIX).connect(path)
            result["new"] = "accepted"
        except OSError:
            result["new"] = "refused"
        print(json.dumps(result), flush=True)
        """#

    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    /// A store whose intake takes mail from ddd.com; the listener running (`serve --lmtp` or `intake lmtp --listen`).
    func startListener(_ command: String, drain: Int) throws -> Process {
        #expect(try docket(["init"]).status == 0)
        #expect(try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"]).status == 0)
        #expect(try docket(["client", "add", "ddd", "--name", "DDD", "--domain", "ddd.com", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        let arguments =
            command == "serve"
            ? ["serve", "--no-http", "--socket", folder.child("docket.sock"), "--lmtp", socket, "--lmtp-triage-client", "ddd", "--drain-timeout", "\(drain)"]
            : ["intake", "lmtp", "--listen", socket, "--triage-client", "ddd", "--as", "intake", "--drain-timeout", "\(drain)"]
        let (process, _, output, _) = try DocketProcess.start(arguments, store: store, environment: ["LOG_LEVEL": "error"])
        for _ in 0..<(command == "serve" ? 2 : 1) {
            let line = try ServerScope.firstLine(output.fileHandleForReading, within: 60)
            #expect(line.contains("listening"), "\(line)")
        }
        return process
    }

    /// Runs the client against the listener, stops the listener once the client is in DATA, and returns what the
    /// client was answered and the listener's exit status.
    func stopMidTransaction(_ listener: Process, mode: String) throws -> (result: [String: Any], status: Int32) {
        let script = folder.child("client.py")
        try Self.client.write(toFile: script, atomically: true, encoding: .utf8)
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", script, socket, mode]
        let output = Pipe()
        client.standardOutput = output
        try client.run()
        let ready = try ServerScope.firstLine(output.fileHandleForReading, within: 120)
        #expect(ready == "in-data")
        listener.terminate()
        let line = try ServerScope.firstLine(output.fileHandleForReading, within: 120)
        client.waitUntilExit()
        listener.waitUntilExit()
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        return (result, listener.terminationStatus)
    }

    func replyCodes(_ replies: Any?) -> [String] {
        (replies as? [Any] ?? []).map { reply in (reply as? [Any])?.first.map { "\($0)" } ?? "\(reply)" }
    }

    /// The message in DATA when SIGTERM came is finished, delivered and answered 250 per recipient, then 421; the idle
    /// session gets 421 at once. Before, the process ended under both sessions: the client saw the connection drop
    /// mid-DATA, and nothing said whether the message was taken.
    @Test(arguments: ["serve", "intake"])
    func aMessageUnderWayIsDeliveredAndAnsweredBeforeTheListenerStops(_ command: String) throws {
        let listener = try startListener(command, drain: 120)
        let (result, status) = try stopMidTransaction(listener, mode: "finish")
        #expect(replyCodes(result["idle"]) == ["421", "closed"], "\(result)")
        #expect(((result["idle"] as? [Any])?.first as? [Any])?.last as? String == "4.3.2 docket shutting down, try again later")
        #expect(replyCodes(result["busy"]) == ["250", "250", "421", "closed"], "\(result)")
        #expect(result["new"] as? String == "refused")
        #expect(status == 0)
        let tickets = try docket(["ticket", "list", "--json"]).stdout
        #expect(tickets.contains("Printer on fire"), "\(tickets)")
    }

    /// A message still arriving when the drain ends is not taken: the session is answered 421 and closed, and nothing
    /// of it is in the store (the MTA retries it later).
    @Test(arguments: ["serve", "intake"])
    func aMessageStillArrivingWhenTheDrainEndsIsNotTaken(_ command: String) throws {
        let listener = try startListener(command, drain: 1)
        let (result, status) = try stopMidTransaction(listener, mode: "stall")
        #expect(replyCodes(result["idle"]) == ["421", "closed"], "\(result)")
        #expect(replyCodes(result["busy"]) == ["421", "closed"], "\(result)")
        #expect(((result["busy"] as? [Any])?.first as? [Any])?.last as? String == "4.3.2 docket shutting down; the message was not taken, try again later")
        #expect(status == 0)
        #expect(try docket(["ticket", "list", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    /// A client that sends a transaction and never reads its replies: the listener's send to it blocked for the 300 s
    /// send timeout, so SIGTERM with `--drain-timeout 1` still left the process running minutes later. The drain now
    /// ends by its timeout: the replies not taken are abandoned and the socket closed. The client pipelines enough
    /// commands that the replies fill the socket's buffers (its own send then stalls: it prints `stalled`).
    @Test(arguments: ["serve", "intake"])
    func aClientThatNeverReadsItsRepliesDoesNotHoldTheDrainUp(_ command: String) throws {
        let listener = try startListener(command, drain: 1)
        let script = folder.child("deaf.py")
        try #"""
            import socket, sys
            client = socket.socket(socket.AF_UNIX)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.connect(sys.argv[1])
            client.settimeout(3)
            data = b"LHLO mta.example\r\nMAIL FROM:<carla@ddd.com>\r\nRCPT TO:<support@msp.example>\r\n" + b"NOOP\r\n" * 400000
            sent = 0
            try:
                while sent < len(data):
                    sent += client.send(data[sent:sent + 65536])
            except (socket.timeout, OSError):
                pass
            print("stalled" if sent < len(data) else "all-sent", flush=True)
            sys.stdin.read()  # until the test closes it: the client never reads a reply
            """#.write(toFile: script, atomically: true, encoding: .utf8)
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", script, socket]
        let (input, output) = (Pipe(), Pipe())
        client.standardInput = input
        client.standardOutput = output
        try client.run()
        var released = false
        func release() {
            // Ends the client (it reads its stdin to the end), which also ends a listener still blocked on it.
            guard !released else { return }
            released = true
            try? input.fileHandleForWriting.close()
            client.waitUntilExit()
        }
        defer { release() }
        #expect(try ServerScope.firstLine(output.fileHandleForReading, within: 120) == "stalled", "the replies never filled the buffers")
        let stopping = Date()
        listener.terminate()
        while listener.isRunning, Date().timeIntervalSince(stopping) < 30 { Thread.sleep(forTimeInterval: 0.1) }
        let stillRunning = listener.isRunning
        release()
        listener.waitUntilExit()
        #expect(!stillRunning, "the listener was still running 30 s after SIGTERM (--drain-timeout 1)")
        #expect(listener.terminationStatus == 0)
    }

    /// `--drain-timeout` belongs to a listener and is bounded: without `--listen`, or out of 1…3600, it is a usage
    /// error naming the fix, and nothing is served.
    @Test func theDrainTimeoutNeedsAListenerAndABound() throws {
        #expect(try docket(["init"]).status == 0)
        let alone = try docket(["intake", "lmtp", "--drain-timeout", "5"])
        #expect(alone.status == 64)
        #expect(alone.stderr.contains("--drain-timeout is for a listener: add --listen, or drop it"), "\(alone.stderr)")
        let zero = try docket(["intake", "lmtp", "--listen", socket, "--drain-timeout", "0"])
        #expect(zero.status == 64)
        #expect(zero.stderr.contains("--drain-timeout must be 1 to 3600 seconds, not 0"), "\(zero.stderr)")
        #expect(!FileManager.default.fileExists(atPath: socket))
    }
}
