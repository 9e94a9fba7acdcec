import BusinessTime
import ArgumentParser
import DocketApp
import DocketTime
import Domain
import Foundation

/// `docket time …`: time entries and timers.
struct TimeGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time",
        abstract: "Log, correct and void time on tickets; time work with a timer.",
        discussion: """
            docket time log T-1042 45m --work-type remote
            docket time log T-1042 1h30m --at "2026-11-03 14:00" --non-billable
            docket time correct TE-7 --minutes 30m --reason "typo"
            docket time void TE-7 --reason "duplicate"
            docket time start T-1042 --work-type onsite
            docket time stop --note "Replaced the switch"
            docket time list --ticket T-1042
            docket time list --tech bob --from 2026-11-01 --json
            docket time show TE-7                 # the entry and every event behind it
            docket time log T-1042 2h --for bob --at "2026-11-03 09:00"   # for a tech
            docket time stop --minutes 7h30m      # a timer left running: log what you did
            docket time stop --elapsed            # a timer past 8h: log all of it anyway
            docket time cancel --reason "started on the wrong ticket"   # log nothing
            docket time status                    # your running timer: ticket, start, time
            docket time status --all --json       # every tech's running timer

            A timer whose ticket was merged while it ran logs its time, on stop, on the ticket it was merged into.

            Durations: 45m, 1h30m, 2h, 1.5h (= 90 minutes) or a bare number of minutes; 1 minute to 24h per entry. \
            A bad duration or time is bad input data: exit 65. A time without a zone (`2026-11-03 14:00`) is read \
            in your own time zone (`docket user time-zone`), else the ticket's client's (for `time list --from/--to`:
            with --client that client's, else this machine's), and a note on stderr says how it was read; `2026-11-03T14:00:00-05:00` or `…Z` mean \
            exactly that.
            """,
        subcommands: [TimeLog.self, TimeCorrect.self, TimeVoid.self, TimeStart.self, TimeStop.self, TimeCancel.self, TimeStatus.self, TimeList.self, TimeShow.self])
}

/// Parses `--at`, `--from`, `--to`: RFC 3339 with an offset means exactly that; `2026-11-03 14:00` or
/// `2026-11-03` (no zone) is read in `time`'s zone, with a note saying how, which the command prints once it has
/// succeeded (a refused command prints its error alone: the note came first, two lines on stderr).
func parseTime(_ text: String, flag: String, in time: PeopleTime) throws -> ReadInstant {
    guard let instant = time.parse(text, flag: flag) else {
        throw CLIError.badInput(
            "\(flag) \"\(text)\" is not a time; write it like 2026-11-03 14:00 (in \(time.whose) time zone, "
                + "\(time.zone.identifier)) or 2026-11-03T14:00:00+01:00")
    }
    return instant
}

/// The zone a zoneless time about `ticket` typed by `login` is read in: the user's own, else the ticket's client's.
func typedTime(about ticket: TicketNumber, by login: String, in session: Session) throws -> PeopleTime {
    if let own = PeopleTime.own(login, in: session) { return own }
    let code = try session.app.tickets.ticketSummary(ticket).client
    guard let zone = WallTimeZone(try session.app.directory.client(code).timeZone) else { return .machine() }
    return PeopleTime(zone: zone, whose: "client \(code)'s")
}

