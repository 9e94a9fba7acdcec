import BusinessTime
import DocketTime
import Domain
import EventLog

/// A recurring ticket schedule as `docket schedule list --json` shows it.
public struct ScheduleView: Encodable, Sendable, Equatable {
    public let id: String
    public let client: String
    public let subject: String
    /// The priority the schedule sets; absent when it leaves it to the routing rules (else P3).
    public let priority: Priority?
    public let category: String?
    public let assignee: String?
    /// `every month on day 1 at 08:00 (America/New_York)`.
    public let every: String
    /// The next occurrence, and the ticket the latest one opened (absent before the first).
    public let next: RFC3339Instant
    public let lastTicket: TicketNumber?
}

/// A ticket `docket tick` opened for a schedule's occurrence.
public struct ScheduledOpening: Sendable, Equatable {
    public let schedule: String
    public let occurrence: LocalDate
    public let ticket: TicketNumber
}

/// How a schedule's ticket would be routed (``TicketService/routingPreview(ofSchedule:atOrAfter:)``).
public struct ScheduledRoutingPreview: Sendable {
    /// The schedule's definition in force.
    public let schedule: ScheduleDefined
    /// The occurrence tried, and when it falls.
    public let occurrence: LocalDate
    public let at: Timestamp
    /// The ticket as it would open: its priority and category once routed, the schedule's assignee.
    public let intake: TicketIntake
    /// The rule that would fire, with what the schedule set itself (nil: none matches).
    public let routing: RoutingDecision?
    /// Who the ticket would be assigned to, as the tick's opening decides it: the schedule's assignee, else the rule's
    /// when it can take the ticket.
    public let assignee: String?
    /// Why `docket tick` would not open this ticket, where it would not; nil when it would open it as shown. The ticket
    /// rules refuse it (a deactivated client or assignee: the tick warns and tries again on every tick), its ticket
    /// was opened already, or the tick never opens this occurrence (an earlier one than the latest due, or one before
    /// the schedule was defined).
    public let refusal: String?
    /// What routing could not carry out and would note on the ticket instead (a rule's assignee who cannot take it).
    public let notes: [String]
    /// Whether the occurrence falls before now: the rules tried are those in force now (rules have no effective date),
    /// not necessarily those the tick of then routed by.
    public let isPast: Bool
}

extension TicketService {
    /// Defines schedule `schedule.id` (its `recurrence.timeZone` is the client's, frozen now: a later change of the
    /// client's zone does not move it). The subject and the assignee (an active user who works tickets) are checked as
    /// a ticket's are.
    public func defineSchedule(_ schedule: ScheduleDefined, as actor: String, commandId: String? = nil) throws {
        var schedule = schedule
        let client = try kernel.load(ClientDecider.self, stream: StreamName.client(schedule.client)).state
        schedule.recurrence.timeZone = client.timeZone.isEmpty ? "UTC" : client.timeZone
        let assignee = try schedule.assignee.flatMap { try directory.userSnapshot($0) }
        let snapshot = client.snapshot
        _ = try kernel.run(
            ScheduleDecider.self, stream: StreamName.schedule(schedule.id),
            command: .define(schedule, client: snapshot, assignee: assignee),
            context: context(for: actor), commandId: commandId)
    }

    /// Removes schedule `id`: it opens no more tickets.
    public func removeSchedule(_ id: String, as actor: String, commandId: String? = nil) throws {
        _ = try kernel.run(ScheduleDecider.self, stream: StreamName.schedule(id), command: .remove(id: id), context: context(for: actor), commandId: commandId)
    }

