import ArgumentParser
import BusinessTime
import DocketApp
import Domain
import Foundation

/// `docket user …`: accounts and roles (admins only).
struct UserGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add users, change their roles, deactivate and reactivate them (admins); set cost rates (billing).",
        discussion: """
            docket user add bob --name "Bob Smith" --email bob@msp.example --role tech
            docket user role bob dispatcher      docket user deactivate bob
            docket user list --json
            docket user cost-rate bob 4500 --currency USD --effective 2026-01-01  # billing
            docket user cost-rates bob       # billing, admins: every rate, the one in force
            docket user time-zone bob America/New_York   # yourself, or anyone (admin)
            docket user link-os bob --uid 1001   # admins: uid 1001 is bob on the socket
            docket user add intake --name Intake --email intake@msp.example \\
              --role dispatcher --kind service
            docket user kind scheduler service   # a program's account: no SLA mail
            Every active user reads users (list, show). Cost rates are read by billing and admins only \
            (`docket user cost-rates`), priced into `docket report profitability`; `docket log` leaves their amount \
            out for techs and dispatchers.
            """,
        subcommands: [
            UserAdd.self, UserList.self, UserShow.self, UserRole.self, UserDeactivate.self, UserReactivate.self, UserCostRate.self,
            UserCostRates.self,            UserTimeZone.self, UserLinkOS.self, UserUnlinkOS.self, UserKindCommand.self,
        ])
}

/// Runs one user command for `login` and prints what happened.
private func change(
    _ login: String, _ command: UserCommand, store: StoreOptions, actor: ActorOptions, write: WriteOptions, done: String
) throws {
    try reportingFailures(store: store.path) {
        let session = try StoreAccess.open(store.path)
        let events = try session.app.directory.user(login, command, as: actor.name, commandId: write.commandId)
        Terminal.out(events.isEmpty ? "user \(login): nothing to change\n" : "\(done)\n")
    }
}

struct UserAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user who can then act with --as.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The login: 2 to 32 lower-case letters, digits, '.', '_' or '-'.") var login: String
    @Option(help: "The display name.") var name: String
    @Option(help: "The e-mail address.") var email: String
    @Option(help: "What the user may do.") var role: Role
    @Option(help: "person, or service: a program's account (intake, the scheduler) that gets no staff mail.") var kind: UserKind = .person

    func run() throws {
        let add = AddUser(login: login, name: name, email: email, role: role, kind: kind)
        let done = "added user \(login) (\(role)\(kind == .service ? ", service account" : ""))"
        try change(login, .add(add), store: store, actor: actor, write: write, done: done)
    }
}

extension UserKind: ExpressibleByArgument {}

struct UserKindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kind",
        abstract: "Mark a user a service account (a program: no staff mail) or a person again (admins).",
        discussion: """
            Service accounts (intake, cron's scheduler, a hook's --acts-as) act with their role as before, but SLA \
            warnings, breaches and escalations are mailed to people only.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String
    @Argument(help: "person or service.") var kind: UserKind

    func run() throws {
        let done = kind == .service ? "user \(login) is a service account: no staff mail" : "user \(login) is a person"
        try change(login, .setKind(kind), store: store, actor: actor, write: write, done: done)
    }
}

struct UserRole: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "role", abstract: "Give a user another role.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String
    @Argument(help: "The new role.") var role: Role

    func run() throws {
        try change(login, .changeRole(role), store: store, actor: actor, write: write, done: "user \(login) is now \(role)")
    }
}

struct UserTimeZone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time-zone",
        abstract: "Set the zone a user reads and types times in: yourself, or anyone as an admin.",
        discussion: """
            `docket sla`, `queue` and `ticket show` print times in it; times typed without a zone \
            (`time log --at "2026-11-04 18:20"`) are read in it. Without one: this machine's zone for views, \
            the ticket's client's for typed times.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String
    @Argument(help: "An IANA time zone, e.g. America/New_York.") var zone: String?
    @Flag(help: "Clear it: use this machine's zone again.") var clear = false

    func validate() throws {
        guard (zone == nil) == clear else { throw ValidationError("give a time zone or --clear, not both or neither") }
    }

    func run() throws {
        let done = zone.map { "user \(login) reads times in \($0)" } ?? "user \(login) uses the machine's time zone"
        try change(login, .setTimeZone(zone), store: store, actor: actor, write: write, done: done)
    }
}

