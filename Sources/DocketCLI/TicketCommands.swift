import ArgumentParser
import DocketApp
import DocketTime
import Domain
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `docket ticket …`: the technician's daily commands.
struct TicketGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket",
        abstract: "Open, work and close tickets.",
        discussion: """
            docket ticket open --client acme --subject "Printer offline" --priority P2
            docket ticket take T-1001
            docket ticket assign T-1001 --to bob
            docket ticket comment T-1001 "On it"
            docket ticket comment T-1001 "Done" --expect-version 7
            docket ticket status T-1001 waiting-on-client
            docket ticket close T-1001 --resolution "Replaced toner" --time 30m
            docket ticket show T-1001
            docket ticket list --status new --json
            """,
        subcommands: [
            TicketOpen.self, TicketTake.self, TicketAssign.self, TicketUnassign.self, TicketPriorityCommand.self, TicketCategory.self, TicketDue.self,
            TicketComment.self, TicketReply.self, TicketStatusCommand.self, TicketWatch.self, TicketUnwatch.self,
            TicketCc.self, TicketMerge.self, TicketLink.self, TicketUnlink.self, TicketClose.self, TicketReopen.self, TicketShow.self, TicketList.self,
        ])
}

/// The options every ticket write shares: store, actor and command id.
struct TicketWriteOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
}

/// `--expect-version`: the commands that change an existing ticket run only if it is still at the version the caller saw.
struct ExpectVersionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Change the ticket only if it is still at this version (`docket ticket show` prints it); else exit 3, nothing written.",
            valueName: "n"))
    var expectVersion: UInt64?
}

/// Runs one ticket command and prints what happened.
private func change(
    _ number: TicketNumber, _ command: TicketCommand, _ options: TicketWriteOptions, _ expect: ExpectVersionOptions, done: String
) throws {
    try reportingFailures(store: options.store.path) {
        let session = try StoreAccess.open(options.store.path)
        let events = try session.app.tickets.ticket(
            number, command, as: options.actor.name, commandId: options.write.commandId, expectedVersion: expect.expectVersion)
        Terminal.out(events.isEmpty ? "\(number): nothing to change\n" : "\(number): \(done)\n")
    }
}

struct TicketOpen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open a ticket; prints its number.")
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "The client's code.") var client: String
    @Option(help: "The subject line.") var subject: String
    @Option(help: "The contact's id (see `docket client show`).") var contact: String?
    @Option(help: "A category, e.g. backup or network.") var category: String?
    @Option(help: "P1 (most urgent) to P4.") var priority: Priority = .p3
    @Option(help: "Where it came from: \(TicketSource.allValueStrings.joined(separator: ", ")).") var source: TicketSource = .phone
    @Option(help: "The description.") var description: String = ""
    @Option(help: "Assign it right away to this user.") var assign: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let intake = TicketIntake(
                client: client, contact: contact, category: category, priority: priority, source: source,
                subject: subject, description: description, assignee: assign)
            let number = try session.app.tickets.openTicket(intake, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(number)\n")
            try StaffNotes.tell(client: client, in: session)  // the client it was opened for: no fold of the new stream
        }
    }
}

struct TicketAssign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assign", abstract: "Assign (or reassign) a ticket.")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Option(help: "The user to assign it to.") var to: String
    func run() throws { try change(number, .assign(to: to, user: nil), options, expect, done: "assigned to \(to)") }
}

struct TicketTake: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "take", abstract: "Assign a ticket to yourself, unless another tech already has it.",
        discussion: """
            Takes the ticket if it has no assignee (or already is yours). If another tech has it, nothing is written \
            and the command exits 3 naming them: ask them, or reassign it on purpose with `docket ticket assign T --to you`. \
            Of several techs taking one ticket at once, exactly one gets it.
            """)
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let login = options.actor.name
            let events = try session.app.tickets.take(number, as: login, commandId: options.write.commandId, expectedVersion: expect.expectVersion)
            Terminal.out(events.isEmpty ? "\(number): already yours\n" : "\(number): assigned to \(login)\n")
            try StaffNotes.tell(ticket: number, in: session)
        }
    }
}

struct TicketUnassign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unassign", abstract: "Remove a ticket's assignee.")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    func run() throws { try change(number, .unassign, options, expect, done: "unassigned") }
}

struct TicketPriorityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "priority", abstract: "Set a ticket's priority (P1–P4).")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Argument(help: "P1 to P4.") var priority: Priority
    func run() throws { try change(number, .setPriority(priority), options, expect, done: "priority \(priority)") }
}

