import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket outbox …`: the email Docket writes to clients, and its delivery.
struct OutboxGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List, show and send the email Docket queued to clients (acknowledgements, replies, resolutions).",
        discussion: """
            A ticket with a contact email (or opened by email) gets a message when it is opened, gets a public \
            comment, and is closed. Messages are queued in the log (ticket.mail-queued) and delivered by \
            `docket outbox send --sendmail /usr/sbin/sendmail`, e.g. from cron. The From address is \
            $DOCKET_SUPPORT_ADDRESS at the time a message is queued (default support@localhost.localdomain). \
            See docs/outbound-mail.md.
            """,
        subcommands: [OutboxList.self, OutboxShow.self, OutboxSend.self, OutboxRetry.self])
}

/// `docket outbox list [--json]`.
struct OutboxList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List queued, sent, failed, undeliverable, bounced and cancelled messages, oldest first.",
        discussion: "QUEUED is in your time zone (`docket user time-zone`), else this machine's, with the zone named; --json keeps RFC 3339 UTC.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Only messages still to send (queued or failed).") var pending = false

    /// The `--json` shape: the entry without the message text.
    struct Row: Encodable {
        let messageId: String
        let ticket: String?
        let reason: String
        /// Every recipient: To, then those on Cc.
        let to: [String]
        /// Those of `to` on Cc (the ticket's mail thread, merged tickets' requesters); absent when none.
        let cc: [String]?
        let subject: String
        let queuedAt: String
        let status: String
        let attempts: Int
        let lastError: String?
        let sentAt: String?
        let bouncedAt: String?
        let bounceMessageId: String?
        let cancelledAt: String?
        let cancelReason: String?
    }

    func run(in session: Session) throws {
        let rows = try session.app.outbox.messages()
            .filter { !pending || $0.isPending }
            .map { entry in
                Row(
                    messageId: entry.messageId, ticket: entry.ticket?.description, reason: entry.reason.rawValue, to: entry.to,
                    cc: entry.cc, subject: entry.subject, queuedAt: isoTime(entry.queuedAt), status: entry.status.rawValue, attempts: entry.attempts,
                    lastError: entry.lastError, sentAt: entry.sentAt.map(isoTime), bouncedAt: entry.bouncedAt.map(isoTime),
                    bounceMessageId: entry.bounceMessageId, cancelledAt: entry.cancelledAt.map(isoTime), cancelReason: entry.cancelReason)
            }
        if output.json {
            try printJSON(rows)
            return
        }
        // QUEUED in the viewer's zone, as every table gives times to people (`--json` keeps RFC 3339 UTC).
        let time = PeopleTime.viewer(actor.name, in: session)
        Terminal.out(Terminal.table(
            ["MESSAGE-ID", "TICKET", "REASON", "TO", "STATUS", "ATTEMPTS", "QUEUED"],
            rows.map { row in
                let status =
                    switch row.status {
                    case "failed", "undeliverable": "\(row.status): \(row.lastError ?? "")"
                    case "cancelled": "cancelled: \(HistoryText.instantsWritten(in: row.cancelReason ?? "", time: time.text))"
                    default: row.status
                    }
                return [row.messageId, row.ticket ?? "-", row.reason, OutboxRecipients.text(to: row.to, cc: row.cc), status, String(row.attempts), time.text(iso8601: row.queuedAt)]
            }))
    }
}

/// `docket outbox show ID [--json]`: the whole RFC 5322 message.
struct OutboxShow: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print one queued message exactly as it is sent (RFC 5322, CRLF line ends).",
        discussion: """
            --json: one object with the message's headers (in order, unfolded) and body, its status, reason and ticket. \
            A portal sign-in mail's body (a live sign-in link) is shown to admins only; others see its headers.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The Message-ID, with or without angle brackets.") var messageId: String

    /// The `--json` shape.
    struct Message: Encodable {
        struct Header: Encodable {
            let name: String
            let value: String
        }
        let messageId: String
        let ticket: String?
        let reason: String
        let status: String
        /// Why `outbox send` cancelled it, when it did.
        let cancelReason: String?
        let headers: [Header]
        /// The body, CRLF line ends as sent.
        let body: String
    }

    func run(in session: Session) throws {
        guard var entry = try session.app.outbox.message(messageId) else {
            throw CLIError.notFound("no queued message \(messageId); list them with `docket outbox list`")
        }
        // A sign-in link lets whoever reads it act as the client's contact in the portal.
        if entry.reason == .signIn, !SignInSecrets.mayRead(try? session.app.context(for: actor.name).actor.role) {
            entry.message = SignInSecrets.hidingBody(of: entry.message)
        }
        if output.json {
            let (headers, body) = Self.split(entry.message)
            try printJSON(
                Message(
                    messageId: entry.messageId, ticket: entry.ticket?.description, reason: entry.reason.rawValue,
                    status: entry.status.rawValue, cancelReason: entry.cancelReason, headers: headers, body: body))
            return
        }
        // The message exactly as it is sent; why it never will be, on stderr.
        if let reason = entry.cancelReason {
            // Older cancellations named an instant in RFC 3339 UTC: written in the viewer's zone, as the rest.
            let time = PeopleTime.viewer(actor.name, in: session)
            Terminal.error("docket: \(entry.messageId) was cancelled, never sent: \(HistoryText.instantsWritten(in: reason, time: time.text))")
        }
        Terminal.out(entry.message)
    }

    /// The header fields (each unfolded: a line starting with a space or tab continues the one before) and the body
    /// after the first empty line.
    static func split(_ message: String) -> (headers: [Message.Header], body: String) {
        let end = message.range(of: "\r\n\r\n")
        let head = end.map { message[..<$0.lowerBound] } ?? message[...]
        var fields: [String] = []
        for line in head.components(separatedBy: "\r\n") {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1] += line
            } else {
                fields.append(line)
            }
        }
        let headers = fields.compactMap { field -> Message.Header? in
            guard let colon = field.firstIndex(of: ":") else { return nil }
            return Message.Header(name: String(field[..<colon]), value: field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (headers, end.map { String(message[$0.upperBound...]) } ?? "")
    }
}

/// `docket outbox send --sendmail PATH`.
struct OutboxSend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Hand every queued or failed message to sendmail; record each result.",
        discussion: """
            Runs `PATH -t -i -f SUPPORT-ADDRESS` once per message (bounces come back to intake), the message on stdin (LF line ends); exit status 0 is success. \
            Each attempt is recorded (mail.sent or mail.send-failed) before the next message is tried: a sent \
            message is never sent again, a failed one stays queued for the next run, and one that failed 12 times \
            is undeliverable (`docket outbox retry` queues it again). Pages to notification channels are POSTed \
            through curl and retried after 30 s, 1, 2, 5, 10 and 10 minutes: undeliverable after 7 attempts. A client message whose ticket's contact was \
            removed from the client since it was queued is not sent: it is cancelled (mail.cancelled, with the \
            reason); so is a portal sign-in link that expired before it could be sent (links work for 15 minutes), \
            counted on stderr: the contact asks the portal for a new one. Run one sender at a time. Prints one line per message; exits 6 when any message failed.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: ArgumentHelp("The sendmail-compatible program (Postfix, Exim, msmtp).", valueName: "path")) var sendmail: String

    func validate() throws {
        guard !sendmail.isEmpty else { throw ValidationError("--sendmail needs a path, e.g. /usr/sbin/sendmail") }
    }

    func run() throws {
        var failed = 0
        try reportingFailures(store: store.path) {
            try HostFiles.requireAccess(to: "run --sendmail \(sendmail)", instead: "run `docket outbox send` on the server's host (from cron)")
            // A folder is "executable" too (searchable): it would be recorded as a failed delivery of every message.
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: sendmail, isDirectory: &isFolder), !isFolder.boolValue,
                FileManager.default.isExecutableFile(atPath: sendmail)
            else {
                throw CLIError.usage("--sendmail \(sendmail) is not an executable file; give the mail system's sendmail program, e.g. /usr/sbin/sendmail")
            }
            let session = try StoreAccess.open(store.path)
            let deliveries = try session.app.outbox.sendOutbox(
                via: SendmailTransport(path: sendmail), pages: Self.pageSender(store: store.path), as: actor.name)
            for line in Self.lines(deliveries) {
                if line.failed { failed += 1 }
                Terminal.out(line.text + "\n")
            }
            if deliveries.isEmpty { Terminal.out("nothing to send\n") }
            let expired = deliveries.filter(\.linkExpired).count
            if expired > 0 {
                Terminal.error(
                    "docket: note: \(expired == 1 ? "1 portal sign-in link" : "\(expired) portal sign-in links") expired before "
                        + "\(expired == 1 ? "it" : "they") could be sent and \(expired == 1 ? "was" : "were") cancelled, not sent; "
                        + "\(expired == 1 ? "the contact" : "each contact") can ask the portal for a new link")
            }
        }
        if failed > 0 { throw ExitCode(CLIError.refused("").exitCode) }
    }
}

extension OutboxSend {
    /// Pages to notification channels go through curl (docs/operations.md, "Paging on call"), their secrets opened with
    /// the store's key file; a missing curl is a failed attempt, recorded and tried again, as a missing sendmail is.
    static func pageSender(store path: String) -> PageSender {
        PageSender(
            transport: CurlWebhookTransport(curl: CurlWebhookTransport.onPath() ?? "/usr/bin/curl"),
            key: { try HookKeyAccess.key(store: path) })
    }

    /// One line per delivery (`ID: sent (T-1001, attempt 1)`), and whether it failed, as `docket outbox send` and
    /// `docket serve --send-every` print them.
    static func lines(_ deliveries: [OutboxDelivery]) -> [(text: String, failed: Bool)] {
        deliveries.map { delivery in
            let ticket = delivery.ticket.map(\.description) ?? "sign-in"
            switch delivery.outcome {
            case .accepted:
                return ("\(delivery.messageId): sent (\(ticket), attempt \(delivery.attempt))", false)
            case .failed(let status, let error):
                return ("\(delivery.messageId): failed (\(ticket), attempt \(delivery.attempt)\(status.map { ", exit \($0)" } ?? "")): \(error)", true)
            case .cancelled(let reason):
                return ("\(delivery.messageId): cancelled (\(ticket)): \(reason)", false)
            case .refused(let error):
                return ("\(delivery.messageId): undeliverable (\(ticket), attempt \(delivery.attempt)): \(error)", true)
            }
        }
    }
}

/// `docket outbox retry MESSAGE-ID`: an undeliverable message gets a fresh set of attempts.
struct OutboxRetry: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue an undeliverable message again for the next `outbox send` (admins).",
        discussion: """
            A message the mail system refused 12 times is undeliverable and never tried again; once the cause is \
            fixed (the mail system, the address), this queues it again (mail.requeued) with a fresh set of 12 \
            attempts (7 for a page to a notification channel). A message that was sent, bounced or cancelled, or is still queued or failed, is refused (exit 6).
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The Message-ID, with or without angle brackets.") var messageId: String

    func run(in session: Session) throws {
        let entry = try inViewersZone(actor.name, in: session) {
            try session.app.outbox.retry(messageId, as: actor.name, commandId: write.commandId)
        }
        Terminal.out("\(entry.messageId): queued again (\(entry.ticket.map(\.description) ?? "sign-in")); the next `docket outbox send` tries it\n")
    }
}
