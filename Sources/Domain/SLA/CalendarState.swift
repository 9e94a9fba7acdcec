import BusinessTime
import DocketTime

/// One version of a business calendar.
public struct CalendarVersion: Sendable, Equatable {
    /// Which event set this version: 0 for `calendar.defined`, n for amendment n.
    public var amendment: Int
    /// When this version takes effect.
    public var effectiveFrom: Timestamp
    /// The complete calendar.
    public var calendar: BusinessCalendar

    /// A version of the calendar.
    public init(amendment: Int, effectiveFrom: Timestamp, calendar: BusinessCalendar) {
        self.amendment = amendment
        self.effectiveFrom = effectiveFrom
        self.calendar = calendar
    }
}

/// What calendar decisions (and SLA starts) need: identity and every version of the hours.
public struct CalendarState: Sendable, Equatable {
    /// The id of the built-in round-the-clock calendar, which no event defines.
    public static let twentyFourSevenID = "24x7"

    /// The built-in calendar `24x7`: `BusinessCalendar.twentyFourSeven` at every instant (amendment 0).
    public static let twentyFourSeven = CalendarState(
        id: twentyFourSevenID, name: "Round the clock",
        versions: [
            CalendarVersion(
                amendment: 0, effectiveFrom: Timestamp(millisecondsSinceEpoch: .min), calendar: .twentyFourSeven)
        ])

    /// The built-in calendar with `id`, if there is one (only `24x7`); other ids are folded from their stream.
    public static func builtIn(_ id: String) -> CalendarState? {
        id == twentyFourSevenID ? twentyFourSeven : nil
    }

    /// The calendar's id; nil until defined.
    public var id: String?
    /// The display name.
    public var name: String
    /// Every version, in recording order (amendment 0 first).
    public var versions: [CalendarVersion]

    /// A state with every field given; streams start from ``CalendarDecider/initialState``.
    public init(id: String? = nil, name: String = "", versions: [CalendarVersion] = []) {
        self.id = id
        self.name = name
        self.versions = versions
    }

    /// When the original hours take effect.
    public var startsAt: Timestamp? { versions.first?.effectiveFrom }

    /// The number the next amendment gets.
    public var nextAmendment: Int { (versions.map(\.amendment).max() ?? 0) + 1 }

    /// The version in force at `instant`, or nil before the first one.
    ///
    /// Rule (as for contracts): among the versions whose `effectiveFrom` is at or before `instant`, the one with
    /// the greatest `effectiveFrom`; between versions with the same `effectiveFrom`, the higher amendment number
    /// (recorded later) wins.
    public func version(at instant: Timestamp) -> CalendarVersion? {
        versionInForce(versions, at: instant, effectiveFrom: \.effectiveFrom, amendment: \.amendment)
    }

    /// The amendment number and calendar in force at `instant` (see ``version(at:)``), or nil before the first one.
    public func calendar(at instant: Timestamp) -> (amendment: Int, calendar: BusinessCalendar)? {
        version(at: instant).map { ($0.amendment, $0.calendar) }
    }
}

extension CalendarDecider {
    /// Applies one event.
    public static func evolve(_ state: CalendarState, _ event: CalendarEvent) -> CalendarState {
        var state = state
        switch event {
        case .defined(let e):
            state = CalendarState(
                id: e.id, name: e.name,
                versions: [CalendarVersion(amendment: 0, effectiveFrom: e.effectiveFrom, calendar: e.calendar)])
        case .amended(let e):
            state.versions.append(
                CalendarVersion(amendment: e.amendment, effectiveFrom: e.effectiveFrom, calendar: e.calendar))
        }
        return state
    }
}