struct UserLinkOS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link-os",
        abstract: "Link an OS account (uid) to a user: on the server's Unix socket that uid acts as them (admins).",
        discussion: """
            Without a link, `docket serve` maps a socket caller by OS login name; a user with a link is reached \
            only through their linked uid. A uid is linked to one user at a time.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String
    @Option(help: "The OS user id (see `id -u NAME`).") var uid: UInt32

    func run() throws {
        try reportingFailures(store: store.path) {
            let session = try StoreAccess.open(store.path)
            let events = try session.app.directory.linkOSAccount(login, uid: uid, as: actor.name, commandId: write.commandId)
            Terminal.out(events.isEmpty ? "user \(login): nothing to change\n" : "uid \(uid) acts as user \(login) on the server's socket\n")
        }
    }
}

struct UserUnlinkOS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlink-os", abstract: "Unlink a user's OS account: the socket maps them by OS login name again (admins).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String

    func run() throws {
        try reportingFailures(store: store.path) {
            let session = try StoreAccess.open(store.path)
            let linked = try session.app.directory.user(login).osUid
            let events = try session.app.directory.linkOSAccount(login, uid: nil, as: actor.name, commandId: write.commandId)
            if events.isEmpty {
                Terminal.out("user \(login) has no linked OS account; nothing to change\n")
            } else {
                // Nil after a change: a retried command id, whose first attempt unlinked it.
                Terminal.out(linked.map { "unlinked uid \($0) from user \(login)\n" } ?? "unlinked user \(login)'s OS account\n")
            }
        }
    }
}

struct UserDeactivate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate", abstract: "Stop a user from acting or being assigned; their history stays.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String

    func run() throws {
        try change(login, .deactivate, store: store, actor: actor, write: write, done: "deactivated user \(login)")
    }
}

struct UserReactivate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reactivate", abstract: "Let a deactivated user act again.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String

    func run() throws {
        try change(login, .reactivate, store: store, actor: actor, write: write, done: "reactivated user \(login)")
    }
}

struct UserCostRate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-rate",
        abstract: "Set what an hour of a user's time costs, from a date on (billing or admin); reports price time with it.",
        discussion: """
            docket user cost-rate bob 4500 --currency USD --effective 2026-01-01
            The amount is in minor units per hour (4500 = 45.00). Rates are versioned: the one in force at an entry's \
            start prices it; a later --effective adds a version, an earlier one corrects the past from that date on.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The user's login.") var login: String
    @Argument(help: "Minor units per hour, e.g. 4500 for 45.00.", transform: Self.minorUnits) var costPerHour: Int64
    @Option(help: "ISO 4217 currency code.") var currency: String
    @Option(help: "When the rate takes effect (RFC 3339, or YYYY-MM-DD: midnight in the user's own time zone, else UTC).", transform: TimeArgument.parse)
    var effective: TimeArgument

    /// A whole number of minor units; an amount written with its decimals (`45.00`) is refused naming the minor units
    /// it means (`4500`), as the parser would only call it invalid.
    static func minorUnits(_ text: String) throws -> Int64 {
        if let minor = Int64(text) { return minor }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, let whole = Int64(parts[0]), parts[1].count == 2, let cents = Int64(parts[1]), whole >= 0,
            !whole.multipliedReportingOverflow(by: 100).overflow
        {
            throw ValidationError("the cost is in minor units per hour, with no decimal point: \(whole * 100 + cents) for \(text)")
        }
        throw ValidationError("give the cost in minor units per hour, a whole number: 4500 for 45.00")
    }

    func run() throws {
        try reportingFailures(store: store.path) {
            let session = try StoreAccess.open(store.path)
            // A date is the user's midnight where they set a zone (`docket user time-zone`): their hours start then.
            let zone = (try? session.app.directory.user(login))?.timeZone
            let read = try effectiveMidnight(of: effective, inZone: zone, of: "user \(login)", flag: "--effective")
            let from = read.instant
            let rate = SetCostRate(costPerHourMinor: costPerHour, currency: currency, effectiveFrom: from)
            let events = try session.app.directory.user(login, .setCostRate(rate), as: actor.name, commandId: write.commandId)
            read.announce()
            // In the zone the date was read in (the user's own, else UTC), named, as the note on stderr gives it.
            let time = calendarTime(zone)
            Terminal.out(
                events.isEmpty
                    ? "user \(login): nothing to change\n"
                    : "user \(login) costs \(costPerHour) \(currency) minor units per hour from \(time.text(from))\n")
        }
    }
}

