import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket ticket show T-1042`: the ticket and its whole history.
struct TicketShow: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a ticket and its whole history: who did what, when, at which position.",
        discussion: "Times are in your time zone (`docket user time-zone`), else this machine's; --json keeps RFC 3339 UTC.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The ticket, e.g. T-1042.") var number: TicketNumber

    func run(in session: Session) throws {
        let summary = try session.app.tickets.ticketSummary(number)
        // The whole clock is in the `sla` read model; the queue keeps only its due time.
        let clock = summary.sla == nil ? nil : try session.app.sla.clock(of: number)
        let recorded = try session.app.tickets.ticketHistory(number)
        let now = try session.app.now()
        let undelivered = try session.app.outbox.undelivered(on: number)
        let thread = try session.app.intake.mailThread(number)
        let followUp = try session.app.tickets.followUp(of: summary, history: recorded)
        let clientNote = try session.app.directory.client(summary.client).staffNote
        if output.json {
            return try printJSON(
                TicketDetailView(
                    ticket: summary, clock: clock, history: recorded, now: now, undelivered: undelivered, mailThread: thread,
                    followUp: followUp, clientStaffNote: clientNote))
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        var text = "\(summary.number)  \(summary.subject)\n"
        text += "client \(summary.client)" + (summary.contact.map { " (contact \($0))" } ?? "")
        text += " · \(summary.priority) · \(summary.status.displayName)" + (summary.mergedInto.map { " (merged into \($0))" } ?? "")
        text += " · source \(summary.source)\n"
        if let note = clientNote { text += "staff note (client \(summary.client)): \(note)\n" }
        text += "assignee \(summary.assignee ?? "—") · category \(summary.category ?? "—")"
        text += " · watchers \(summary.watchers.isEmpty ? "—" : summary.watchers.joined(separator: ", "))\n"
        // Who may answer the ticket's mail and land on it, besides any other address of the client's contacts and domains.
        if !thread.isEmpty { text += "mail thread: \(thread.joined(separator: ", "))\n" }
        let links = TicketDetailView.links(recorded.map(\.change))
        // What the link will do, while it can still do it.
        if let parent = links.parent { text += "linked under \(parent)" + (summary.isOpen ? ": closes with it\n" : "\n") }
        if !links.children.isEmpty {
            text += "linked under it: \(links.children.map(\.description).joined(separator: ", "))"
                + (summary.isOpen ? " (its close closes those still open)\n" : "\n")
        }
        if !summary.mergedFrom.isEmpty { text += "merged in: \(summary.mergedFrom.map(\.description).joined(separator: ", "))\n" }
        text += alertLines(recorded.map { ($0.event.recordedAt, $0.change) }, closed: summary.status == .closed, now: now, time: time)
        if let resolution = summary.resolution { text += "resolution: \(resolution)\n" }
        if let rated = SatisfactionView.latest(in: recorded) {
            text += "rating: \(rated.rating) by contact \(rated.contact) (close \(rated.close), \(time.text(rated.at)))"
                + (rated.comment.map { ": \(SatisfactionView.quoted($0))" } ?? "") + "\n"
        }
        if let due = summary.dueDate { text += "due \(time.text(Timestamp(millisecondsSinceEpoch: due)))\n" }
        if let followUp { text += Self.followUpLine(followUp, now: now, time: time) }
        text += "opened \(time.text(Timestamp(millisecondsSinceEpoch: summary.openedAt)))"
        text += " · version \(recorded.last?.event.streamVersion ?? 0)\n"  // for --expect-version
        for mail in undelivered { text += Self.undeliveredLine(mail) }
        if let clock { text += "\n" + SLAText.section(clock, now: now, time: time) }
        // One row per event, except that a run of the same alert received again (same fingerprint and status, nothing
        // else between) is its first row with how many more came and until when: a weekend of an alert repeated every
        // five minutes was 576 rows. `--json` keeps every event.
        var rows: [[String]] = []
        var index = recorded.startIndex
        while index < recorded.endIndex {
            let (event, change) = recorded[index]
            var row = [String(event.position), time.text(event.recordedAt), event.actor, HistoryText.describe(change, time: time.text)]
            if case .alert(.received(let alert)) = change {
                var last = index
                while last + 1 < recorded.endIndex, case .alert(.received(let next)) = recorded[last + 1].change,
                    next.fingerprint == alert.fingerprint, next.status == alert.status
                {
                    last += 1
                }
                if last > index {
                    let repeats = last - index
                    row[3] += "; received \(repeats) more time\(repeats == 1 ? "" : "s") until \(time.text(recorded[last].event.recordedAt))"
                        + " (positions \(recorded[index + 1].event.position)–\(recorded[last].event.position); each in --json)"
                    index = last
                }
            }
            rows.append(row)
            index += 1
        }
        text += "\n" + Terminal.table(["POS", "WHEN", "WHO", "WHAT"], rows)
        Terminal.out(text)
    }
}

extension TicketShow {
    /// The line saying what the follow-up policy will do to a ticket waiting on the client, and when: `follow-up:
    /// waiting since …; reminder …; closes … (the store's policy)`. A time that has come is due at the next `tick`.
    static func followUpLine(_ followUp: TicketFollowUp, now: Timestamp, time: PeopleTime) -> String {
        let plan = followUp.plan
        func when(_ instant: Timestamp) -> String { instant <= now ? "due \(time.text(instant)), at the next tick" : time.text(instant) }
        var parts = ["waiting since \(time.text(plan.waitingSince))"]
        if let sent = plan.remindedAt {
            parts.append("reminded \(time.text(sent))")
        } else if let remindAt = plan.remindAt, plan.closeAt.map({ remindAt < $0 && $0 > now }) ?? true {
            parts.append("reminder \(when(remindAt))")
        }
        if let closeAt = plan.closeAt { parts.append("closes \(when(closeAt)) unless the client replies") }
        let policy = followUp.client.map { "client \($0)'s follow-up policy" } ?? "the follow-up policy"
        return "follow-up: \(parts.joined(separator: "; ")) (\(policy))\n"
    }

    /// The line for a message of the ticket that will not arrive: mail to its recipients, or a page to its notification
    /// channel (with the SLA event it was about), undeliverable (why, and the retry) or cancelled (why). A page was listed
    /// as `mail … (page) to on-call`, among the client's mail.
    static func undeliveredLine(_ mail: OutboxEntry) -> String {
        let attempts = "\(mail.attempts) attempt\(mail.attempts == 1 ? "" : "s")"
        let why =
            mail.status == .cancelled
            ? "cancelled: \(mail.cancelReason ?? "")"
            : "UNDELIVERABLE after \(attempts): \(mail.lastError ?? "") (an admin can retry: `docket outbox retry \(mail.messageId)`)"
        guard mail.reason == .page else {
            return "mail \(mail.messageId) (\(mail.reason.rawValue)) to \(mail.to.joined(separator: ", ")) \(why)\n"
        }
        let event = (try? JSONDecoder().decode(PageBody.self, from: Data(mail.message.utf8)))?.event ?? "page"
        return "page \(mail.messageId) (\(event)) to channel \(mail.to.first ?? "?") \(why)\n"
    }
}

