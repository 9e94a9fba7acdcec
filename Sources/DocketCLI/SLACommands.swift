import ArgumentParser
import DocketApp
import Domain
import Foundation

/// SLA text for people.
enum SLAText {
    /// `docket ticket show`'s SLA section: each clock and every interval, so the computation can be
    /// explained line by line; times in `time`'s zone.
    static func section(_ clock: SLAClock, now: Timestamp, time: PeopleTime) -> String {
        let status = clock.status(at: now)
        var text = "SLA: policy \(clock.started.policy) (amendment \(clock.started.policyAmendment)), calendar \(clock.started.calendarId) (amendment \(clock.started.calendarAmendment))\(HistoryText.priorityCalendars(clock.started)), \(status.priority)\n"
        for timer in [status.response, status.resolution] {
            text += "  \(timer.clock): \(timer.state)"
            if let breach = timer.earlierBreachAt {
                text += " (an earlier target was breached at \(time.text(breach)); since \(time.text(timer.targetSince)): \(timer.targetState))"
            }
            text += " · target \(minutesText(Int(timer.targetSeconds / 60))) · used \(minutesText(Int(timer.usedSeconds / 60)))"
            text += " · remaining \(minutesText(Int(timer.remainingSeconds / 60)))"
            if let due = timer.dueAt { text += " · due \(time.text(due))" }
            if let met = timer.metAt { text += " · met \(time.text(met))" }
            text += "\n"
            for interval in timer.intervals {
                let minutes = interval.countedMilliseconds.map { " = \(minutesText(Int($0 / 60_000))) business" } ?? ""
                text += "    \(time.text(interval.start)) → \(interval.end.map(time.text) ?? "now") \(interval.mode) (\(interval.reason))\(minutes)\n"
            }
        }
        return text
    }
}

/// `docket sla`: open tickets by time remaining.
struct SLACommand: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla",
        abstract: "Open tickets with an SLA, soonest due first: what is about to breach.",
        discussion: """
            docket sla --at-risk      docket sla --breached --client acme
            docket sla --json
            Times are in your time zone (`docket user time-zone`), else this machine's; --json keeps RFC 3339 UTC.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Only tickets with a clock at risk (past the first warning threshold); with --breached, either.") var atRisk = false
    @Flag(help: "Only tickets with a clock breached; with --at-risk, either.") var breached = false
    @Option(help: "Only this client's tickets.") var client: String?
    @Option(help: "At most this many tickets.") var limit: Int = 50

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run(in session: Session) throws {
        // An unknown client is a typo to report, not an empty list.
        if let client { _ = try session.app.directory.client(client) }
        let listed = try limited(limit, "tickets, soonest due") {
            try SLAClockRow.open(in: session.app, limit: $0, client: client, atRisk: atRisk, breached: breached)
        }
        let views = listed.map(\.row)
        let statuses = Dictionary(uniqueKeysWithValues: listed.map { ($0.row.ticket, $0.status) })
        if output.json {
            try printJSON(views)
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        Terminal.out(Terminal.table(
            ["TICKET", "PRI", "STATE", "CLIENT", "ASSIGNEE", "DUE", "REMAINING"],
            views.map { view in
                let status = statuses[view.ticket]
                let responding = status?.response.metAt == nil
                let open = responding ? status?.response : status?.resolution
                return [view.ticket, view.sla.priority, view.state, view.client, view.assignee ?? "—", open?.dueAt.map(time.text) ?? "paused",
                        (responding ? "response " : "resolution ") + minutesText(Int((open?.remainingSeconds ?? 0) / 60))]
            }))
    }
}

/// `docket tick`: record SLA warnings, breaches and escalations that have come due.
struct TickCommand: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Record SLA warnings, breaches and escalations due by now (run it every minute from cron).",
        discussion: """
            Each is recorded at the instant it became due, not when tick ran, so history is exact even if \
            tick runs late; running it twice records nothing twice. Escalation rules carry out their action \
            (assign, raise priority) as the acting user: run it as a dispatcher, e.g. DOCKET_USER=scheduler. \
            Run late, past a clock's breach, it records that clock's warnings "(not sent: …)": only the breach \
            is mailed; an escalation made moot in the meantime is recorded "(not carried out: …)". \
            It also opens the tickets of recurring schedules (`docket schedule add`) whose time has come: \
            one per schedule and occurrence, however often or late it runs; and carries out the follow-up \
            policy (`docket followup set`): reminds clients of tickets waiting on them, closes those never \
            answered.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions

    func run(in session: Session) throws {
        // In the viewer's zone, named, as every other time for people: a cron log then reads as the office's clock does.
        let lines = try Self.tick(session.app, as: actor.name, time: PeopleTime.viewer(actor.name, in: session).text(_:))
        for line in lines { Terminal.out(line + "\n") }
        if lines.isEmpty && isatty(STDOUT_FILENO) == 1 { Terminal.out("nothing due\n") }
    }

    /// Opens the recurring schedules' tickets due, records the SLA events due and follows up tickets waiting on the
    /// client, as `user`: one line for each
    /// (`T-1001: SLA breached: response due …`, its times written by `time`), as `docket tick` and `docket serve
    /// --tick-every` print them.
    @available(*, noasync, message: "blocks on the store")
    static func tick(_ app: DocketApplication, as user: String, time: (Timestamp) -> String) throws -> [String] {
        let opened = try app.tickets.openScheduledTickets(as: user).map {
            "\($0.ticket): opened by schedule \($0.schedule) for \($0.occurrence)"
        }
        let recorded = try app.sla.tick(as: user).flatMap { result in
            result.events.map { "\(result.ticket): \(HistoryText.describe($0, time: time))" }
        }
        let followedUp = try app.tickets.followUpWaitingTickets(as: user).map { result in
            switch result.due {
            case .remind(let since, _): "\(result.ticket): reminded the client (waiting since \(time(since)); follow-up policy)"
            case .close(_, _, let minutes): "\(result.ticket): closed: no reply from the client in \(FollowUpDue.duration(minutes)) (follow-up policy)"
            }
        }
        return opened + recorded + followedUp
    }
}
