import BusinessTime
import DocketTime

/// What a user asks of a business calendar (stream `calendar-<id>`). Hours change only through new, dated events.
public enum CalendarCommand: Sendable, Equatable {
    /// Define a calendar.
    case define(DefineCalendar)
    /// Add a complete version of the calendar, in force from `effectiveFrom`.
    case amend(effectiveFrom: Timestamp, calendar: BusinessCalendar)
}

/// The input of ``CalendarCommand/define(_:)``.
public struct DefineCalendar: Sendable, Equatable {
    /// 2 to 64 lower-case letters, digits and dashes, e.g. `ny-office`; `24x7` is reserved for the built-in one.
    public var id: String
    /// The display name.
    public var name: String
    /// When the original hours take effect.
    public var effectiveFrom: Timestamp
    /// The hours (already validated by `BusinessCalendar`).
    public var calendar: BusinessCalendar

    /// The input to define a calendar.
    public init(id: String, name: String, effectiveFrom: Timestamp, calendar: BusinessCalendar) {
        self.id = id
        self.name = name
        self.effectiveFrom = effectiveFrom
        self.calendar = calendar
    }
}
