import ArgumentParser
import DocketApp
import DocketServer
import Foundation
import LMTP

/// `docket intake lmtp`: one LMTP session (RFC 2033) on stdin and stdout, for an inetd-style listener (a systemd
/// socket with `Accept=yes`, xinetd, `socat … EXEC:`); with `--listen`, an LMTP server on a socket or port.
struct IntakeLMTP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmtp",
        abstract: "Speak LMTP on stdin/stdout: each message is taken as `intake email` takes it, answered per recipient.",
        discussion: """
            Each recipient gets its own reply after DATA: 250 when the message was taken (opened, reply, duplicate, …), \
            451 (try again later: the MTA keeps the mail) when the store cannot take it now, 550 when it never can \
            (unreadable or an unknown sender without --triage-client). Run one per connection, e.g. a systemd socket \
            unit with Accept=yes and StandardInput=socket, or: socat UNIX-LISTEN:/run/docket/lmtp,fork EXEC:'docket intake lmtp'.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "The client for mail from senders no client knows, and for unreadable messages (kept whole).") var triageClient: String?
    @Option(help: "The largest message taken, in bytes.") var maxSize: Int = 25 * 1024 * 1024
    @Option(help: "The name the server gives itself.") var hostname: String = "docket"
    @Option(help: ArgumentHelp("Serve LMTP here until SIGTERM/SIGINT: a Unix socket path, or HOST:PORT (loopback).", valueName: "address"))
    var listen: String?
    @Option(
        help: ArgumentHelp(
            "With --listen: how long SIGTERM lets a message under way arrive and be delivered (idle sessions get 421 at once; default 10).",
            valueName: "seconds"))
    var drainTimeout: Int?

    func validate() throws {
        guard maxSize > 0 else { throw ValidationError("--max-size must be positive") }
        if let drainTimeout {
            guard listen != nil else { throw ValidationError("--drain-timeout is for a listener: add --listen, or drop it") }
            guard (1...3_600).contains(drainTimeout) else { throw ValidationError("--drain-timeout must be 1 to 3600 seconds, not \(drainTimeout)") }
        }
        if let listen {
            guard let address = LMTPListener.Address(listen) else {
                throw ValidationError("--listen takes a socket path or HOST:PORT, not \(listen)")
            }
            if case .tcp(let host, _) = address, !["127.0.0.1", "localhost"].contains(host), !host.hasPrefix("127.") {
                throw ValidationError("--listen serves loopback only (127.0.0.1:PORT) or a Unix socket; LMTP has no authentication")
            }
        }
    }

    func run() throws {
        try reportingFailures(store: store.path) {
            // Through the server it would speak LMTP on the server's own stdin and stdout, or hold a listener (and
            // one of the server's workers) until the server stops.
            guard ServedInvocation.current == nil else {
                throw CLIError.usage(
                    "`docket intake lmtp` runs where the mail server delivers, not through `docket serve`: run it on the server's host, or give the server `--lmtp`")
            }
            // A store that looks rolled back is still opened: each delivery is then refused as a write (451, the MTA
            // keeps the mail and retries) instead of the session failing before its greeting.
            let session = try StoreAccess.open(store.path, allowingRollback: true)
            let delivery = MailDelivery(
                service: session.app.intake, policy: MailPolicy(triageClient: triageClient, attachmentsFolder: store.path + "/attachments"),
                actor: actor.name)
            if let listen, let address = LMTPListener.Address(listen) {
                try serve(address, delivery: delivery)
                return
            }
            var lmtp = LMTPSession(configuration: .init(hostname: hostname, maxMessageBytes: maxSize))
            var reader = LineReader()
            let output = FileHandle.standardOutput
            var pending = [lmtp.greeting]
            while true {
                var closing = false
                while !pending.isEmpty {
                    let action = pending.removeFirst()
                    switch action {
                    case .reply(let line): output.write(Data((line + "\r\n").utf8))
                    case .close: closing = true
                    case .deliver(let envelope):
                        let result = delivery.deliver(envelope.message)
                        pending += lmtp.delivered(Array(repeating: LMTPStatus.status(for: result), count: envelope.recipients.count))
                    }
                }
                if closing { return }
                let chunk = FileHandle.standardInput.availableData
                if chunk.isEmpty { return }
                do {
                    for line in try reader.lines(adding: chunk) { pending += lmtp.receive(line: line) }
                } catch {
                    output.write(Data("500 5.5.2 line too long; closing\r\n".utf8))
                    return
                }
            }
        }
    }
}

extension IntakeLMTP {
    /// Serves LMTP on `address` until SIGTERM or SIGINT; prints the address once it is bound.
    @available(*, noasync, message: "blocks until a signal")
    private func serve(_ address: LMTPListener.Address, delivery: MailDelivery) throws {
        let listener = try LMTPServing.start(address, delivery: delivery, configuration: .init(hostname: hostname, maxMessageBytes: maxSize))
        let done = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        listener.stop(drainingFor: .seconds(drainTimeout ?? 10))
        listener.waitUntilStopped()
        sources.forEach { $0.cancel() }
    }
}

/// `serve --lmtp`'s listener, stopped and drained with the server.
struct LMTPCompanion: ServerCompanion {
    let listener: LMTPListener

    func stop(drainingFor drain: Duration) { listener.stop(drainingFor: drain) }

    @available(*, noasync, message: "blocks until the sessions end")
    func waitUntilStopped() { listener.waitUntilStopped() }
}

/// Starting an LMTP listener over mail intake, for `intake lmtp --listen` and `serve --lmtp`.
enum LMTPServing {
    static func start(
        _ address: LMTPListener.Address, app: DocketApplication, store: String, actor: String, triageClient: String?
    ) throws -> LMTPListener {
        let delivery = MailDelivery(
            service: app.intake, policy: MailPolicy(triageClient: triageClient, attachmentsFolder: store + "/attachments"), actor: actor)
        return try start(address, delivery: delivery, configuration: .init(hostname: "docket"))
    }

    /// Starts the listener and prints `lmtp listening on ADDRESS`.
    static func start(_ address: LMTPListener.Address, delivery: MailDelivery, configuration: LMTPSession.Configuration) throws -> LMTPListener {
        let listener = LMTPListener(configuration: configuration) { envelope in
            Array(repeating: LMTPStatus.status(for: delivery.deliver(envelope.message)), count: envelope.recipients.count)
        }
        do {
            try listener.start(address)
        } catch let failure as LMTPListener.Failure {
            throw CLIError.destination(failure.description)
        }
        Terminal.out("lmtp listening on \(listener.boundAddress?.description ?? address.description)\n")
        return listener
    }
}

/// The LMTP answer for a mail delivery's result.
enum LMTPStatus {
    static func status(for result: MailDelivery.Outcome) -> LMTPSession.DeliveryStatus {
        switch result {
        case .delivered(let text): .delivered(text)
        case .tryLater(let text): .tryLater(text)
        case .rejected(let text): .rejected(text)
        case .refusedSender(let reason):
            // The sender is told less than the operator: the fix is the operator's, on stderr (the journal).
            refusing(reason)
        }
    }

    private static func refusing(_ reason: String) -> LMTPSession.DeliveryStatus {
        Terminal.error("docket: warning: refused mail: \(reason)")
        return .refusedSender(MailDelivery.senderRefusal)
    }
}