struct TimeLog: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Log time on a ticket; prints the entry id.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The ticket, e.g. T-1042.") var ticket: TicketNumber
    @Argument(help: "How long: 45m, 1h30m, 1.5h or 90 (minutes).") var duration: String
    @Option(help: "The kind of work, e.g. remote, onsite, travel.") var workType: String = "remote"
    @Option(
        help: """
            When the work started; without --at the work was just done: it ends now (45m logged at 17:00 is 16:15-17:00, \
            as `ticket close --time`); without a zone, in your time zone (`docket user time-zone`), else the client's.
            """)
    var at: String?
    @Flag(help: "The time is not billed.") var nonBillable = false
    @Option(help: "What was done.") var note: String?
    @Option(name: .customLong("for"), help: "Log it for this tech (dispatchers and admins).") var tech: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let minutes = try TimeDuration.parse(duration)
            let session = try StoreAccess.open(options.store.path)
            let read = try at.map { try parseTime($0, flag: "--at", in: try typedTime(about: ticket, by: options.actor.name, in: session)) }
            let startedAt = try read.map { try BillingDates.check($0.instant, flag: "--at", text: at ?? "") }
            // Work that would end after now is refused naming its times in the viewer's zone, as the note about --at.
            let entry = try inViewersZone(options.actor.name, in: session) {
                try session.app.billing.logTime(
                    TimeLogRequest(
                        ticket: ticket, minutes: minutes, workType: workType, billable: !nonBillable, startedAt: startedAt, note: note, tech: tech),
                    as: options.actor.name, commandId: options.write.commandId)
            }
            read?.announce()
            Terminal.out("\(entry)\n")
            try noteIfHeldBackAfterTheContractEnded(entry, in: session)
            try StaffNotes.tell(ticket: ticket, in: session)
        }
    }
}

struct TimeCorrect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct", abstract: "Correct a time entry: only the fields given change; a reason is required.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The entry, e.g. TE-7.") var entry: String
    @Option(help: "The right duration: 45m, 1h30m, 1.5h or 90.") var minutes: String?
    @Option(help: "The right kind of work.") var workType: String?
    @Flag(help: "The time is billed.") var billable = false
    @Flag(help: "The time is not billed.") var nonBillable = false
    @Option(help: "When the work really started; without a zone, in your time zone (`docket user time-zone`), else the client's.")
    var at: String?
    @Option(help: "A new note.") var note: String?
    @Option(help: "Why (required).") var reason: String = ""

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let worked = try minutes.map { try TimeDuration.parse($0) }
            let session = try StoreAccess.open(options.store.path)
            let read = try at.map { text in
                let ticket = TicketNumber(try session.app.billing.timeEntryDetail(entry).entry.ticket)
                let zone = try ticket.map { try typedTime(about: $0, by: options.actor.name, in: session) }
                return try parseTime(text, flag: "--at", in: zone ?? .viewer(options.actor.name, in: session))
            }
            let startedAt = try read.map { try BillingDates.check($0.instant, flag: "--at", text: at ?? "") }
            let correction = TimeCorrection(
                minutes: worked, workType: workType, billable: try eitherFlag(billable, "--billable", or: nonBillable, "--non-billable"),
                startedAt: startedAt, note: note, reason: reason)
            let events = try inViewersZone(options.actor.name, in: session) {
                try session.app.billing.correctTime(entry, correction, as: options.actor.name, commandId: options.write.commandId)
            }
            read?.announce()
            Terminal.out(events.isEmpty ? "\(entry): nothing to change (it already has these values)\n" : "\(entry): corrected\n")
        }
    }
}

struct TimeVoid: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "void", abstract: "Void a time entry; a reason is required.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The entry, e.g. TE-7.") var entry: String
    @Option(help: "Why (required).") var reason: String = ""

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            try session.app.billing.voidTime(entry, reason: reason, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(entry): voided\n")
        }
    }
}

struct TimeStart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start your timer on a ticket.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The ticket, e.g. T-1042.") var ticket: TicketNumber
    @Option(help: "The kind of work, e.g. remote, onsite, travel.") var workType: String = "remote"

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            // A second timer is refused naming the running one's start in the tech's own time.
            try inViewersZone(options.actor.name, in: session) {
                try session.app.billing.startTimer(ticket, workType: workType, as: options.actor.name, commandId: options.write.commandId)
            }
            Terminal.out("\(ticket): timer started\n")
            try StaffNotes.tell(ticket: ticket, in: session)
        }
    }
}

