import BusinessTime
import DocketTime
import Domain
import EventLog

extension DirectoryService {
    /// Runs a calendar command as `actor`.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func calendar(_ id: String, _ command: CalendarCommand, as actor: String, commandId: String? = nil) throws -> [CalendarEvent] {
        try kernel.run(CalendarDecider.self, stream: StreamName.calendar(id), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// A calendar (the built-in `24x7`, or a defined one), or a not-found error.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func calendar(_ id: String) throws -> CalendarState { try LogState(store: store).calendar(id) }

    /// Every defined calendar, in id order.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func calendars() throws -> [CalendarState] {
        try store.streams(prefix: "calendar-").map { try kernel.load(CalendarDecider.self, stream: $0.name).state }
    }

    /// Runs an SLA policy command as `actor`. Terms whose calendar (the policy's, or a priority's own) is unknown (not
    /// found) or starts after they take effect are refused (invalid), whoever asks: every ticket opened in between could
    /// get no SLA (refused by hand, opened without one by intake), and no calendar amendment can start before the
    /// calendar does. An escalation rule that pages a notification channel not in force (never added, or removed) is
    /// refused (not found): its pages would be cancelled, every one.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func slaPolicy(_ id: String, _ command: SLAPolicyCommand, as actor: String, commandId: String? = nil) throws -> [SLAPolicyEvent] {
        let (from, terms) =
            switch command {
            case .define(let define): (define.effectiveFrom, define.terms)
            case .amend(let effectiveFrom, let terms): (effectiveFrom, terms)
            }
        // The policy's calendar, then each priority's own (its id checked first, as the decider would: a malformed id
        // is named as such, not looked up).
        let named = [terms.calendar] + Priority.allCases.compactMap { terms.calendars[$0] }.filter { $0 != terms.calendar }
        if named.count > 1 { _ = try SLAPolicyDecider.validate(terms) }
        for calendarId in named {
            let calendar = try self.calendar(calendarId)
            if let start = calendar.startsAt, start > from {
                throw DomainError(
                    .invalid,
                    timed: "calendar \(calendarId) starts at \(time: start) (its first version), after SLA policy \(id)'s --effective "
                        + "\(time: from): tickets opened in between could get no SLA; give --effective "
                        + "\(Self.effectiveText(start, zone: calendar.versions.first?.calendar.timeZoneIdentifier)) or later, or name a "
                        + "calendar that starts by then")
            }
        }
        let context = try context(for: actor)
        let stream = StreamName.slaPolicy(id)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try kernel.earlierEvents(SLAPolicyDecider.self, commandId: commandId, result: $0, stream: stream).events }
        ) { try slaPolicy(id, command, context: context, commandId: commandId) }
    }

    /// The decision on SLA policy `id`: each notification channel its terms page checked in force, and appended only
    /// while each channel's stream is at the version read (a `notify remove` of one in between makes the kernel decide
    /// again, and the terms are refused then).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    func slaPolicy(
        _ id: String, _ command: SLAPolicyCommand, context: DecisionContext, commandId: String?
    ) throws -> CommandKernel.Decision<[SLAPolicyEvent]> {
        let stream = StreamName.slaPolicy(id)
        let (policy, version) = try kernel.load(SLAPolicyDecider.self, stream: stream)
        let terms: Domain.SLATerms
        switch command {
        case .define(let define): terms = define.terms
        case .amend(_, let amended):
            // Named here: the amend command carries no id for the decider's refusal to name.
            guard policy.id != nil else { throw DomainError(.notFound, "unknown SLA policy \(id); list policies with `docket sla-policy list`") }
            terms = amended
        }
        var read: [String: UInt64] = [:]
        for rule in terms.escalations {
            guard let channel = rule.action.pagedChannel, (try? NotifyDecider.validName(channel)) != nil else { continue }
            let channelStream = StreamName.notifyChannel(channel)
            let (channelState, channelVersion) = try kernel.load(NotifyDecider.self, stream: channelStream)
            guard channelState.isActive else {
                throw DomainError(
                    .notFound,
                    "escalation rule \(rule.id) pages notification channel \(channel), which does not exist; add it first "
                        + "(`docket notify add \(channel) --url …`) or name one `docket notify list` shows")
            }
            read[channelStream] = channelVersion
        }
        let events = try SLAPolicyDecider.decide(command, state: policy, context: context)
        return CommandKernel.Decision(
            appends: [kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId, read: read)],
            output: events)
    }

    /// `instant` as a policy's `--effective` can be typed, which reads a date alone as midnight in the calendar's zone
    /// `identifier`: `2026-02-01` when it is such a midnight, else RFC 3339.
    static func effectiveText(_ instant: Timestamp, zone identifier: String?) -> String {
        let midnight = identifier.flatMap(WallTimeZone.init).map { $0.reading(at: instant).iso8601 }
        guard let midnight, midnight.hasSuffix("T00:00:00.000Z") else { return instant.iso8601 }
        return String(midnight.prefix(10))
    }

    /// An SLA policy, or a not-found error.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func slaPolicy(_ id: String) throws -> SLAPolicyState { try LogState(store: store).slaPolicy(id) }

    /// Every SLA policy, in id order.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func slaPolicies() throws -> [SLAPolicyState] {
        try store.streams(prefix: "sla-policy-").map { try kernel.load(SLAPolicyDecider.self, stream: $0.name).state }
    }
}
