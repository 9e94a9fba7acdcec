import ArgumentParser
import BusinessTime
import DocketApp
import Domain

extension Weekday: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: String(argument.lowercased().prefix(3))) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Recurrence.Every: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// `--day`: a day of the month (1 to 28) or `last`.
enum MonthDay: ExpressibleByArgument, Equatable {
    case number(Int)
    case last

    init?(argument: String) {
        if argument.lowercased() == "last" { self = .last } else if let day = Int(argument) { self = .number(day) } else { return nil }
    }
}

/// `docket schedule …`: recurring tickets (maintenance, monthly checks) that `docket tick` opens.
struct ScheduleGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Schedule recurring tickets (a monthly patch review, a weekly backup check) that `docket tick` opens.",
        discussion: """
            A schedule opens one ticket for its client at each occurrence, in the client's time zone (frozen when the \
            schedule is added). `docket tick` (cron, every minute) opens it; run late, it opens the latest occurrence \
            only, and never the same occurrence twice. Dispatchers and admins manage schedules.
            """,
        subcommands: [ScheduleAdd.self, ScheduleList.self, ScheduleRemove.self])
}

struct ScheduleAdd: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a recurring ticket for a client.",
        discussion: """
            docket schedule add acme-patching --client acme --subject "Patch review" \\
              --every month --day 1 --at 08:00 --assign bob
            docket schedule add acme-backups --client acme --subject "Check backups" \\
              --every week --weekday mon --at 09:00 --priority P4
            docket schedule add acme-qbr --client acme --subject "Quarterly review" \\
              --every month --interval 3 --day last --at 10:00 --starts 2027-03-01
            docket schedule add acme-checks --client acme --subject "Morning checks" \\
              --every workday --at 08:30
            # --every: day, workday (Monday to Friday), week (with --weekday) or
            # month (with --day 1 to 28, which every month has, or --day last).
            # --interval N: every N weeks (counted from the week of --starts) or
            # N months (from the month of --starts; 3 is quarterly).
            # The first occurrence is the first after the schedule is added, on or
            # after --starts (a date in the client's zone; default: today).
            # Each ticket goes through the routing rules (`docket rules show`):
            # --priority, --category and --assign win over a rule's; the rule
            # fills what is left out (the priority, else P3).
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The schedule's id: 2 to 64 lower-case letters, digits and dashes.") var id: String
    @Option(help: "The client the tickets are for.") var client: String
    @Option(help: "The tickets' subject.") var subject: String
    @Option(help: "The tickets' description.") var description: String?
    @Option(help: "The tickets' priority (default: a routing rule's, else P3).") var priority: Priority?
    @Option(help: "The tickets' category (default: a routing rule's).") var category: String?
    @Option(help: "Assign each ticket to this user (default: a routing rule's).") var assign: String?
    @Option(help: "day, workday (mon–fri), week or month.") var every: Recurrence.Every
    @Option(help: "With --every week: mon … sun.") var weekday: Weekday?
    @Option(help: "With --every month: the day, 1 to 28, or last.") var day: MonthDay?
    @Option(help: "With --every week or month: every N weeks (1–52) or months (1–12).") var interval: Int?
    @Option(help: "The time of day in the client's zone, e.g. 08:00.") var at: String
    @Option(help: "The first date (in the client's zone) an occurrence may fall on; default today.") var starts: String?

    func run(in session: Session) throws {
        let time: TimeOfDay
        do { time = try TimeOfDay(parsing: at) } catch { throw CLIError.usage("--at \"\(at)\" is not a time of day; write it like 08:00") }
        let zone = WallTimeZone((try? session.app.directory.client(client))?.timeZone ?? "UTC") ?? .utc
        let startsOn: LocalDate
        if let starts {
            do { startsOn = try LocalDate(parsing: starts) } catch { throw CLIError.usage("--starts \"\(starts)\" is not a date; write it like 2026-12-01") }
        } else {
            let reading = zone.reading(at: try session.app.now()).millisecondsSinceEpoch
            startsOn = LocalDate(daysSinceEpoch: reading / 86_400_000)
        }
        let schedule = ScheduleDefined(
            id: id, client: client, subject: subject, description: description, priority: priority, category: category, assignee: assign,
            recurrence: Recurrence(
                every: every, weekday: weekday, day: day.flatMap { if case .number(let n) = $0 { n } else { nil } },
                lastDay: day == .last ? true : nil, interval: interval, at: time, startsOn: startsOn, timeZone: zone.identifier))
        try session.app.tickets.defineSchedule(schedule, as: actor.name, commandId: write.commandId)
        let recurrence = schedule.recurrence
        let next = recurrence.instant(on: recurrence.next(after: try session.app.now()))
        Terminal.out("scheduled \(id): \(recurrence.text) · next \(PeopleTime.viewer(actor.name, in: session).text(next))\n")
    }
}

struct ScheduleList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the recurring ticket schedules: when each runs next, and its last ticket.",
        discussion: "NEXT is in your time zone (`docket user time-zone`), else this machine's; --json keeps RFC 3339 UTC.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    func run(in session: Session) throws {
        let schedules = try session.app.tickets.schedules()
        if output.json {
            try printJSON(schedules)
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        Terminal.out(Terminal.table(
            ["ID", "CLIENT", "SUBJECT", "EVERY", "NEXT", "LAST TICKET"],
            schedules.map { [$0.id, $0.client, $0.subject, $0.every, time.text($0.next.timestamp), $0.lastTicket?.description ?? "—"] }))
    }
}

struct ScheduleRemove: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a schedule: it opens no more tickets (those it opened stay).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The schedule's id.") var id: String

    func run(in session: Session) throws {
        try session.app.tickets.removeSchedule(id, as: actor.name, commandId: write.commandId)
        Terminal.out("removed schedule \(id)\n")
    }
}
