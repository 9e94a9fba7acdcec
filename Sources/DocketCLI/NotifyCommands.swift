import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket notify …`: outbound notification channels told about SLA breaches and escalations (docs/operations.md,
/// "Paging on call").
struct NotifyGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Add, list, rotate and remove outbound notification channels that page on call (admins).",
        discussion: """
            # the URL on stdin; prints the channel's signing secret once:
            docket notify add pagerduty --url - \\
                --on sla-breached,escalated < pagerduty.url
            docket notify add chat --url-file /etc/docket/chat.url   # 0600
            docket notify list
            docket notify rotate pagerduty
            docket notify remove pagerduty
            Events: sla-warned, sla-breached, escalated, rated-bad (a client rated a resolution bad: for a \
            dispatchers' channel) (default: sla-breached,escalated). Deliveries are signed \
            (Docket-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")); secrets and URLs are sealed (AES-GCM) \
            under <store>/hook-secrets.key, as webhook sources' secrets are: the log and `notify list` keep a \
            URL's scheme and host only. Give the URL on stdin (`--url -`) or in a file (--url-file): `--url URL` \
            still works, but `ps` shows it to every account on the machine and the shell keeps it in its history.
            """,
        subcommands: [NotifyAdd.self, NotifyList.self, NotifyRotate.self, NotifyRemove.self])
}

/// `--on sla-breached,escalated`: the events a channel is told about.
struct TriggerList {
    let triggers: [NotifyTrigger]

    /// `argument` read as a comma-separated list of events; the error names the first entry that is none, and the events.
    init(parsing argument: String) throws {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var triggers: [NotifyTrigger] = []
        for part in parts {
            guard let trigger = NotifyTrigger(rawValue: part) else {
                let events = NotifyTrigger.allCases.map(\.rawValue)
                throw ValidationError(
                    "\(part.isEmpty ? "an empty entry" : "\"\(part)\"") is not an event; use \(events.dropLast().joined(separator: ", ")) or "
                        + "\(events.last ?? ""), comma-separated")
            }
            triggers.append(trigger)
        }
        self.triggers = triggers
    }
}

struct NotifyAdd: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a channel and print its signing secret, the only time it is shown.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The channel's name (1 to 64 lower-case letters, digits and dashes).") var name: String
    @Option(
        help: ArgumentHelp(
            "Where deliveries are POSTed: an http:// or https:// URL with a host (sealed: the log and the list keep its scheme and "
                + "host). Prefer `--url -`, the URL on one line of stdin, or --url-file: a URL typed here is seen by `ps` and kept in "
                + "the shell's history, and a chat's incoming-webhook URL is a secret.",
            valueName: "url|-"))
    var url: String?
    @Option(
        help: ArgumentHelp(
            "Read the URL from this file's one line instead (keep it 0600; through a server, a file on the server's host).",
            valueName: "path"))
    var urlFile: String?
    @Option(
        help: ArgumentHelp(
            "The events it is told about, comma-separated: sla-warned, sla-breached, escalated, rated-bad (default: sla-breached,escalated).",
            valueName: "events"), completion: .list(NotifyTrigger.allCases.map(\.rawValue)), transform: { try TriggerList(parsing: $0) })
    var on: TriggerList?
    @OptionGroup var newKey: NewHookKeyOptions

    func validate() throws {
        switch (url, urlFile) {
        case (nil, nil):
            throw ValidationError("give the channel's URL: `--url -` and the URL on stdin, --url-file PATH, or --url URL")
        case (_?, _?): throw ValidationError("give --url or --url-file, not both")
        default: break
        }
    }

    func run(in session: Session) throws {
        // Off the command line (`ps`, the shell's history): stdin or a file, one line.
        let url: String
        if let urlFile {
            url = try SecretInput.line(urlFile, flag: "--url-file", what: "the channel's URL")
        } else if self.url == "-" {
            url = try SecretInput.line("-", flag: "--url", what: "the channel's URL")
        } else {
            url = self.url ?? ""
        }
        // A retry under the same command id must be for the same URL, which the command line no longer shows.
        let sealing = NewHookKey(store: store.path, session: session, newKey)
        let secret = try countingInput(url) {
            try session.app.outbox.addChannel(
                name, url: url, on: on?.triggers ?? [], as: actor.name, commandId: write.commandId, key: sealing.key)
        }
        try sealing.warnAfterwards()
        guard let secret else {
            Terminal.out(
                "notification channel \(name) was already added by command id \(write.commandId ?? ""); its secret was shown only then: "
                    + "if it was lost, give the channel a new one with `docket notify rotate \(name)`\n")
            return
        }
        Terminal.out(secret + "\n")
        if Terminal.stderrIsTerminal {
            Terminal.error("docket: added notification channel \(name); its signing secret is shown only now: give it to the receiver")
        }
    }
}

struct NotifyRotate: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Give a channel a new signing secret and print it, the only time it is shown.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The channel's name.") var name: String
    @OptionGroup var newKey: NewHookKeyOptions

    func run(in session: Session) throws {
        let sealing = NewHookKey(store: store.path, session: session, newKey)
        let secret = try session.app.outbox.rotateChannel(name, as: actor.name, commandId: write.commandId, key: sealing.key)
        try sealing.warnAfterwards()
        guard let secret else {
            Terminal.out(
                "notification channel \(name)'s secret was already rotated by command id \(write.commandId ?? ""); the new secret was "
                    + "shown only then: if it was lost, rotate it again\n")
            return
        }
        Terminal.out(secret + "\n")
    }
}

struct NotifyRemove: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a channel: nothing more is delivered to it.",
        discussion: """
            docket notify remove on-call
            Refused (exit 6, nothing written) while an SLA policy's escalation pages \
            the channel, in its terms in force or taking effect later: change the \
            rule first with `docket sla-policy amend ID --file … --effective …`.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The channel's name.") var name: String

    func run(in session: Session) throws {
        _ = try session.app.outbox.removeChannel(name, as: actor.name, commandId: write.commandId)
        Terminal.out("removed notification channel \(name)\n")
    }
}

struct NotifyList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List notification channels with their secrets' fingerprints (never the secrets).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    /// One row of `--json`.
    struct Row: Encodable {
        let name, url, fingerprint, addedAt, secretSince: String
        let on: [String]
    }

    func run(in session: Session) throws {
        let channels = try session.app.outbox.channels(as: actor.name)
        // Listed from the log, which needs no key: say so when deliveries could not open what it keeps sealed (a restore).
        let sealed = try session.app.sealedSecretOwners().filter { $0.kind == .notificationChannel }
        if let problem = SealedSecretsCheck.problem(sealed, store: store.path) { Terminal.error("docket: warning: \(problem)") }
        if output.json {
            try printJSON(
                channels.map {
                    Row(
                        name: $0.name, url: $0.url, fingerprint: $0.fingerprint, addedAt: $0.addedAt.iso8601,
                        secretSince: $0.secretSince.iso8601, on: $0.on.map(\.rawValue))
                })
            return
        }
        // SINCE in the viewer's zone, as `hook list` and every table give times to people (`--json` keeps RFC 3339 UTC).
        let time = PeopleTime.viewer(actor.name, in: session)
        Terminal.out(
            Terminal.table(
                ["NAME", "URL", "ON", "SECRET", "SINCE"],
                channels.map { [$0.name, $0.url, $0.on.map(\.rawValue).joined(separator: ","), $0.fingerprint, time.text($0.secretSince)] }))
    }
}