    /// The live schedules, by id.
    public func schedules() throws -> [ScheduleView] {
        let now = clock.now()
        return try liveSchedules().map { schedule, _ in
            let recurrence = schedule.recurrence
            let latest = recurrence.latest(atOrBefore: now)
            let lastTicket = try latest.flatMap { try store.result(ofCommand: Self.commandId(schedule.id, $0)) }.flatMap {
                TicketNumber(String($0.stream.dropFirst("ticket-".count)))
            }
            return ScheduleView(
                id: schedule.id, client: schedule.client, subject: schedule.subject, priority: schedule.priority, category: schedule.category,
                assignee: schedule.assignee, every: recurrence.text,
                next: RFC3339Instant(millisecondsSinceEpoch: recurrence.instant(on: recurrence.next(after: now)).millisecondsSinceEpoch),
                lastTicket: lastTicket)
        }
    }

    /// Opens, as `actor`, the ticket of each live schedule's latest occurrence due by now that has none yet and came
    /// after the schedule was defined; one per schedule however long `tick` did not run (a month of missed weekly
    /// checks is one ticket, not four). Each occurrence's ticket is opened under a command id of its own
    /// (`schedule-<id>-<date>`), so a tick run twice, late or at once from two places opens it once. An occurrence
    /// the ticket rules refuse (its client was deactivated, its assignee is no longer active) is a warning, not a
    /// failure of the tick. Each ticket goes through the routing rules in force as the tick runs, as mail and alerts
    /// do: the schedule's own priority, category and assignee win over a rule's, which fills what the schedule left
    /// unset.
    public func openScheduledTickets(as actor: String) throws -> [ScheduledOpening] {
        let now = clock.now()
        var opened: [ScheduledOpening] = []
        for (schedule, definedAt) in try liveSchedules() {
            guard let occurrence = schedule.recurrence.latest(atOrBefore: now), schedule.recurrence.instant(on: occurrence) >= definedAt else {
                continue
            }
            let commandId = Self.commandId(schedule.id, occurrence)
            guard try store.result(ofCommand: commandId) == nil else { continue }
            var intake = Self.intake(of: schedule, on: occurrence)
            // One schedule whose client left or whose assignee was deactivated must not stop the others, nor the SLA
            // tick after them: its occurrence is told as a warning, and tried again on the next tick.
            do {
                // Routed as any intake, by the rules in force now (the outcome is in the events: a replay reads it, never
                // the rules again); what the schedule sets itself wins over a rule.
                let routing = try directory.routeNewTicket(&intake, openerSet: Self.openerChoices(of: schedule))
                let number = try openTicket(intake, as: actor, commandId: commandId, routing: routing)
                opened.append(ScheduledOpening(schedule: schedule.id, occurrence: occurrence, ticket: number))
            } catch let refusal as DomainError {
                warnings?("schedule \(schedule.id) could not open its ticket for \(occurrence): \(refusal.message)")
            }
        }
        return opened
    }

