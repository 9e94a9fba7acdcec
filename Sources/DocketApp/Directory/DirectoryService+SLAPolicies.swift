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
            if let start = try calendar(calendarId).startsAt, start > from {
                throw DomainError(
                    .invalid,
                    "calendar \(calendarId) starts at \(start.iso8601) (its first version), after SLA policy \(id)'s --effective "
                        + "\(from.iso8601): tickets opened in between could get no SLA; give --effective \(start.iso8601) or later, or "
                        + "name a calendar that starts by then")
            }
        }
        for rule in terms.escalations {
            guard let channel = rule.action.pagedChannel, (try? NotifyDecider.validName(channel)) != nil else { continue }
            guard try kernel.load(NotifyDecider.self, stream: StreamName.notifyChannel(channel)).state.isActive else {
                throw DomainError(
                    .notFound,
                    "escalation rule \(rule.id) pages notification channel \(channel), which does not exist; add it first "
                        + "(`docket notify add \(channel) --url …`) or name one `docket notify list` shows")
            }
        }
        return try kernel.run(SLAPolicyDecider.self, stream: StreamName.slaPolicy(id), command: command, context: context(for: actor), commandId: commandId).events
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
