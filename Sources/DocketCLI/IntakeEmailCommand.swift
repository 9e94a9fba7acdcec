import ArgumentParser
import DocketApp
import Domain
import Foundation
import MailParser

/// `docket intake email < message.eml` (or `--maildir DIR`).
struct IntakeEmail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "email",
        abstract: "Read one email from stdin (or every message of a Maildir) and open or update tickets.",
        discussion: """
            The sender picks the client: an exact contact address (that client and contact), else the \
            address's domain among a client's domains, else --triage-client; otherwise the message is refused. \
            Threading: In-Reply-To, then References, against the Message-IDs Docket received or sent (for a \
            bounce, also the original's Message-ID inside it); else a [T-1042] subject token, trusted only when \
            the sender belongs to that ticket's client. A reply by Message-ID is trusted from the ticket's \
            client (contact or domain) or an address on its thread; anyone else gets a new ticket naming it.
              no thread                         → a new ticket (source email, P3)
              reply, ticket open                → recorded on it
                                                  (Waiting on client → In progress)
              reply, closed < --reopen-days ago → the ticket is reopened
              reply, closed longer ago          → a new ticket that follows the old one
              bounce / auto-reply               → noted on its ticket, else dropped (never
                                                  opens or reopens); a bounce marks our
                                                  message it names bounced
              from an active user, on a thread  → their public reply, as them (meets the SLA
                                                  response, no status change, no mail) when
                                                  the mail server proved it
                                                  ($DOCKET_MAIL_AUTHSERV_ID,
                                                  docs/security.md); else noted
              a Message-ID seen before          → nothing (duplicate)
              from our support address, or a
              Message-ID of Docket's (…@docket) → nothing (dropped: a loop, never answered;
                                                  a line on stderr)
            A message that cannot be read at all (no header fields) is never lost: with --triage-client it is \
            kept whole as unparsed-message.eml (message/rfc822) on a new "Unreadable email received <date>" \
            ticket for that client; without it, it is refused (exit 65) and nothing is written. Empty input is an error. \
            Attachments are stored content-addressed under <store>/attachments. Prints one line per message.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "The client for mail from senders no client knows, and for unreadable messages (kept whole).") var triageClient: String?
    @Option(help: "Days after closing within which a reply reopens the ticket.") var reopenDays: Int = 7
    @Option(help: "Take every message in DIR/new and DIR/cur instead of stdin.") var maildir: String?

    /// The longest reopen window taken: a century, far inside what milliseconds in an `Int64` can count.
    static let maxReopenDays = 36_500

    func validate() throws {
        guard (0...Self.maxReopenDays).contains(reopenDays) else {
            throw ValidationError("--reopen-days must be 0 to \(Self.maxReopenDays) (100 years); \(reopenDays) is out of range")
        }
    }

    func run() throws {
        var worst: Int32 = 0
        try reportingFailures(store: store.path) {
            if let maildir {
                try HostFiles.requireAccess(to: "read --maildir \(maildir)", instead: "pipe each message on stdin (`docket intake email < MESSAGE`)")
            }
            let session = try StoreAccess.open(store.path)
            var policy = MailPolicy(triageClient: triageClient, attachmentsFolder: store.path + "/attachments")
            policy.reopenWindowMilliseconds = Int64(reopenDays) * 86_400_000
            guard let maildir else {
                let raw = Array(Terminal.standardInput())
                Terminal.out(try take(raw, session: session, policy: policy) + "\n")
                return
            }
            for path in try messages(in: maildir) {
                do {
                    let raw = try messageBytes(at: path)
                    Terminal.out(try take(raw, session: session, policy: policy) + "\n")
                } catch {
                    let failure = CLIError.from(error, store: store.path)
                    Terminal.error("docket: error: \(path): \(failure.description)")
                    worst = max(worst, failure.exitCode)
                }
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    private func take(_ raw: [UInt8], session: Session, policy: MailPolicy) throws -> String {
        let message: ParsedMessage
        do throws(MailParseError) {
            message = try ParsedMessage(parsing: raw)
        } catch {
            guard error.code != .emptyInput else { throw CLIError.badInput(error.message) }
            guard triageClient != nil else {
                throw CLIError.badInput(
                    "\(error.message); pass --triage-client CODE to keep unreadable messages whole on a ticket for that client")
            }
            let outcome = try session.app.intake.receiveUnparsedMail(raw, error: error, policy: policy, as: actor.name)
            let id = "sha256-" + SHA256.hexDigest(raw) + "@docket.invalid"
            guard case .opened(let number) = outcome else { return "\(id): " + describe(outcome) }
            return "\(id): unreadable (\(error.message)), kept whole as unparsed-message.eml on \(number)"
        }
        let id = IntakeService.mailIdentity(message, raw: raw)
        let outcome = try session.app.intake.receiveMail(message, raw: raw, policy: policy, as: actor.name)
        return "\(id): " + describe(outcome)
    }

    /// The bytes of the Maildir message at `path`; something else there (a folder, a file Docket may not read) is
    /// bad input naming the fix (the run reports it with the path and goes on).
    private func messageBytes(at path: String) throws -> [UInt8] {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw CLIError.badInput("a folder, not a message file; a Maildir's new/ and cur/ hold only messages: move it out")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.badInput("cannot be read; let Docket's user read it, or move it out of the Maildir")
        }
        return Array(data)
    }

    private func messages(in maildir: String) throws -> [String] {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: maildir, isDirectory: &isFolder), isFolder.boolValue else {
            throw CLIError.badInput("no Maildir at \(maildir) (expected a folder with new/ and cur/)")
        }
        var paths: [String] = []
        for sub in ["new", "cur"] {
            let folder = maildir + "/" + sub
            guard let names = try? files.contentsOfDirectory(atPath: folder) else { continue }
            paths += names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
        }
        return paths
    }

    private func describe(_ outcome: MailOutcome) -> String {
        switch outcome {
        case .opened(let number): "opened \(number)"
        case .reply(let number): "reply on \(number)"
        case .reopened(let number): "reopened \(number)"
        case .staffReply(let number, let login): "reply by \(login) on \(number)"
        case .noted(let number, let kind): "\(kind) noted on \(number)"
        case .duplicate(let number): "duplicate, already on \(number)"
        case .dropped(let kind): "dropped (\(kind))"
        }
    }
}