struct TimeStop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop your running timer and log the elapsed minutes (rounded up); prints the entry id.")
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "What was done.") var note: String?
    @Option(help: "The time actually worked, replacing the elapsed time (for a timer left running).") var minutes: String?
    @Flag(help: "Log all the elapsed time even when the timer has run longer than a working day (8h; up to 24h).") var elapsed = false

    func run() throws {
        try reportingFailures(store: options.store.path) {
            if elapsed && minutes != nil { throw CLIError.usage("give --minutes or --elapsed, not both") }
            let worked = try minutes.map { try TimeDuration.parse($0) }
            let session = try StoreAccess.open(options.store.path)
            let stopped = try inViewersZone(options.actor.name, in: session) {
                try session.app.billing.stopTimer(
                    note: note, minutes: worked, wholeElapsed: elapsed, as: options.actor.name, commandId: options.write.commandId)
            }
            let merged = stopped.ticket == stopped.timedTicket
                ? "" : " on \(stopped.ticket) (\(stopped.timedTicket) was merged into it while the timer ran)"
            Terminal.out("\(stopped.entryId): \(stopped.minutes) minutes\(merged)\n")
            try noteIfHeldBackAfterTheContractEnded(stopped.entryId, in: session)
        }
    }
}

struct TimeCancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Discard your running timer without logging any time.")
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "Why the time is not logged (kept on the event).") var reason: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let ticket = try session.app.billing.cancelTimer(reason: reason, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(ticket): timer cancelled, no time logged\n")
        }
    }
}

struct TimeStatus: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show your running timer (with --all, every tech's): ticket, subject, start and time elapsed.",
        discussion: """
            STARTED is in your time zone (`docket user time-zone`), else this machine's, with the zone named; ELAPSED is \
            rounded up to the minute, as `time stop` logs it, and `(overdue)` past a working day (8h): `time stop` then \
            asks for --minutes or --elapsed. Nothing running is no error: it says so and exits 0 (`--json`: []).
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Every tech's running timer, not only yours.") var all = false

    func run(in session: Session) throws {
        let timers = try session.app.billing.runningTimers(of: all ? nil : [actor.name])
        if output.json {
            try printJSON(timers)
            return
        }
        guard !timers.isEmpty else {
            Terminal.out(all ? "no timer is running\n" : "no timer is running; start one with `docket time start T-<n>`\n")
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        let header = ["TICKET", "SUBJECT", "WORK TYPE", "STARTED", "ELAPSED"]
        Terminal.out(
            Terminal.table(
                all ? ["TECH"] + header : header,
                timers.map { timer in
                    let row = [
                        timer.ticket, timer.subject ?? "", timer.workType, time.text(iso8601: timer.startedAt),
                        TimeDuration.format(timer.elapsedMinutes) + (timer.overdue ? " (overdue)" : ""),
                    ]
                    return all ? [timer.tech] + row : row
                }))
    }
}

struct TimeList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List time entries, where each is billed, and billable and non-billable totals for a ticket.",
        discussion: """
            START is in your time zone (`docket user time-zone`), else with --client that client's, else this \
            machine's, with the zone named; --json keeps \
            RFC 3339 UTC. BILLED ON names the lines of draft and final invoices that bill each entry (a corrected entry \
            is on the line that billed it and on the line that adjusts it); `docket audit invoice` explains a line. \
            To answer "why was acme charged for 12 October?": `docket time list --client acme --from 2026-10-12 --to 2026-10-13`.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only this ticket's entries.") var ticket: TicketNumber?
    @Option(help: "Only this tech's entries.") var tech: String?
    @Option(help: "Only entries on this client's tickets.") var client: String?
    @Option(help: "Entries that started at or after this time.") var from: String?
    @Option(help: "Entries that started before this time.") var to: String?

    func run(in session: Session) throws {
        // An unknown ticket or tech is a typo to report, not an empty list.
        if let ticket { _ = try session.app.tickets.ticketSummary(ticket) }
        if let tech { _ = try session.app.directory.user(tech) }
        let time = try listingTime(in: session)
        let window = (from: try from.map { try parseTime($0, flag: "--from", in: time) }, to: try to.map { try parseTime($0, flag: "--to", in: time) })
        let filter = TimeFilter(ticket: ticket?.description, tech: tech, from: window.from?.instant, to: window.to?.instant)
        let listed = try session.app.billing.timeList(filter, client: client)
        window.from?.announce()
        window.to?.announce()
        if output.json {
            try printJSON(listed)
            return
        }
        let rows = listed.map(\.entry)
        var text = Terminal.table(
            ["ENTRY", "TICKET", "TECH", "START", "MINUTES", "WORK TYPE", "BILLABLE", "VOIDED", "BILLED ON"],
            listed.map { row in
                let entry = row.entry
                // An entry of a duplicate merged into the ticket listed is marked as such.
                return [entry.entryId, ticket.map(\.description) == entry.ticket || ticket == nil ? entry.ticket : "\(entry.ticket) (merged)", entry.tech,
                 time.text(iso8601: entry.startedAt), String(entry.minutes), entry.workType, entry.billable ? "yes" : "no",
                 entry.voided ? "yes" : "no", row.billedOn.isEmpty ? "—" : row.billedOn.map(\.text).joined(separator: ", ")]
            })
        if let ticket {
            let totals = TimeTotals(rows)
            text += "\(ticket): billable \(totals.billable) min (\(TimeDuration.format(totals.billable))), "
                + "non-billable \(totals.nonBillable) min (\(TimeDuration.format(totals.nonBillable)))\n"
        }
        Terminal.out(text)
    }
}