// MARK: - Reading

/// `docket user cost-rates [LOGIN]`: what each user's hour costs, every version, for billing and admins.
struct UserCostRates: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-rates",
        abstract: "List each user's cost rates and the one in force now (billing or admin).",
        discussion: """
            docket user cost-rates            # every user's
            docket user cost-rates bob --json
            docket user cost-rates --as-of 2026-10-31   # as they stood then
            Each rate from its date in the user's own time zone (UTC if none): \
            `in force` prices work starting now, `earlier` and `later` ones \
            price work before or after it, and a rate set again for the same \
            date replaces the one before (`replaced by N`). Techs and \
            dispatchers are refused (exit 5), nothing read.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Only this user's rates.") var login: String?

    func run(in session: Session) throws {
        let rates = try session.app.directory.costRates(of: login, readBy: actor.name)
        if output.json {
            try printJSON(rates)
            return
        }
        guard !rates.isEmpty else {
            Terminal.out(login.map { "user \($0) has no cost rate; set one with `docket user cost-rate \($0) …`\n" } ?? "no user has a cost rate\n")
            return
        }
        let now = session.app.clock.now()
        Terminal.out(Terminal.table(
            ["LOGIN", "FROM", "COST PER HOUR", "VERSION", "STATUS"],
            rates.map { rate in
                let zone = rate.timeZone.flatMap(WallTimeZone.init) ?? .utc
                let status =
                    rate.inForce
                    ? "in force" : rate.replacedBy.map { "replaced by \($0)" } ?? (rate.effectiveFrom.timestamp > now ? "later" : "earlier")
                return [
                    rate.login, ZoneText(zone: zone).text(rate.effectiveFrom.timestamp),
                    "\(Money.format(rate.costPerHourMinor, currency: rate.currency)) \(rate.currency)", String(rate.version), status,
                ]
            }))
    }
}

/// A user as `--json` prints it.
struct UserView: Encodable {
    let login: String
    let name: String
    let email: String
    let role: Role
    let active: Bool
    let timeZone: String?
    /// The linked OS uid (`user link-os`), if any.
    let osUid: UInt32?
    /// `person` or `service` (`user kind`).
    let kind: UserKind

    init?(_ state: UserState) {
        guard let login = state.login else { return nil }
        self.login = login
        name = state.name
        email = state.email
        role = state.role
        active = state.isActive
        timeZone = state.timeZone
        osUid = state.osUid
        kind = state.kind
    }
}

struct UserList: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every user, active or not, by login.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    func run(in session: Session) throws {
        let users = try session.app.directory.users().compactMap(UserView.init)
        if output.json {
            try printJSON(users)
            return
        }
        Terminal.out(Terminal.table(
            ["LOGIN", "NAME", "EMAIL", "ROLE", "KIND", "ACTIVE", "OS UID"],
            users.map {
                [$0.login, $0.name, $0.email, $0.role.rawValue, $0.kind.rawValue, $0.active ? "yes" : "no", $0.osUid.map { String($0) } ?? "-"]
            }))
    }
}

struct UserShow: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one user.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The user's login.") var login: String

    func run(in session: Session) throws {
        guard let user = UserView(try session.app.directory.user(login)) else {
            throw CLIError.notFound("unknown user \(login); list users with `docket user list`")
        }
        if output.json {
            try printJSON(user)
            return
        }
        Terminal.out("""
            \(user.login)  \(user.name) <\(user.email)>
            role \(user.role)\(user.kind == .service ? " (service account)" : "") · \(user.active ? "active" : "deactivated") · time zone \(user.timeZone ?? "the machine's") · OS uid \(user.osUid.map { String($0) } ?? "none (OS login name)")

            """)
    }
}