/// For a ticket alerts came to, one line per condition: its check (and device), its last state, how many times it fired,
/// when it was last delivered; and, on a closed ticket whose close silenced its alert (`--silence-alert`), until when.
/// Read from the ticket's own history, so it costs no other read.
private func alertLines(
    _ history: [(at: Timestamp, change: TicketChange)], closed: Bool, now: Timestamp, time: PeopleTime
) -> String {
    var conditions: [(fingerprint: String, last: TicketAlertReceived, firings: Int, at: Timestamp)] = []
    var silencedUntil: Timestamp?
    for (at, change) in history {
        switch change {
        case .alert(.received(let alert)):
            let firings = alert.status == "firing" ? 1 : 0
            if let index = conditions.firstIndex(where: { $0.fingerprint == alert.fingerprint }) {
                conditions[index] = (alert.fingerprint, alert, conditions[index].firings + firings, at)
            } else {
                conditions.append((alert.fingerprint, alert, firings, at))
            }
        case .ticket(.closed(let close)): silencedUntil = close.alertSilencedUntil
        case .ticket(.reopened): silencedUntil = nil
        default: break
        }
    }
    var text = ""
    for condition in conditions {
        let alert = condition.last
        text += "alert \(alert.check)" + (alert.device.map { " on \($0)" } ?? "") + ": \(alert.status)"
            + " (fired \(condition.firings == 1 ? "once" : "\(condition.firings) times"), last delivered \(time.text(condition.at)))\n"
    }
    if closed, let until = silencedUntil, until > now { text += "alert silenced until \(time.text(until)) by the close\n" }
    return text
}

