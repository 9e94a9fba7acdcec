import DocketTime

/// Starts the SLA clock of a ticket being opened (`ticket.sla-started`): the contract in force at the opening (the
/// most recently started, when several are: the latest start, not the latest amendment; on the same start, the
/// greatest contract id), its SLA policy's terms in force then, and the calendars those terms name (the policy's and
/// each priority's own) — all frozen into the event. No contract with an SLA policy in force: no clock.
///
/// A contract naming a policy or calendar that does not exist (or with no terms in force yet) refuses a ticket opened
/// by hand, so the person opening it sees the problem; intake (mail and alerts) never refuses a client's ticket over
/// configuration: it opens it without an SLA and warns, naming the fix.
public struct SLAStartReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        guard let opened = input.opening, (try? state.client(opened.client)) != nil else { return .none }
        do {
            guard let started = try Self.start(client: opened.client, priority: opened.priority, at: input.recordedAt, state: state) else {
                return .none
            }
            return ReactionOutput(events: [.ticketSLA(.started(started))])
        } catch let error as DomainError where opened.source == .email || opened.source == .alert || opened.source == .portal {
            return ReactionOutput(warnings: ["opened the \(opened.source) ticket for \(opened.client) without an SLA: \(error.timedMessage)"])
        }
    }

    /// The SLA a ticket of `client` opened at `instant` with `priority` runs under; nil when no contract with an SLA
    /// policy is in force.
    public static func start(client: String, priority: Priority, at instant: Timestamp, state: any ReactionState) throws -> TicketSLAStarted? {
        // Ordered by each contract's own start (its first version), not by the version in force: an amendment (a new
        // tax rate) must not make an older contract win over one started since.
        let inForce = try state.contracts(client: client).compactMap { contract -> (start: Timestamp, id: String, terms: ContractTerms)? in
            guard let start = contract.startsAt, let terms = contract.terms(at: instant) else { return nil }
            return (start, contract.id ?? "", terms)
        }
        guard let terms = inForce.max(by: { ($0.start, $0.id) < ($1.start, $1.id) })?.terms, let policyId = terms.slaPolicy else {
            return nil
        }
        let policy = try state.slaPolicy(policyId)
        guard let (_, policyTerms) = policy.terms(at: instant) else {
            throw TicketSLAStarted.policyStartsLater(policyId, startsAt: policy.startsAt, ticketAt: instant)
        }
        var calendars: [String: CalendarState] = [:]
        for id in policyTerms.calendars.values where calendars[id] == nil { calendars[id] = try state.calendar(id) }
        return try TicketSLAStarted.resolve(
            policy: policy, calendar: try state.calendar(policyTerms.calendar), calendars: calendars, priority: priority, at: instant)
    }
}