struct TicketDue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due", abstract: "Set the date a ticket is due, or clear it (dispatchers and admins); `docket queue` shows it.",
        discussion: """
            docket ticket due T-1042 "2026-11-06 17:00"         # your zone, or the client's
            docket ticket due T-1042 2026-11-06                 # that day's 23:59:59
            docket ticket due T-1042 2026-11-06T17:00:00-05:00  # exactly that
            """)
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Argument(
        help: """
            When it is due: RFC 3339 with an offset or Z, or a date or local time without a zone (2026-11-06, \
            "2026-11-06 17:00") read in your own time zone (`docket user time-zone`), else the ticket's client's; a date \
            alone is the end of that day there (23:59:59).
            """)
    var at: String?
    @Flag(help: "Clear the due date.") var clear = false

    func validate() throws {
        guard (at == nil) == clear else { throw ValidationError("give a due date, e.g. 2026-11-06T17:00:00Z, or --clear") }
    }

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let read = try at.map { try dueInstant($0, about: number, in: session) }
            let due = read?.instant
            let events = try session.app.tickets.ticket(
                number, .setDueDate(due), as: options.actor.name, commandId: options.write.commandId,
                expectedVersion: expect.expectVersion)
            read?.announce()
            // In the viewer's zone, as `queue` and `ticket show` give it (the note on stderr says how a zoneless date was read).
            let done = due.map { "due \(PeopleTime.viewer(options.actor.name, in: session).text($0))" } ?? "due date cleared"
            Terminal.out(events.isEmpty ? "\(number): nothing to change\n" : "\(number): \(done)\n")
        }
    }

    /// `text` as an instant: exact with an offset or `Z`; else read where the acting user keeps time (their own zone,
    /// else the ticket's client's), with a note when that is not UTC, printed once the command succeeded. A date alone
    /// is the end of that day there, its last second (a promise "by Thursday" is kept all Thursday; its midnight made
    /// the ticket overdue as the day began), always with a note. A date outside ``BillingDates`` (a typo) is refused
    /// as typed (exit 65), not as a midnight of the year 26 in some zone.
    private func dueInstant(_ text: String, about ticket: TicketNumber, in session: Session) throws -> ReadInstant {
        let check = { (instant: Timestamp) in try BillingDates.check(instant, flag: "due date", text: text, kind: "due dates") }
        if let exact = Timestamp.typed(text) { return ReadInstant(instant: try check(exact), note: nil) }
        if let reading = Timestamp.wallClockReading(text) { _ = try check(reading) }
        let time = try typedTime(about: ticket, by: options.actor.name, in: session)
        guard let reading = Timestamp.wallClockReading(text) else {
            throw CLIError.badInput(
                "due date \"\(text)\" is not a time; write it like 2026-11-06 17:00 (in \(time.whose) time zone, "
                    + "\(time.zone.identifier)) or 2026-11-06T17:00:00Z")
        }
        let zoneNamed = "(\(time.whose) time zone, \(time.zone.identifier))"
        if Timestamp(iso8601: text + "T00:00:00Z") != nil {
            // The second before the next day's midnight there: right on days of 23 or 25 hours too.
            let nextDay = time.zone.instant(reading: Timestamp(millisecondsSinceEpoch: reading.millisecondsSinceEpoch + 86_400_000))
            let end = Timestamp(millisecondsSinceEpoch: nextDay.millisecondsSinceEpoch - 1000)
            return ReadInstant(
                instant: end, note: "due date \"\(text)\" read as the end of that day, \(time.text(end)) \(zoneNamed) = \(end.iso8601)")
        }
        let instant = time.zone.instant(reading: reading)
        let note = "due date \"\(text)\" read as \(time.text(instant)) \(zoneNamed) = \(instant.iso8601)"
        return ReadInstant(instant: instant, note: instant != reading ? note : nil)
    }
}

struct TicketCategory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "category", abstract: "Set a ticket's category.")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Argument(help: "The category.") var category: String
    func run() throws { try change(number, .setCategory(category), options, expect, done: "category \(category)") }
}

