import Foundation
import TestSupport
import Testing

/// A private Postfix (Debian's, installed by scripts/ensure-deps.sh) in a temporary folder: its own main.cf and
/// master.cf, queue and log, an SMTP listener on a loopback port, the support domain delivered by LMTP to Docket,
/// and the client's domain delivered to Maildirs for the mailboxes listed (any other address there is unknown, so
/// mail to it bounces). Started and stopped with `postfix -c`; the master runs as root and its daemons as `postfix`,
/// so the tests need root, as the package's own scripts do.
final class PostfixInstance: @unchecked Sendable {
    // @unchecked Sendable: the paths are immutable; the instance is used by one test at a time.
    static let binary = "/usr/sbin/postfix"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary) && getuid() == 0 }

    let folder: String
    let smtpPort: Int
    var config: String { folder + "/etc" }

    /// Writes the instance's configuration: `supportDomain` by LMTP to `lmtpPort`, `mailboxes` of `clientDomain`
    /// to Maildirs named after their local part; everything else bounces.
    init(folder: String, smtpPort: Int, lmtpPort: Int, supportDomain: String, clientDomain: String, mailboxes: [String]) throws {
        self.folder = folder
        self.smtpPort = smtpPort
        let manager = FileManager.default
        for child in ["etc", "spool", "data", "mail"] { try manager.createDirectory(atPath: folder + "/" + child, withIntermediateDirectories: true) }
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        let postfix = try Self.ids(of: "postfix")
        for owned in ["data", "mail"] { try manager.setAttributes([.ownerAccountID: postfix.uid], ofItemAtPath: folder + "/" + owned) }
        // Every address of the support domain is known (its transport is LMTP); of the client's, only `mailboxes`.
        let boxes = (["@\(supportDomain)=docket/"] + mailboxes.map { "\($0)@\(clientDomain)=\($0)/" }).joined(separator: ", ")
        try """
            compatibility_level = 3.6
            queue_directory = \(folder)/spool
            data_directory = \(folder)/data
            mail_owner = postfix
            setgid_group = postdrop
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            myhostname = mx.msp.test
            mydomain = msp.test
            myorigin = msp.test
            mydestination =
            alias_maps =
            alias_database =
            mynetworks = 127.0.0.0/8
            relayhost =
            default_transport = error:5.7.1 this test relays nothing
            virtual_mailbox_domains = \(supportDomain) \(clientDomain)
            transport_maps = inline:{ \(supportDomain)=lmtp:inet:127.0.0.1:\(lmtpPort) }
            virtual_mailbox_base = \(folder)/mail
            virtual_mailbox_maps = inline:{ \(boxes) }
            virtual_uid_maps = static:\(postfix.uid)
            virtual_gid_maps = static:\(postfix.gid)
            virtual_minimum_uid = 1
            maillog_file = \(folder)/maillog
            maillog_file_prefixes = \(folder)
            smtputf8_enable = no
            biff = no
            queue_run_delay = 1s
            minimal_backoff_time = 1s
            maximal_backoff_time = 2s
            """.write(toFile: config + "/main.cf", atomically: true, encoding: .utf8)
        try """
            127.0.0.1:\(smtpPort) inet n - n - - smtpd
            pickup    unix  n       -       n       1       1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            virtual   unix  -       n       n       -       -       virtual
            lmtp      unix  -       -       n       -       -       lmtp
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            """.write(toFile: config + "/master.cf", atomically: true, encoding: .utf8)
    }

    func start() throws {
        let run = try Self.run(Self.binary, ["-c", config, "start"])
        #expect(run.status == 0, "postfix start: \(run.output)\n\(log)")
    }

    func stop() {
        _ = try? Self.run(Self.binary, ["-c", config, "stop"])
    }

    /// Asks the queue manager to try every deferred message now.
    func flush() throws {
        _ = try Self.run("/usr/sbin/postqueue", ["-c", config, "-f"])
    }

    /// The instance's log so far.
    var log: String { (try? String(contentsOfFile: folder + "/maillog", encoding: .utf8)) ?? "" }

    /// The messages delivered to `mailbox`'s Maildir.
    func delivered(to mailbox: String) -> [String] {
        let new = folder + "/mail/\(mailbox)/new"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: new)) ?? []
        return names.sorted().compactMap { try? String(contentsOfFile: new + "/" + $0, encoding: .utf8) }
    }

    static func ids(of user: String) throws -> (uid: Int, gid: Int) {
        let uid = try run("/usr/bin/id", ["-u", user]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let gid = try run("/usr/bin/id", ["-g", user]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        return (try #require(Int(uid)), try #require(Int(gid)))
    }

    /// Runs `path args…` to the end; stdout and stderr together.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Mail in and out through a real Postfix (the brief's "piped from the mail server"): a client's mail to the support
/// address opens a ticket through LMTP; mail that arrives while Docket's listener is down waits in Postfix's queue and
/// opens its ticket once the listener is back; the acknowledgement goes out through Postfix's `sendmail` with the
/// support address as its envelope sender, and the client's answer to it threads back by In-Reply-To; a reply to an
/// address the client's mail server does not know comes back as Postfix's bounce and marks that message `bounced`.
/// Loopback only; every wait bounded.
@Suite(.serialized, .enabled(if: PostfixInstance.available, "needs Debian's postfix (scripts/ensure-deps.sh installs it) and root to start it"))
final class PostfixRoundTripTests {
    let folder = TemporaryFolder("docket-postfix")
    var store: String { folder.child("store") }
    static let support = "help@support.msp.test"
    var listener: Process?

    deinit {
        if let listener, listener.isRunning {
            listener.terminate()
            listener.waitUntilExit()
        }
    }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", environment: [String: String] = [:]) throws -> DocketRun {
        try DocketProcess.run(
            arguments, store: store,
            environment: ["DOCKET_USER": user, "DOCKET_SUPPORT_ADDRESS": Self.support].merging(environment) { $1 })
    }

    /// Starts `docket intake lmtp --listen 127.0.0.1:PORT` (0: any free port) and returns the port it bound.
    func startListener(port: Int = 0) throws -> Int {
        let (process, _, output, _) = try DocketProcess.start(
            ["intake", "lmtp", "--listen", "127.0.0.1:\(port)", "--drain-timeout", "1"], store: store,
            environment: ["DOCKET_USER": "intake", "DOCKET_SUPPORT_ADDRESS": Self.support])
        listener = process
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("lmtp listening on 127.0.0.1:"), "\(text)")
        return try #require(Int(text.split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
    }

    func stopListener() {
        guard let listener else { return }
        listener.terminate()
        listener.waitUntilExit()
        self.listener = nil
    }

    /// Sends `message` (headers and body, LF line ends) over SMTP to the instance, as a client's mail server would.
    static func smtp(_ message: String, port: Int) throws {
        let script = """
            import smtplib, sys
            with smtplib.SMTP('127.0.0.1', \(port), timeout=20) as s:
                s.sendmail(sys.argv[1], [sys.argv[2]], sys.stdin.buffer.read())
            """
        let sender = message.split(separator: "\n").first { $0.hasPrefix("From: ") }.map { String($0.dropFirst(6)) } ?? ""
        let run = try PostfixInstance.run("/usr/bin/env", ["python3", "-c", script, sender, support], input: message)
        #expect(run.status == 0, "smtp: \(run.output)")
    }

    /// Polls `check` every 100 ms for up to `seconds`; true once it holds.
    static func eventually(within seconds: Double = 30, _ check: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try check() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try check()
    }

    func tickets() throws -> [[String: Any]] {
        let run = try docket(["ticket", "list", "--oldest-first", "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    func outbox() throws -> [[String: Any]] {
        let run = try docket(["outbox", "list", "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    /// The changes of `ticket`'s history, as `ticket show --json` words them.
    func history(_ ticket: String) throws -> [String] {
        let run = try docket(["ticket", "show", ticket, "--json"])
        let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return (object?["history"] as? [[String: Any]])?.compactMap { $0["change"] as? String } ?? []
    }

    func sendOutbox(_ postfix: PostfixInstance) throws -> DocketRun {
        try docket(["outbox", "send", "--sendmail", "/usr/sbin/sendmail"], environment: ["MAIL_CONFIG": postfix.config])
    }

    @Test func mailGoesInAndOutThroughPostfixAndABounceComesBack() throws {
        #expect(try docket(["init"]).status == 0)
        #expect(try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.test", "--role", "dispatcher"]).status == 0)
        #expect(try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.test", "--role", "tech"]).status == 0)
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.test", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.test"]).stdout == "acme-1\n")
        #expect(try docket(["client", "contact", "add", "acme", "--name", "Dave", "--email", "dave@acme.test"]).stdout == "acme-2\n")

        let lmtpPort = try startListener()
        let smtpPort = try LoopbackPort.free()
        let postfix = try PostfixInstance(
            folder: folder.child("postfix"), smtpPort: smtpPort, lmtpPort: lmtpPort, supportDomain: "support.msp.test",
            clientDomain: "acme.test", mailboxes: ["carla"])
        try postfix.start()
        defer { postfix.stop() }

        // In: Carla's mail through Postfix's SMTP and LMTP opens T-1001.
        try Self.smtp(
            "From: carla@acme.test\nTo: \(Self.support)\nSubject: Printer offline\nMessage-ID: <p1@acme.test>\n\nThe printer on floor 2 is offline.\n",
            port: smtpPort)
        #expect(try Self.eventually { try tickets().count == 1 }, "\(postfix.log)")
        #expect(postfix.log.contains("250 2.0.0 <\(Self.support)> opened T-1001"), "\(postfix.log)")

        // Docket's listener down: Postfix keeps the mail (deferred), and delivers it once the listener is back.
        stopListener()
        try Self.smtp("From: carla@acme.test\nTo: \(Self.support)\nSubject: Email down\nMessage-ID: <p2@acme.test>\n\nNo mail since 9.\n", port: smtpPort)
        #expect(try Self.eventually { postfix.log.contains("status=deferred") }, "\(postfix.log)")
        #expect(try tickets().count == 1, "nothing opened while the listener was down")
        #expect(try startListener(port: lmtpPort) == lmtpPort)
        try postfix.flush()
        #expect(try Self.eventually { try tickets().count == 2 }, "\(postfix.log)")
        #expect(postfix.log.contains("opened T-1002"), "\(postfix.log)")

        // Out: the acknowledgements through Postfix's sendmail, with the support address as the envelope sender.
        let sent = try sendOutbox(postfix)
        #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
        #expect(try Self.eventually { postfix.delivered(to: "carla").count == 2 }, "\(postfix.log)")
        let ack = try #require(postfix.delivered(to: "carla").first { $0.contains("Subject: [T-1001] Printer offline") })
        #expect(ack.hasPrefix("Return-Path: <\(Self.support)>"), "\(ack.prefix(200))")
        let ackId = try #require(ack.split(separator: "\n").first { $0.hasPrefix("Message-ID: <") }.map { $0.dropFirst("Message-ID: <".count).dropLast() })

        // Carla answers the acknowledgement from her mail program: no [T-…] in the subject, threaded by In-Reply-To.
        try Self.smtp(
            "From: carla@acme.test\nTo: \(Self.support)\nSubject: Re: Printer offline\nMessage-ID: <p3@acme.test>\nIn-Reply-To: <\(ackId)>\n\nIt is the one by the kitchen.\n",
            port: smtpPort)
        #expect(try Self.eventually { try history("T-1001").contains("mail reply from carla@acme.test: Re: Printer offline (p3@acme.test)") }, "\((try? history("T-1001")) ?? [])")
        #expect(try tickets().count == 2, "a reply, not a new ticket")

        // A reply to Dave, whose mailbox acme.test does not know: Postfix bounces it to the envelope sender, the
        // support address, and intake marks the message bounced (with -f missing, the bounce went to root@msp.test).
        #expect(try docket(["ticket", "open", "--client", "acme", "--contact", "acme-2", "--subject", "Laptop"], as: "bob").status == 0)
        #expect(try sendOutbox(postfix).status == 0)
        let bounced = try Self.eventually { try outbox().contains { ($0["ticket"] as? String) == "T-1003" && ($0["status"] as? String) == "bounced" } }
        #expect(bounced, "\((try? outbox()) ?? [])\n\(postfix.log)")
        let shown = try docket(["ticket", "show", "T-1003"])
        #expect(shown.stdout.contains("bounced"), "\(shown.stdout)")
        #expect(try tickets().count == 3, "a bounce opens no ticket")
    }
}

/// A free loopback port (bound and released: the listener binding it next may race another, rarely).
enum LoopbackPort {
    static func free() throws -> Int {
        let out = try PostfixInstance.run(
            "/usr/bin/env", ["python3", "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"])
        return try #require(Int(out.output.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
