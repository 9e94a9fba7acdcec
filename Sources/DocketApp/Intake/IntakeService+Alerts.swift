import AlertIntake
import BusinessTime
import DocketTime
import Domain
import EventLog

/// What intake did with one alert.
public enum AlertOutcome: Sendable, Equatable {
    /// A firing alert with no open ticket opened this one.
    case opened(TicketNumber)
    /// A firing alert naming a deactivated client (`formerClient`) opened this one on the policy's default client,
    /// whose ticket it now is; the ticket's description says whose alert it was.
    case openedForFormerClient(TicketNumber, formerClient: String)
    /// A repeat of a firing alert was added to its open ticket.
    case occurrence(TicketNumber)
    /// A firing alert that resolved a short while ago (flapping) reopened its ticket.
    case reopened(TicketNumber)
    /// A firing alert whose condition never cleared reopened the ticket someone closed a short while ago.
    case reopenedStillFiring(TicketNumber)
    /// A resolved alert was noted on its ticket and closed it as auto-resolved.
    case autoResolved(TicketNumber)
    /// A resolved alert was noted on its ticket (already closed, or auto-close is off).
    case noted(TicketNumber)
    /// A resolved alert was noted on its open ticket, which stays open: someone works it (it is assigned, or has time
    /// logged), so its close, resolution and time are theirs to give.
    case leftOpen(TicketNumber)
    /// A firing alert was noted on its closed ticket, whose close silenced it until `until` (`ticket close
    /// --silence-alert`): nothing reopened, no new ticket.
    case silenced(TicketNumber, until: Timestamp)
    /// A resolved alert for a condition Docket never saw: counted and dropped, nothing written.
    case dropped
    /// A firing alert that began before its condition's last resolution ended (a retried or late copy of a
    /// notification sent before it resolved): the firing is over, so nothing is written and its ticket is not reopened.
    case stale(TicketNumber)

    /// The ticket a firing alert opened, either way.
    public var openedTicket: TicketNumber? {
        switch self {
        case .opened(let number), .openedForFormerClient(let number, _): number
        default: nil
        }
    }

    /// What a dispatcher must hear about `alert`'s outcome, if anything: a former client's alert opened on the default
    /// client `defaultClient` (a warning for the caller's stderr and the server's log).
    public func warning(for alert: MonitoringAlert, defaultClient: String?) -> String? {
        guard case .openedForFormerClient(let number, let former) = self else { return nil }
        return "alert \(alert.check) (\(alert.fingerprint)) is client \(former)'s, which is deactivated (a former client): it opened "
            + "\(number) on the default client \(defaultClient ?? "given"), not for \(former); if \(former) is a client again, "
            + "reactivate it (docket client reactivate \(former)), else stop the sender alerting for \(former)"
    }
}

/// How alert intake behaves.
public struct AlertPolicy: Sendable {
    /// The client for alerts that name none, or name one Docket does not know; nil refuses them.
    public var defaultClient: String?
    /// A firing alert within this long after its resolution reopens the same ticket (flapping).
    public var flapWindowMilliseconds: Int64 = 24 * 3_600_000
    /// Close a ticket when its alert resolves (auto-resolved, no billable time).
    public var autoClose = true

    public init(defaultClient: String? = nil) { self.defaultClient = defaultClient }

    /// The priority for a sender's severity.
    public static func priority(for severity: String) -> Priority {
        switch severity {
        case "critical", "fatal", "emergency", "disaster": .p1
        case "high", "error", "major": .p2
        case "warning", "average", "minor": .p3
        default: .p4
        }
    }
}