struct TicketComment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment", abstract: "Add a comment: public (the client sees it) unless --internal.")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Argument(help: "The comment text.") var text: String
    @Flag(help: "Only staff see it.") var `internal` = false
    @Flag(help: "Also post it on every open ticket linked under this one (`ticket link`): one outage update, each client told on its own ticket.")
    var toChildren = false

    func validate() throws {
        if toChildren && `internal` { throw ValidationError("--to-children posts public comments; an internal note stays on its ticket") }
    }

    func run() throws {
        guard toChildren else {
            return try change(number, .comment(text, visibility: `internal` ? .internal : .public), options, expect, done: `internal` ? "internal note added" : "public comment added")
        }
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let children = try session.app.tickets.commentWithChildren(
                number, text, as: options.actor.name, commandId: options.write.commandId, expectedVersion: expect.expectVersion)
            let also = children.isEmpty ? " (no open ticket is linked under it)" : "; also on \(children.map(\.description).joined(separator: ", ")) (linked under it)"
            Terminal.out("\(number): public comment added\(also)\n")
        }
    }
}

struct TicketReply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply", abstract: "Reply publicly with a template, its placeholders filled in.",
        discussion: "Placeholders: {{contact.name}} {{ticket.number}} {{ticket.subject}} {{tech.name}} {{client.name}}")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Option(help: "The template's name (see `docket template list`).") var template: String
    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let text = try session.app.tickets.reply(
                number, template: template, as: options.actor.name, commandId: options.write.commandId, expectedVersion: expect.expectVersion)
            Terminal.out("\(number): replied:\n\(text)\n")
        }
    }
}

struct TicketStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Set the status: new, in-progress or waiting-on-client (close with `ticket close`).")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Argument(help: "new, in-progress or waiting-on-client.") var status: SettableStatus
    func run() throws { try change(number, .setStatus(status.status), options, expect, done: "status \(status.status.displayName)") }
}

/// `ticket status`'s value. `closed` is read too, for the ticket decider to point at `ticket close` (a close needs a
/// resolution and the closer's time), but not offered: `--help` listed it among the values.
struct SettableStatus: ExpressibleByArgument {
    let status: TicketStatus

    init?(argument: String) {
        guard let status = TicketStatus(rawValue: argument) else { return nil }
        self.status = status
    }

    static var allValueStrings: [String] { TicketStatus.allCases.filter { $0 != .closed }.map(\.rawValue) }
}

struct TicketWatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Add a watcher (default: you).")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Option(help: "The user who watches.") var user: String?
    func run() throws {
        let login = user ?? options.actor.name
        try change(number, .addWatcher(login), options, expect, done: "\(login) is watching")
    }
}

struct TicketUnwatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unwatch", abstract: "Remove a watcher (default: you).")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Option(help: "The user who stops watching.") var user: String?
    func run() throws {
        let login = user ?? options.actor.name
        try change(number, .removeWatcher(login), options, expect, done: "\(login) no longer watches")
    }
}

/// `docket ticket cc add|remove T-1042 ADDRESS`: who is on the ticket's mail thread.
struct TicketCc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cc", abstract: "Put an address on a ticket's mail thread, or take it off.",
        discussion: """
            The mail thread (`docket ticket show`: "mail thread: …") is who is Cc'd on the ticket's public replies and \
            resolution, and whose answers to its mail land on the ticket: the client's mail's senders, To and Cc, our \
            mail's recipients, whom a technician's proven email reply Cc'd, and those added here. \
            An address taken off gets no more Cc and its mail no longer threads onto the ticket (it gets a ticket \
            of its own, as any unknown sender does), whatever mail names it again, until it is added back; the \
            client's contacts and domains still answer on their tickets. See docs/intake.md.
              docket ticket cc remove T-1042 wrong@isp.example
              docket ticket cc add T-1042 noc@isp.example
            """,
        subcommands: [TicketCcAdd.self, TicketCcRemove.self])
}

struct TicketCcAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Put an address on the ticket's mail thread: Cc'd on its public mail, its answers land on the ticket.")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Argument(help: "The email address, e.g. noc@isp.example.") var address: String
    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.intake.addMailParticipant(
                address, to: number, as: options.actor.name, commandId: options.write.commandId, expectedVersion: expect.expectVersion)
            let lower = address.trimmingCharacters(in: .whitespaces).lowercased()
            Terminal.out(events.isEmpty ? "\(number): nothing to change (\(lower) is on its mail thread)\n" : "\(number): \(lower) is on the mail thread\n")
        }
    }
}

