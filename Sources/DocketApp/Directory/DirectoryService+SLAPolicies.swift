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

    /// Runs an SLA policy command as `actor`. Terms whose calendar is unknown (not found) or starts after they take
    /// effect are refused (invalid), whoever asks: every ticket opened in between could get no SLA (refused by hand,
    /// opened without one by intake), and no calendar amendment can start before the calendar does.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func slaPolicy(_ id: String, _ command: SLAPolicyCommand, as actor: String, commandId: String? = nil) throws -> [SLAPolicyEvent] {
        let (from, terms) =
            switch command {
            case .define(let define): (define.effectiveFrom, define.terms)
            case .amend(let effectiveFrom, let terms): (effectiveFrom, terms)
            }
        let calendar = try self.calendar(terms.calendar)
        if let start = calendar.startsAt, start > from {
            throw DomainError(
                .invalid,
                timed: "calendar \(terms.calendar) starts at \(time: start) (its first version), after SLA policy \(id)'s --effective "
                    + "\(time: from): tickets opened in between could get no SLA; give --effective "
                    + "\(Self.effectiveText(start, zone: calendar.versions.first?.calendar.timeZoneIdentifier)) or later, or name a "
                    + "calendar that starts by then")
        }
        return try kernel.run(SLAPolicyDecider.self, stream: StreamName.slaPolicy(id), command: command, context: context(for: actor), commandId: commandId).events
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