/// `--status`: a ticket's status, or `merged` (the STATUS `ticket list` shows for a ticket merged into another).
enum StatusFilter: ExpressibleByArgument, Equatable {
    case status(TicketStatus)
    /// Merged tickets, which are closed too: `closed` includes them.
    case merged

    init?(argument: String) {
        if argument == "merged" {
            self = .merged
        } else if let status = TicketStatus(rawValue: argument) {
            self = .status(status)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { TicketStatus.allValueStrings + ["merged"] }
}

/// `queue --status`: the status of an open ticket. `closed` and `merged` are read too, for `validate()` to refuse them
/// naming the list that has those tickets (the queue holds open tickets only: they listed nothing, exit 0).
struct OpenStatusFilter: ExpressibleByArgument, Equatable {
    let filter: StatusFilter

    init?(argument: String) {
        guard let filter = StatusFilter(argument: argument) else { return nil }
        self.filter = filter
    }

    static var allValueStrings: [String] { TicketStatus.allCases.filter { $0 != .closed }.map(\.rawValue) }

    /// Refuses a status no open ticket has (exit 64).
    func requireOpen() throws {
        switch filter {
        case .status(.closed), .merged:
            let status = filter == .merged ? "merged" : "closed"
            throw ValidationError(
                "the queue holds open tickets, never \(status) ones; list those with `docket ticket list --status \(status)`")
        case .status: return
        }
    }
}

/// Filters shared by `ticket list` and `queue`.
struct TicketFilterOptions: ParsableArguments {
    @Option(help: "Only this client's tickets.") var client: String?
    @Option(help: "Only this priority.") var priority: Priority?
    @Option(help: ArgumentHelp(
        "Only tickets whose subject, resolution note or category holds every word given, ignoring case and accents.",
        valueName: "words")) var search: String?
    @Option(help: "At most this many tickets.") var limit: Int = 50

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        if let search, search.allSatisfy(\.isWhitespace) {
            throw ValidationError("--search needs at least one word, e.g. --search printer")
        }
    }

    /// Refuses an unknown `--client` or assignee (exit 4, naming it): a typo is reported, not listed as no tickets.
    func requireKnown(assignee: String?, in session: Session) throws {
        if let client { _ = try session.app.directory.client(client) }
        if let assignee { _ = try session.app.directory.user(assignee) }
    }

    /// The filter these options ask for, with `status`, `assignee`, or only unassigned tickets.
    func queueFilter(status: StatusFilter?, assignee: String?, unassignedOnly: Bool = false) -> QueueFilter {
        var filter = QueueFilter(assignee: assignee, unassignedOnly: unassignedOnly, client: client, priority: priority, search: search)
        switch status {
        case .status(let status)?: filter.status = status
        case .merged?: filter.mergedOnly = true
        case nil: break
        }
        return filter
    }
}

/// At most `limit` rows, fetched as one more: when more match, a note on stderr says the list is cut and how to see the
/// rest (stdout, table or JSON, holds the rows alone). `what` names the rows shown, e.g. "tickets in work order".
func limited<Row>(_ limit: Int, _ what: String, fetch: (Int) throws -> [Row]) rethrows -> [Row] {
    let rows = try fetch(limit == .max ? limit : limit + 1)
    guard rows.count > limit else { return rows }
    Terminal.error("docket: note: only the first \(limit) \(what) are shown and more match; narrow the filters or raise --limit")
    return Array(rows.prefix(limit))
}

/// Prints tickets as a table or JSON.
/// Times in the viewer's zone, named; the queue adds each ticket's SLA due time.
func printTickets(_ rows: [TicketSummary], json: Bool, time: PeopleTime, showDue: Bool = false) throws {
    if json {
        try printJSON(rows.map(TicketSummaryView.init))
        return
    }
    let opened = { (row: TicketSummary) in time.text(Timestamp(millisecondsSinceEpoch: row.openedAt)) }
    guard showDue else {
        Terminal.out(Terminal.table(
            ["TICKET", "PRI", "STATUS", "CLIENT", "ASSIGNEE", "OPENED", "SUBJECT"],
            rows.map {
                [$0.number.description, $0.priority.rawValue, $0.mergedInto == nil ? $0.status.displayName : "Merged",
                 $0.client, $0.assignee ?? "—", opened($0), $0.subject.truncated(to: 50)]
            }))
        return
    }
    Terminal.out(Terminal.table(
        ["TICKET", "PRI", "STATUS", "CLIENT", "ASSIGNEE", "SLA DUE", "DUE", "OPENED", "SUBJECT"],
        rows.map {
            [$0.number.description, $0.priority.rawValue, $0.status.displayName, $0.client, $0.assignee ?? "—",
             $0.sla.map { sla in sla.dueAt.map { time.text(Timestamp(millisecondsSinceEpoch: $0)) } ?? (sla.paused ? "paused" : "—") } ?? "—",
             $0.dueDate.map { time.text(Timestamp(millisecondsSinceEpoch: $0)) } ?? "—",
             opened($0), $0.subject.truncated(to: 50)]
        }))
}

/// `docket ticket list`: every ticket, open or closed, by number, the newest first.
struct TicketList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List tickets, open or closed, by number: the newest first.",
        discussion: """
            docket ticket list --status closed --client acme
            docket ticket list --oldest-first --limit 20
            docket ticket list --search "printer jam"   # subject, resolution or category
            --search matches every word, in any case. --limit keeps the newest tickets that match (the oldest with \
            --oldest-first); a note on stderr says when it cut.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var filter: TicketFilterOptions
    @Option(help: "Only this status: \(StatusFilter.allValueStrings.joined(separator: ", ")) (closed includes merged).")
    var status: StatusFilter?
    @Option(help: "Only tickets assigned to this user.") var assignee: String?
    @Flag(help: "The lowest numbers first (the newest are first otherwise).") var oldestFirst = false

    func run(in session: Session) throws {
        try filter.requireKnown(assignee: assignee, in: session)
        let order: TicketListOrder = oldestFirst ? .oldestFirst : .newestFirst
        let rows = try limited(filter.limit, oldestFirst ? "tickets by number (the oldest)" : "tickets by number (the newest)") {
            try session.app.tickets.list(filter.queueFilter(status: status, assignee: assignee), order: order, limit: $0)
        }
        try printTickets(rows, json: output.json, time: .viewer(actor.name, in: session))
    }
}

/// `docket queue`: open tickets in the order to work them.
struct QueueCommand: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Open tickets in work order: priority, then SLA due time, then age.",
        discussion: """
            docket queue --mine      docket queue --unassigned
            docket queue --client acme --status new
            Times (SLA DUE, OPENED) are in your time zone (`docket user time-zone`), else this machine's.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var filter: TicketFilterOptions
    @Option(help: "Only this status: \(OpenStatusFilter.allValueStrings.joined(separator: ", ")) (the queue holds open tickets).")
    var status: OpenStatusFilter?
    @Flag(help: "Only tickets assigned to you.") var mine = false
    @Flag(help: "Only tickets nobody is assigned to.") var unassigned = false
    @Option(help: "Only tickets assigned to this user.") var assignee: String?

    func validate() throws {
        if [mine, unassigned, assignee != nil].filter({ $0 }).count > 1 {
            throw ValidationError("use one of --mine, --unassigned and --assignee")
        }
        try status?.requireOpen()
    }

    func run(in session: Session) throws {
        let who = mine ? actor.name : assignee
        try filter.requireKnown(assignee: assignee, in: session)
        let rows = try limited(filter.limit, "tickets in work order") {
            try session.app.tickets.queue(filter.queueFilter(status: status?.filter, assignee: who, unassignedOnly: unassigned), limit: $0)
        }
        try printTickets(rows, json: output.json, time: .viewer(actor.name, in: session), showDue: true)
    }
}