struct TicketCcRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Take an address off the ticket's mail thread: no more Cc, its mail no longer lands on the ticket.")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Argument(help: "The email address, as `docket ticket show` lists it.") var address: String
    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let standing = try session.app.intake.removeMailParticipant(
                address, from: number, as: options.actor.name, commandId: options.write.commandId, expectedVersion: expect.expectVersion)
            let lower = address.trimmingCharacters(in: .whitespaces).lowercased()
            Terminal.out("\(number): \(lower) is off the mail thread\n")
            if let standing {
                Terminal.error("docket: note: \(lower) is \(standing): it gets no Cc, but still answers on the client's tickets")
            }
        }
    }
}

struct TicketMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge a duplicate into another ticket; its history stays readable.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The duplicate, e.g. T-1043.") var number: TicketNumber
    @Option(help: "The ticket to keep, e.g. T-1042.") var into: TicketNumber
    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            try session.app.tickets.mergeTicket(number, into: into, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(number): merged into \(into)\n")
        }
    }
}

/// `docket ticket link T-1043 --parent T-1042`: one cause, many tickets.
struct TicketLink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Link a ticket under a parent: closing the parent closes it too.",
        discussion: """
            One cause, many tickets: the internet line is down and three clients called. \
            Work the outage on one ticket and link the others under it:
              docket ticket link T-1043 --parent T-1042
              docket ticket link T-1044 --parent T-1042
              docket ticket close T-1042 --resolution "ISP restored the line" --time 1h
            The close closes T-1043 and T-1044 too, in one transaction, each with \
            the parent's resolution (no time: the time is on the parent) and its own \
            resolution mail to its own client. Tickets of different clients may be \
            linked. One level only: a parent is not linked under another. Tell them all \
            how it goes with `docket ticket comment T-1042 "…" --to-children`. Take one out \
            before the close with `docket ticket unlink T-1043`. `ticket show` lists \
            a parent's tickets and names a linked ticket's parent.
            """)
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The ticket to link, e.g. T-1043.") var number: TicketNumber
    @Option(help: "The ticket of the cause, e.g. T-1042.") var parent: TicketNumber
    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.tickets.linkTicket(number, under: parent, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(number): \(events.isEmpty ? "already linked" : "linked") under \(parent)\n")
        }
    }
}

/// `docket ticket unlink T-1043`: out from under its parent.
struct TicketUnlink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlink", abstract: "Take a ticket out from under its parent: the parent's close no longer closes it.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The linked ticket, e.g. T-1043.") var number: TicketNumber
    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.tickets.unlinkTicket(number, as: options.actor.name, commandId: options.write.commandId)
            let parent = events.lazy.compactMap { if case .unlinked(let e) = $0 { e.parent } else { nil } }.first
            Terminal.out(parent.map { "\(number): taken out from under \($0)\n" } ?? "\(number): not linked under a parent\n")
        }
    }
}

