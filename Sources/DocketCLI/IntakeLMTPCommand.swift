import ArgumentParser
import DocketApp
import Foundation
import LMTP

/// `docket intake lmtp`: one LMTP session (RFC 2033) on stdin and stdout, for an inetd-style listener (a systemd
/// socket with `Accept=yes`, xinetd, `socat … EXEC:`). `docket serve --lmtp` listens itself.
struct IntakeLMTP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmtp",
        abstract: "Speak LMTP on stdin/stdout: each message is taken as `intake email` takes it, answered per recipient.",
        discussion: """
            Each recipient gets its own reply after DATA: 250 when the message was taken (opened, reply, duplicate, …),
            451 (try again later: the MTA keeps the mail) when the store cannot take it now, 550 when it never can
            (unreadable or an unknown sender without --triage-client). Run one per connection, e.g. a systemd socket
            unit with Accept=yes and StandardInput=socket, or: socat UNIX-LISTEN:/run/docket/lmtp,fork EXEC:'docket intake lmtp'.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "The client for mail from senders no client knows, and for unreadable messages (kept whole).") var triageClient: String?
    @Option(help: "The largest message taken, in bytes.") var maxSize: Int = 25 * 1024 * 1024
    @Option(help: "The name the server gives itself.") var hostname: String = "docket"

    func validate() throws {
        guard maxSize > 0 else { throw ValidationError("--max-size must be positive") }
    }

    func run() throws {
        try reportingFailures(store: store.path) {
            let session = try StoreAccess.open(store.path)
            let delivery = MailDelivery(
                service: session.app.intake, policy: MailPolicy(triageClient: triageClient, attachmentsFolder: store.path + "/attachments"),
                actor: actor.name)
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

/// The LMTP answer for a mail delivery's result.
enum LMTPStatus {
    static func status(for result: MailDelivery.Outcome) -> LMTPSession.DeliveryStatus {
        switch result {
        case .delivered(let text): .delivered(text)
        case .tryLater(let text): .tryLater(text)
        case .rejected(let text): .rejected(text)
        }
    }
}
