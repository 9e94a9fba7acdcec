import ArgumentParser
import DocketApp
import DocketTime
import Domain

/// `docket followup …`: the follow-up policy for tickets waiting on the client.
struct FollowUpGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followup",
        abstract: "Remind clients of tickets waiting on them, and close those they never answer (run by `docket tick`).",
        discussion: """
            A ticket set to waiting-on-client waits for the client's answer (their reply by mail or \
            in the portal moves it back to in-progress). With a follow-up policy, `docket tick` reminds \
            the client once when the ticket has waited --remind-after (the mail-follow-up template), \
            and closes it when it has waited --close-after (no time logged; the resolution mail \
            says why). A wait counts from the latest of the status change, the last public comment \
            and the policy's setting: a new policy never acts on the days before it. Dispatchers \
            and admins set it; each setting is an event, so a replay shows the policy in force then. \
            A client may have a policy of its own (--client): `followup off --client acme` never \
            follows up acme's tickets, `followup clear --client acme` gives it the store's again. \
            See docs/cli.md, "Following up on tickets waiting on the client".
            """,
        subcommands: [FollowUpSet.self, FollowUpOff.self, FollowUpClear.self, FollowUpShow.self])
}

struct FollowUpSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set how long a ticket may wait on the client before a reminder, and before a close.",
        discussion: """
            docket followup set --remind-after 3d --close-after 7d
            docket followup set --remind-after 2d      # remind only, never close
            docket followup set --client acme --remind-after 5d --close-after 14d
            Durations are days (7d), hours (48h) or minutes, from 1 hour to 90 days; the reminder \
            comes before the close. The policy replaces the one in force (the client's own, with \
            --client).
            """)
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "Set this client's own policy instead of the store's.") var client: String?
    @Option(help: ArgumentHelp("Remind the client once after the ticket has waited this long (3d, 48h).", valueName: "duration"))
    var remindAfter: String?
    @Option(help: ArgumentHelp("Close the ticket after it has waited this long (7d).", valueName: "duration"))
    var closeAfter: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            guard remindAfter != nil || closeAfter != nil else {
                throw CLIError.usage("give --remind-after, --close-after or both; to stop following up: `docket followup off`")
            }
            let remind = try remindAfter.map { Int(try DayDuration.minutes($0, flag: "--remind-after")) }
            let close = try closeAfter.map { Int(try DayDuration.minutes($0, flag: "--close-after")) }
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.directory.setFollowUpPolicy(
                .set(remindAfterMinutes: remind, closeAfterMinutes: close, client: client), as: options.actor.name,
                commandId: options.write.commandId)
            let whose = client.map { "client \($0)'s follow-up policy" } ?? "follow-up policy"
            Terminal.out(events.isEmpty ? "\(whose): nothing to change\n" : "\(whose): \(Self.describe(remind: remind, close: close))\n")
        }
    }

    /// `remind the client after 3 days, close after 7 days of waiting`.
    static func describe(remind: Int?, close: Int?) -> String {
        let parts = [remind.map { "remind the client after \(FollowUpDue.duration($0))" }, close.map { "close after \(FollowUpDue.duration($0))" }]
        return parts.compactMap { $0 }.joined(separator: ", ") + " of waiting"
    }
}

struct FollowUpOff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "off", abstract: "Stop reminding clients and closing tickets that wait on them (one client's, with --client).")
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "Never follow up this client's tickets, whatever the store's policy.") var client: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.directory.setFollowUpPolicy(.off(client: client), as: options.actor.name, commandId: options.write.commandId)
            let whose = client.map { "follow-ups for client \($0)" } ?? "follow-ups"
            Terminal.out(events.isEmpty ? "\(whose): nothing to change (they are off)\n" : "\(whose) off\n")
        }
    }
}

struct FollowUpClear: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear", abstract: "Drop a client's own follow-up policy: its tickets follow the store's again.")
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "The client whose own policy goes.") var client: String

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.directory.setFollowUpPolicy(.clear(client: client), as: options.actor.name, commandId: options.write.commandId)
            Terminal.out(events.isEmpty
                ? "client \(client) has no follow-up policy of its own: nothing to change\n"
                : "client \(client) follows the store's follow-up policy again\n")
        }
    }
}

struct FollowUpShow: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the follow-up policy in force.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    /// A policy as `--json` gives it.
    struct Policy: Encodable {
        let on: Bool
        let remindAfterMinutes: Int?
        let closeAfterMinutes: Int?
        let since: String?

        init(_ policy: FollowUpPolicy) {
            on = policy.isOn
            remindAfterMinutes = policy.remindAfterMinutes
            closeAfterMinutes = policy.closeAfterMinutes
            since = policy.since?.iso8601
        }
    }

    /// `--json`: the store's policy, and each client's own by code.
    struct View: Encodable {
        let store: Policy
        let clients: [String: Policy]
    }

    func run(in session: Session) throws {
        let policy = try session.app.directory.followUpPolicy()
        let clients = try session.app.directory.clientFollowUpPolicies()
        if output.json {
            try printJSON(View(
                store: Policy(policy), clients: Dictionary(uniqueKeysWithValues: clients.map { ($0.client, Policy($0.policy)) })))
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        func text(_ policy: FollowUpPolicy) -> String {
            guard policy.isOn else { return "off" }
            return FollowUpSet.describe(remind: policy.remindAfterMinutes, close: policy.closeAfterMinutes)
        }
        if policy.isOn, let since = policy.since {
            Terminal.out("\(text(policy)), since \(time.text(since))\n")
        } else {
            Terminal.out("follow-ups are off; set them with `docket followup set --remind-after 3d --close-after 7d`\n")
        }
        guard !clients.isEmpty else { return }
        Terminal.out("\n" + Terminal.table(
            ["CLIENT", "OWN POLICY", "SINCE"], clients.map { [$0.client, text($0.policy), $0.policy.since.map(time.text) ?? "—"] }))
    }
}