struct TicketClose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close", abstract: "Close a ticket with a resolution note; account for your time on it.",
        discussion: """
            Whoever closes a ticket accounts for their time on it. If you logged none \
            (`docket time log`), log it with the close, or say why there is none:
              docket ticket close T-1042 --resolution "Replaced the toner" --time 30m
              docket ticket close T-1042 --resolution "New switch" --time 1h15m \\
                --work-type onsite --non-billable
              docket ticket close T-1043 --resolution "Duplicate of T-1042" \\
                --no-time --reason "duplicate"
            Already logged time on it? --resolution is enough. \
            --time writes the entry and the close in one transaction; the entry's work \
            ends at the close and starts that long before it (--time 45m at 17:00 is \
            16:15–17:00). With neither \
            flag and none of your time on the ticket, a terminal asks for the time \
            (0 closes without time and asks why); a script gets exit 65 and nothing \
            is written. Other techs' time does not count for you. A close while your \
            timer runs on the ticket is refused (exit 6): stop the timer (`docket time \
            stop`) or cancel it first. \
            `docket report closed-without-time` lists closes without the closer's time.
            """)
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Option(help: "What was done (required).") var resolution: String?
    @Option(help: "Log this much of your time with the close: 30m, 1h15m, 1.5h or 90 (minutes); the work is recorded as ending at the close (starting that long before it).") var time: String?
    @Option(help: "With --time: the kind of work, e.g. remote, onsite, travel (default remote).") var workType: String?
    @Flag(help: "With --time: the time is not billed.") var nonBillable = false
    @Flag(help: "Close without logging your time; needs --reason.") var noTime = false
    @Option(help: "With --no-time: why no time was spent.") var reason: String?
    @Option(help: ArgumentHelp(
        "Its monitoring alert still fires (a known fault waiting on a part): note its repeats on the closed ticket for this long, up to 30 days (24h, 7d), instead of reopening it.",
        valueName: "duration")) var silenceAlert: String?

    func validate() throws {
        if time != nil && noTime { throw ValidationError("give --time or --no-time, not both") }
        if noTime && reason == nil { throw ValidationError("--no-time needs --reason \"why no time was spent\"") }
        if reason != nil && !noTime { throw ValidationError("--reason goes with --no-time") }
        if time == nil && (workType != nil || nonBillable) { throw ValidationError("--work-type and --non-billable go with --time") }
    }

    func run() throws {
        try reportingFailures(store: options.store.path) {
            guard let resolution else {
                throw CLIError.usage("closing \(number) needs a resolution note; add --resolution \"what was done\"")
            }
            let minutes = try time.map { try TimeDuration.parse($0) }
            let silence = try silenceAlert.map { try AlertSilence.milliseconds($0) }
            if minutes == 0 {
                throw CLIError.badInput("--time \(time ?? "0") logs no time; to close without time, say why: --no-time --reason \"why no time\"")
            }
            let session = try StoreAccess.open(options.store.path)
            let closeTime: CloseTime
            if let minutes {
                closeTime = .log(minutes: minutes, workType: workType ?? "remote", billable: !nonBillable)
            } else if noTime {
                closeTime = .none(reason: reason ?? "")
            } else if TicketClose.isInteractive, try session.app.tickets.ticketSummary(number).isOpen,
                try !session.app.billing.hasLoggedTime(on: number, by: options.actor.name)
            {
                // A running timer refuses the close: say so before asking for the time it would log.
                try session.app.billing.refuseCloseWhileTiming(number, by: options.actor.name)
                closeTime = try askForTime()
            } else {
                closeTime = .alreadyLogged
            }
            let result = try session.app.tickets.closeTicket(
                number, resolution: resolution, time: closeTime, as: options.actor.name, commandId: options.write.commandId,
                expectedVersion: expect.expectVersion, silencingAlertFor: silence)
            if let entry = result.entryId, case .log(let minutes, _, _, _) = closeTime {
                Terminal.out("\(number): closed; \(minutes) min logged as \(entry)\n")
                try noteIfHeldBackAfterTheContractEnded(entry, in: session)
            } else {
                Terminal.out("\(number): closed\n")
            }
            if !result.closedChildren.isEmpty { Terminal.out(Self.childrenLine(number, result.closedChildren) + "\n") }
            if let until = result.alertSilencedUntil {
                Terminal.out("\(number): its alert is silenced until \(PeopleTime.viewer(options.actor.name, in: session).text(until))\n")
            }
        }
    }

    /// `T-1042: also closed T-1043, T-1044 (linked under it)`.
    static func childrenLine(_ number: TicketNumber, _ children: [TicketNumber]) -> String {
        "\(number): also closed \(children.map(\.description).joined(separator: ", ")) (linked under it)"
    }

    /// Whether a person can answer: stdin and stderr are both terminals.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && Terminal.stderrIsTerminal }

    /// Asks on the terminal how long the closer worked on the ticket; 0 asks for the reason there is no time.
    private func askForTime() throws -> CloseTime {
        let giveUp = CLIError.usage("no answer; close with --time 30m or --no-time --reason \"why no time\"")
        while true {
            ask("Time spent on \(number) (e.g. 30m, 1h15m; 0 to close without time): ")
            guard let answer = readLine() else { throw giveUp }
            guard !answer.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let minutes: Int
            do {
                minutes = try TimeDuration.parse(answer)
            } catch {
                Terminal.error(error.message)
                continue
            }
            guard minutes == 0 else { return .log(minutes: minutes, workType: workType ?? "remote", billable: !nonBillable) }
            while true {
                ask("Why was no time spent on \(number)? ")
                guard let reason = readLine() else { throw giveUp }
                if !reason.trimmingCharacters(in: .whitespaces).isEmpty { return .none(reason: reason) }
            }
        }
    }

    private func ask(_ prompt: String) {
        FileHandle.standardError.write(Data(prompt.utf8))
    }
}

struct TicketReopen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Reopen a closed ticket (it goes to In progress).")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var expect: ExpectVersionOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber
    @Option(help: "Why it is reopened.") var reason: String?
    func run() throws { try change(number, .reopen(reason: reason), options, expect, done: "reopened") }
}