extension IntakeService {
    /// Takes one delivery of alerts: each alert is decided by its own status and fingerprint, and the whole delivery
    /// (a grouped Alertmanager notification, an RMM's batch) is appended in **one transaction**: all of it lands, or
    /// none of it (every alert's client is checked first: one naming no known client refuses the delivery, with
    /// nothing written). A repeat firing of a condition the transaction leaves firing joins it as an occurrence; other
    /// alerts that touch a ticket another alert of the delivery already touches (a condition resolved after firing)
    /// go in a next transaction, so each is decided on the state the one before left.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func receiveAlerts(_ batch: AlertBatch, policy: AlertPolicy, as actor: String) throws -> [AlertOutcome] {
        let assigned = try self.clients(of: batch, policy: policy)
        let clients = assigned.map(\.client)
        let truncated = batch.truncated
        var outcomes = [AlertOutcome](repeating: .dropped, count: batch.alerts.count)
        var remaining = Array(batch.alerts.indices)
        while !remaining.isEmpty {
            let context = try context(for: actor)
            let wave = try kernel.execute(commandId: nil, actor: context.actor.login, replay: { _ in AlertWave() }) {
                var wave = AlertWave()
                var appends: [AppendRequest] = []
                var cue = ReactionCue(context: context)
                for index in remaining {
                    let alert = batch.alerts[index]
                    let condition = "condition \(alert.source)\u{0}\(clients[index] ?? "")\u{0}\(alert.fingerprint)"
                    // A repeat of a condition this transaction leaves firing on an open ticket is an occurrence on that
                    // ticket, as the next transaction would decide: its event joins the ticket's append undecided, so
                    // a delivery of many copies is one transaction, not one per copy.
                    if alert.status == .firing, let client = clients[index], let ticket = wave.firing[condition],
                        let at = appends.lastIndex(where: { $0.stream == StreamName.ticket(ticket) })
                    {
                        appends[at].events.append(receivedEvent(alert, client: client, truncated: truncated))
                        wave.outcomes.append((index, .occurrence(ticket)))
                        continue
                    }
                    // The condition itself counts as touched: its next alert must see what this one left, and waits
                    // (in order) when this one waits.
                    guard !wave.streams.contains(condition) else {
                        wave.deferred.append(index)
                        continue
                    }
                    let step = try decide(
                        alert, client: clients[index], formerClient: assigned[index].former, policy: policy, context: context,
                        numbersFrom: wave.nextNumber, truncated: truncated)
                    let streams = Set(step.appends.map(\.stream) + [condition])
                    guard wave.streams.isDisjoint(with: streams) else {
                        wave.deferred.append(index)
                        wave.streams.insert(condition)
                        continue
                    }
                    wave.streams.formUnion(streams)
                    switch step.output {
                    case .opened(let ticket), .openedForFormerClient(let ticket, _), .occurrence(let ticket), .reopened(let ticket),
                        .reopenedStillFiring(let ticket):
                        wave.firing[condition] = ticket
                    default: break
                    }
                    if let number = step.output.openedTicket { wave.nextNumber = number.value + 1 }
                    appends += step.appends
                    cue = cue.merged(with: step.reacting)
                    wave.outcomes.append((index, step.output))
                }
                return CommandKernel.Decision(appends: appends, output: wave, reacting: cue)
            }
            for (index, outcome) in wave.outcomes { outcomes[index] = outcome }
            guard wave.deferred.count < remaining.count else {
                throw DomainError(.conflict, "the alert delivery could not be decided (every alert touches the same ticket); send it again")
            }
            remaining = wave.deferred
        }
        return outcomes
    }

    /// Each alert's client, for the whole delivery before anything is decided: the one it names when Docket knows
    /// it, else the policy's default client. Nil for a resolved alert naming neither (no condition of it can have been
    /// recorded: it is dropped); a firing one refuses the delivery, as does a default client that does not exist. A
    /// firing alert of a deactivated client goes to the default client when there is one (one such alert refused the
    /// whole delivery, other clients' alerts with it, at every retry); its resolve still finds its own ticket.
    /// `former` names, for an alert that went to the default client because its own is deactivated, that client.
    private func clients(of batch: AlertBatch, policy: AlertPolicy) throws -> [(client: String?, former: String?)] {
        if let fallback = policy.defaultClient {
            do {
                _ = try directory.client(fallback)
            } catch let error as DomainError where error.code == .notFound {
                throw DomainError(.notFound, "the default client \(fallback) does not exist; pass an existing client's code (`docket client list`)")
            }
        }
        var known: [String: ClientState?] = [:]
        return try batch.alerts.map { alert in
            var former: String?
            if let name = alert.client {
                if known[name] == nil { known[name] = .some(try? directory.client(name)) }
                if let state = known[name] ?? nil, let code = state.code {
                    if state.isActive || alert.status == .resolved || policy.defaultClient == nil { return (code, nil) }
                    former = code
                }
            }
            if let fallback = policy.defaultClient { return (fallback, former) }
            guard alert.status == .resolved else {
                throw DomainError(
                    .notFound,
                    "alert \(alert.check) (\(alert.fingerprint)) names no known client\(alert.client.map { " (\"\($0)\")" } ?? ""); add the client or pass --default-client CODE")
            }
            return (nil, nil)
        }
    }

    /// What is known about `client`'s condition: its own record, else one written before conditions were keyed by
    /// client (the empty client) when its ticket is that client's (two clients' same alert id shared such a record).
    private func conditionRecord(_ alert: MonitoringAlert, client: String) throws -> AlertRecord? {
        if let record = try models.alerts.record(source: alert.source, client: client, fingerprint: alert.fingerprint, in: store) {
            return record
        }
        guard let unkeyed = try models.alerts.record(source: alert.source, client: "", fingerprint: alert.fingerprint, in: store),
            try models.queue.summary(unkeyed.ticket, in: store)?.client == client
        else { return nil }
        return unkeyed
    }

    /// What one alert for `client` (nil: a resolved alert naming no client Docket knows) appends, on the state before
    /// the delivery's transaction. `formerClient` is the deactivated client the alert named, when `client` is the
    /// default client it went to instead.
    private func decide(
        _ alert: MonitoringAlert, client: String?, formerClient: String?, policy: AlertPolicy, context: DecisionContext,
        numbersFrom: Int, truncated: Int
    ) throws -> CommandKernel.Decision<AlertOutcome> {
        typealias Decision = CommandKernel.Decision<AlertOutcome>
        guard let client, let record = try conditionRecord(alert, client: client) else {
            guard alert.status == .firing, let client else { return Decision(appends: [], output: .dropped) }
            let received = receivedEvent(alert, client: client, truncated: truncated)
            let opening = try openDecision(
                for: alert, client: client, formerClient: formerClient, context: context, event: received, numbersFrom: numbersFrom)
            return Decision(appends: opening.appends, output: opened(opening.output, formerClient), reacting: opening.reacting)
        }
        let received = receivedEvent(alert, client: client, truncated: truncated)
        let now = context.now
        // A merged ticket's alerts go to the ticket it was merged into, as its mail does (while that is the same
        // client's: stores may hold merges across clients from before they were refused).
        var number = record.ticket
        var summary = try tickets.ticketSummary(number)
        while let target = summary.mergedInto {
            let merged = try tickets.ticketSummary(target)
            guard merged.client == client else { break }
            number = target
            summary = merged
        }
        let stream = StreamName.ticket(number)
        // A firing that began before the condition's last resolution ended is that resolved firing again (a retried
        // or late delivery), not a new one: it must not reopen the ticket nor count as the condition firing now.
        if alert.status == .firing, record.status == "resolved", let startsAt = alert.startsAt,
            let endedAt = try lastResolutionEnd(of: alert, client: client, on: record.ticket), startsAt <= endedAt
        {
            return Decision(appends: [], output: .stale(number))
        }
        /// `received` first, then what `command` decides, in one append to the ticket.
        func noted(_ command: TicketCommand?, _ outcome: AlertOutcome) throws -> Decision {
            let decided = try command.map { try tickets.commandDecision(number, $0, context: context).appends } ?? []
            guard var request = decided.first else {
                return Decision(appends: [AppendRequest(stream: stream, events: [received], actor: context.actor.login)], output: outcome)
            }
            request.events.insert(received, at: 0)
            return Decision(appends: [request], output: outcome)
        }
        switch alert.status {
        case .firing where summary.isOpen:
            return try noted(nil, .occurrence(number))
        case .firing:
            // Its close silenced it (a known fault waiting on a part): noted on the closed ticket, nothing reopened.
            if summary.mergedInto == nil, let until = try alertSilencedUntil(on: number), now.millisecondsSinceEpoch < until.millisecondsSinceEpoch {
                return try noted(nil, .silenced(number, until: until))
            }
            // The condition's last delivery was a firing: it never cleared, someone closed its ticket while it fired.
            let stillFiring = record.status == MonitoringAlert.Status.firing.rawValue
            let resolvedAt = record.resolvedAt ?? summary.updatedAt
            guard summary.mergedInto == nil, now.millisecondsSinceEpoch - resolvedAt <= policy.flapWindowMilliseconds else {
                let opening = try openDecision(
                    for: alert, client: client, formerClient: formerClient, context: context, event: received,
                    previous: (number, stillFiring), numbersFrom: numbersFrom)
                return Decision(appends: opening.appends, output: opened(opening.output, formerClient), reacting: opening.reacting)
            }
            // The reopen, then the occurrence that caused it.
            let reason = stillFiring
                ? "alert \(alert.check) is still firing: it has not cleared since the ticket was closed"
                : "alert \(alert.check) fired again (flapping)"
            let reopen = try tickets.commandDecision(number, .reopen(reason: reason), context: context)
            var request = reopen.appends.first ?? AppendRequest(stream: stream, events: [], actor: context.actor.login)
            request.events.append(received)
            return Decision(appends: [request], output: stillFiring ? .reopenedStillFiring(number) : .reopened(number))
        case .resolved:
            guard policy.autoClose, summary.isOpen else { return try noted(nil, .noted(number)) }
            // A ticket someone works is theirs to close: an auto-resolve would close it under them with "no billable
            // time" while their night's work is logged, or still to log, and take their resolution from them. An
            // assignment a rule made (routing the alert to the NOC, an escalation) is nobody's work yet. Tickets linked
            // under it (an outage clients called about) are a person's work too: whoever closes it closes those with it,
            // with a resolution their clients can read.
            let timeLogged = try models.time.list(TimeFilter(ticket: number.description), in: store).contains { !$0.voided }
            let hasChildren = try !kernel.load(TicketDecider.self, stream: stream).state.children.isEmpty
            if try timeLogged || hasChildren || (summary.assignee != nil && assignedByAPerson(number)) {
                return try noted(nil, .leftOpen(number))
            }
            // Written for the client's people (the resolution mail) and staff alike: in the client's zone, named.
            let zone = (try? directory.client(client)).flatMap { WallTimeZone($0.timeZone) } ?? .utc
            let when = ZoneText(zone: zone).text(alert.endsAt ?? now)
            let resolution = "Auto-resolved: \(alert.check)\(alert.device.map { " on \($0)" } ?? "") cleared at \(when); no billable time."
            return try noted(.close(resolution: resolution, time: .automatic), .autoResolved(number))
        }
    }

    /// Until when the close of `ticket` (closed now: its latest `ticket.closed`) silenced its alert, if it did.
    func alertSilencedUntil(on ticket: TicketNumber) throws -> Timestamp? {
        try latest(TicketClosed.descriptor.type, on: ticket) { recorded -> Timestamp?? in
            guard case .closed(let closed) = try TicketEvent.decode(
                type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            else { return nil }
            return .some(closed.alertSilencedUntil)
        } ?? nil
    }

    /// Whether the latest assignment of `ticket` was a person's (taken, or assigned by a dispatcher), not a routing or
    /// escalation rule's (``TicketAssigned/isByRule``).
    private func assignedByAPerson(_ ticket: TicketNumber) throws -> Bool {
        try latest(TicketAssigned.descriptor.type, on: ticket) { recorded in
            guard case .assigned(let assigned) = try TicketEvent.decode(
                type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            else { return nil }
            return !assigned.isByRule
        } ?? false
    }

    /// When the condition's latest delivery on `ticket` (the one the `alerts` read model points at) ended, when that
    /// delivery is a resolution that says so; nil otherwise (it fired, or the sender gave no end).
    private func lastResolutionEnd(of alert: MonitoringAlert, client: String, on ticket: TicketNumber) throws -> Timestamp? {
        try latest(TicketAlertReceived.descriptor.type, on: ticket) { recorded -> Timestamp?? in
            guard case .received(let received) = try TicketAlertEvent.decode(
                type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload),
                received.source == alert.source, received.fingerprint == alert.fingerprint, (received.client ?? client) == client
            else { return nil }
            guard received.status == MonitoringAlert.Status.resolved.rawValue else { return .some(nil) }
            return .some(received.endsAt.flatMap(Timestamp.init(iso8601:)))
        } ?? nil
    }

    /// Walks `ticket`'s stream from its newest event back, and gives what `answer` makes of the first event of `type`
    /// it answers (a non-nil value) for; nil when none does.
    private func latest<Answer>(_ type: String, on ticket: TicketNumber, _ answer: (RecordedEvent) throws -> Answer?) throws -> Answer? {
        let stream = StreamName.ticket(ticket)
        var version = UInt64.max
        while true {
            let page = try store.read(stream: stream, from: version, direction: .backward, limit: 64)
            for recorded in page where recorded.type == type {
                if let found = try answer(recorded) { return found }
            }
            guard let oldest = page.last?.streamVersion, oldest > 1 else { return nil }
            version = oldest - 1
        }
    }

    /// The outcome of opening `number`, for a former client's alert or not.
    private func opened(_ number: TicketNumber, _ formerClient: String?) -> AlertOutcome {
        formerClient.map { .openedForFormerClient(number, formerClient: $0) } ?? .opened(number)
    }

    /// The opening of a ticket for `alert` on `client`; a former client's alert (`formerClient`: the deactivated client
    /// it named, `client` the default) starts its description by saying whose it is, as mail triage's tickets do.
    private func openDecision(
        for alert: MonitoringAlert, client: String, formerClient: String? = nil, context: DecisionContext, event: NewEvent,
        previous: (ticket: TicketNumber, stillFiring: Bool)? = nil, numbersFrom: Int
    ) throws -> CommandKernel.Decision<TicketNumber> {
        var description = alert.description
        if let formerClient {
            let whose = "Sent for client \(formerClient), but client \(formerClient) is deactivated (a former client): opened on the default client \(client), not for \(formerClient)."
            description = whose + (description.isEmpty ? "" : "\n" + description)
        }
        if let previous {
            description += (description.isEmpty ? "" : "\n")
                + (previous.stillFiring
                    ? "Still firing after \(previous.ticket) was closed: it has not cleared since."
                    : "Fired again after \(previous.ticket) was resolved.")
        }
        var intake = TicketIntake(
            client: client, priority: AlertPolicy.priority(for: alert.severity), source: .alert,
            subject: TicketSubject.fromIntake("[\(alert.check)] \(alert.summary)"), description: description)
        let routing = try routeNewTicket(&intake, alertLabels: alert.labels, severity: alert.severity)
        return try tickets.openDecision(intake, context: context, routing: routing, numbersFrom: numbersFrom, also: { _ in [event] })
    }

    /// The `ticket.alert-received` for `alert`, as `client`'s condition, from a delivery that left `truncated` alerts out.
    private func receivedEvent(_ alert: MonitoringAlert, client: String, truncated: Int) -> NewEvent {
        let payload = TicketAlertReceived(
            fingerprint: alert.fingerprint, source: alert.source, status: alert.status.rawValue, check: alert.check,
            device: alert.device, severity: alert.severity, summary: alert.summary, description: alert.description,
            startsAt: alert.startsAt?.iso8601, endsAt: alert.endsAt?.iso8601, client: client,
            truncatedAlerts: truncated > 0 ? truncated : nil)
        return NewEvent(type: TicketAlertReceived.descriptor.type, payload: TicketAlertEvent.received(payload).payload())
    }
}

/// One transaction of an alert delivery: what it decided, and the alerts left for the next one.
private struct AlertWave {
    var outcomes: [(index: Int, outcome: AlertOutcome)] = []
    var deferred: [Int] = []
    var streams: Set<String> = []
    /// The open ticket of each condition this transaction left firing.
    var firing: [String: TicketNumber] = [:]
    var nextNumber = TicketNumber.first.value
}