extension TimeList {
    /// Your own time zone, else with `--client` that client's (its "12 October" is the day a dispute is about), else
    /// this machine's: `--from`/`--to` are read and START is shown in it.
    private func listingTime(in session: Session) throws -> PeopleTime {
        if let own = PeopleTime.own(actor.name, in: session) { return own }
        guard let client, let zone = WallTimeZone(try session.app.directory.client(client).timeZone) else { return .machine() }
        return PeopleTime(zone: zone, whose: "client \(client)'s")
    }
}

struct TimeShow: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a time entry as it stands and every event behind it (logged, corrected, voided).",
        discussion: "Times are in your time zone (`docket user time-zone`), else this machine's, with the zone named; --json keeps RFC 3339 UTC.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The entry, e.g. TE-7.") var entry: String

    func run(in session: Session) throws {
        let detail = try session.app.billing.timeEntryDetail(entry)
        if output.json {
            try printJSON(detail)
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        let local = time.text(iso8601:)
        let e = detail.entry
        var text = "\(e.entryId)  \(e.ticket)  \(e.tech)  \(local(e.startedAt))  \(e.minutes) min (\(TimeDuration.format(e.minutes)))  \(e.workType)"
        text += e.billable ? "  billable" : "  non-billable"
        if e.voided { text += "  VOIDED" }
        text += "\n"
        if let note = e.note { text += "note: \(note)\n" }
        text += Terminal.table(
            ["POS", "WHEN", "WHO", "EVENT", "REASON"],
            detail.events.map { [String($0.position), local($0.recordedAt), $0.actor, $0.type, $0.reason ?? ""] })
        Terminal.out(text)
    }
}

/// Tells the tech on stderr when invoice runs will hold the time entry `entry` just logged back because its work
/// started after the client's contract ended (`time log`, `time stop`, `ticket close --time`; docs/billing.md, step 2):
/// the contract's end and the work's start in the client's zone, where its contracts' dates and billing months are
/// read, as `invoice run` and `invoice charges` give the same reason (the commands it gives stay as they are typed).
func noteIfHeldBackAfterTheContractEnded(_ entry: String, in session: Session) throws {
    if let (client, reason) = try session.app.billing.heldBackAfterTheContractEnded(entry) {
        Terminal.error("docket: note: invoice runs will hold \(entry) back: \(heldBackText(reason, time: contractTime(client, in: session)))")
    }
}
