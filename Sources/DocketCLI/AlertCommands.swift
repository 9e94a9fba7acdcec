import ArgumentParser
import DocketApp
import Domain

/// `docket alert …`: the monitoring conditions intake knows (docs/intake.md, Alerts).
struct AlertGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "List the monitoring alerts that are firing and the tickets they are on.",
        discussion: """
            Alerts come in through `docket intake alert` or the server's /hooks/… (docs/intake.md). Each condition \
            (a client's alert fingerprint) keeps one ticket: repeats are occurrences on it, a resolution may close it. \
            A condition still firing on a closed ticket was closed while it fired (or its close silenced it: \
            `docket ticket close --silence-alert 24h`).
            """,
        subcommands: [AlertList.self])
}

/// `docket alert list [--client C] [--resolved] [--json]`.
struct AlertList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the alerts firing now, the most recently delivered first.",
        discussion: """
            docket alert list                # every alert still firing, with its ticket
            docket alert list --client acme  # one client's
            docket alert list --resolved     # resolved ones too, after the firing ones
            LAST SEEN is in your time zone (`docket user time-zone`), else this machine's; --json keeps RFC 3339 UTC. \
            A firing alert on a CLOSED ticket was closed while it still fired: its next repeat reopens the ticket (or \
            opens a new one after the flap window) unless the close silenced it (`silenced until …`; `silencedUntil` \
            in --json).
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only this client's alerts (a client code).") var client: String?
    @Flag(help: "Resolved alerts too, after the firing ones.") var resolved = false

    func run(in session: Session) throws {
        let conditions = try session.app.intake.alertConditions(client: client, resolvedToo: resolved)
        if output.json {
            try printJSON(conditions)
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        Terminal.out(Terminal.table(
            ["STATUS", "CLIENT", "TICKET", "ALERT", "SEEN", "LAST SEEN"],
            conditions.map { condition in
                [
                    condition.status, condition.client,
                    "\(condition.ticket) (\(condition.ticketStatus.displayName)"
                        + (condition.silencedUntil.map { ", silenced until \(time.text($0.timestamp))" } ?? "") + ")",
                    condition.subject,
                    condition.occurrences == 1 ? "once" : "\(condition.occurrences) times", time.text(condition.lastSeen.timestamp),
                ]
            }))
    }
}