    /// How the ticket `docket tick` would open for schedule `id`'s first occurrence at or after `moment` (after now
    /// when nil) would be routed by the rules in force now, as the tick routes it (``openScheduledTickets(as:)``):
    /// the schedule's own fields win over the rule's. The opening is decided as the tick decides it, as `reader`, so
    /// a ticket the tick would not open says why (``ScheduledRoutingPreview/refusal``). Writes nothing. An unknown or
    /// removed schedule is not found.
    public func routingPreview(ofSchedule id: String, atOrAfter moment: Timestamp? = nil, as reader: String) throws -> ScheduledRoutingPreview {
        let schedule = try liveSchedule(id)
        let now = clock.now()
        let occurrence =
            moment.map { schedule.recurrence.next(after: Timestamp(millisecondsSinceEpoch: $0.millisecondsSinceEpoch - 1)) }
            ?? schedule.recurrence.next(after: now)
        let at = schedule.recurrence.instant(on: occurrence)
        var intake = Self.intake(of: schedule, on: occurrence)
        let routing = try directory.routeNewTicket(&intake, openerSet: Self.openerChoices(of: schedule))
        let definedAt = try liveSchedules().first { $0.0.id == id }?.1
        var assignee = intake.assignee ?? routing?.appliedActions.assign
        var refusal: String?
        var notes: [String] = []
        if let opened = try store.result(ofCommand: Self.commandId(id, occurrence)) {
            refusal = "docket tick opened \(opened.stream.dropFirst("ticket-".count)) for this occurrence already (its history says how it "
                + "was routed then), and opens no other"
        } else if at <= now, let latest = schedule.recurrence.latest(atOrBefore: now), latest != occurrence {
            refusal = "docket tick will not open it: it opens a schedule's latest occurrence due (\(latest)), not one it missed before"
        } else if let definedAt, at < definedAt {
            refusal = "docket tick will not open it: the schedule was defined after this occurrence"
        } else {
            // The opening as the tick decides it, with its reactions, appended nowhere: what the ticket rules refuse is the
            // tick's warning, what routing cannot carry out its note. The runner may open tickets (the tick's is a worker):
            // what is tried is the schedule and the rules, not the reader's role.
            let opener = DecisionContext(actor: Actor(login: reader, role: .admin), now: now)
            do {
                let decision = try openDecision(intake, context: opener, routing: routing)
                let appends = try decision.reacting.map { try kernel.reactions.react(decision.appends, cue: $0).appends } ?? decision.appends
                assignee = nil
                for request in appends where request.stream == decision.appends.first?.stream {
                    for event in request.events {
                        guard case .ticket(let ticket) = try DocketEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
                        else { continue }
                        switch ticket {
                        case .assigned(let e): assignee = e.assignee
                        case .commented(let e) where e.visibility == .internal && e.text.hasPrefix("Routing rule "): notes.append(e.text)
                        default: break
                        }
                    }
                }
            } catch let refused as DomainError {
                refusal = "docket tick would not open it: \(refused.message); it warns so on every tick, and opens it once that is fixed"
            }
        }
        return ScheduledRoutingPreview(
            schedule: schedule, occurrence: occurrence, at: at, intake: intake, routing: routing, assignee: assignee, refusal: refusal,
            notes: notes, isPast: at < now)
    }

    /// Schedule `id`'s definition in force; not found when there is none or it was removed.
    public func liveSchedule(_ id: String) throws -> ScheduleDefined {
        let state = try kernel.load(ScheduleDecider.self, stream: StreamName.schedule(id)).state
        guard state.isLive, let schedule = state.definition else {
            throw DomainError(.notFound, "no schedule \(id); list schedules with `docket schedule list`")
        }
        return schedule
    }

    /// The ticket schedule `schedule` opens for `occurrence`, before routing.
    static func intake(of schedule: ScheduleDefined, on occurrence: LocalDate) -> TicketIntake {
        TicketIntake(
            client: schedule.client, category: schedule.category, priority: schedule.priority ?? .p3, source: .schedule,
            subject: schedule.subject,
            description: "Opened by schedule \(schedule.id) for \(occurrence)." + (schedule.description.map { "\n\($0)" } ?? ""),
            assignee: schedule.assignee)
    }

    /// What schedule `schedule` sets itself, which wins over a routing rule's actions.
    static func openerChoices(of schedule: ScheduleDefined) -> OpenerChoices {
        OpenerChoices(priority: schedule.priority, category: schedule.category, assignee: schedule.assignee)
    }

    /// Each live schedule with when its definition in force was recorded.
    private func liveSchedules() throws -> [(ScheduleDefined, Timestamp)] {
        try store.streams(prefix: "schedule-").compactMap { stream in
            let loaded = try kernel.load(ScheduleDecider.self, stream: stream.name)
            guard loaded.state.isLive, let definition = loaded.state.definition,
                let defined = try store.read(stream: stream.name, from: loaded.version, direction: .backward, limit: 1).first
            else { return nil }
            return (definition, defined.recordedAt)
        }
    }

    static func commandId(_ schedule: String, _ occurrence: LocalDate) -> String { "schedule-\(schedule)-\(occurrence)" }
}
