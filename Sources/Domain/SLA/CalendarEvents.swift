import BusinessTime
import DocketTime

/// Something that happened to a business calendar (stream `calendar-<id>`).
///
/// The built-in calendar `24x7` (``CalendarState/twentyFourSevenID``) has no stream: it always resolves to
/// `BusinessCalendar.twentyFourSeven`.
public enum CalendarEvent: Sendable, Equatable {
    /// See ``CalendarDefined``.
    case defined(CalendarDefined)
    /// See ``CalendarAmended``.
    case amended(CalendarAmended)
}

/// `calendar.defined.v1`: a business calendar and its original hours (amendment 0).
public struct CalendarDefined: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "calendar", type: "calendar.defined", schemaVersion: 1,
        summary: "A business calendar was defined; its original hours (amendment 0) take effect at effectiveFrom.")
    /// The calendar's id, e.g. `ny-office`.
    public var id: String
    /// The display name.
    public var name: String
    /// When the original hours take effect.
    public var effectiveFrom: Timestamp
    /// Time zone, weekly hours, holidays and replacement hours.
    public var calendar: BusinessCalendar

    /// A payload with the given fields.
    public init(id: String, name: String, effectiveFrom: Timestamp, calendar: BusinessCalendar) {
        self.id = id
        self.name = name
        self.effectiveFrom = effectiveFrom
        self.calendar = calendar
    }

    private enum CodingKeys: String, CodingKey { case id, name, effectiveFrom, calendar }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
        calendar = try c.decode(BusinessCalendar.self, forKey: .calendar)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
        try c.encode(calendar, forKey: .calendar)
    }
}

/// `calendar.amended.v1`: a complete new version of the calendar, in force from `effectiveFrom`.
public struct CalendarAmended: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "calendar", type: "calendar.amended", schemaVersion: 1,
        summary: "A new version of the calendar (complete, numbered 1, 2, …) takes effect at effectiveFrom.")
    /// 1 for the first amendment, then 2, 3, … in recording order.
    public var amendment: Int
    /// When this version takes effect (may be earlier than versions recorded before it).
    public var effectiveFrom: Timestamp
    /// The complete calendar of this version.
    public var calendar: BusinessCalendar

    /// A payload with the given fields.
    public init(amendment: Int, effectiveFrom: Timestamp, calendar: BusinessCalendar) {
        self.amendment = amendment
        self.effectiveFrom = effectiveFrom
        self.calendar = calendar
    }

    private enum CodingKeys: String, CodingKey { case amendment, effectiveFrom, calendar }

    /// A payload with the given fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amendment = try c.decode(Int.self, forKey: .amendment)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
        calendar = try c.decode(BusinessCalendar.self, forKey: .calendar)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amendment, forKey: .amendment)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
        try c.encode(calendar, forKey: .calendar)
    }
}

extension CalendarEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<CalendarEvent>] = [
        .init(CalendarDefined.self) { .defined($0) },
        .init(CalendarAmended.self) { .amended($0) },
    ]
}
