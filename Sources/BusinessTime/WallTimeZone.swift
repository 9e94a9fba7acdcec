import DocketTime

/// An IANA time zone as people read it: the instant a wall-clock reading names, and the reading of an instant.
///
/// A reading is written as a `Timestamp` whose UTC fields are the local date and time (so `2026-11-04 18:20`
/// is `Timestamp(iso8601: "2026-11-04T18:20:00Z")`). Readings that happen twice or never follow the calendars'
/// DST rules (`OffsetTable.resolve(local:)`): a repeated time means its first occurrence, a skipped one is moved
/// forward by the length of the skip.
public struct WallTimeZone: Sendable {
    /// The IANA identifier, such as `America/New_York`.
    public let identifier: String
    private let rules: ZoneRules

    /// The zone `identifier`, or nil when the system does not know it.
    public init?(_ identifier: String) {
        guard let rules = ZoneRules.named(identifier) else { return nil }
        self.init(identifier: identifier, rules: rules)
    }

    private init(identifier: String, rules: ZoneRules) {
        self.identifier = identifier
        self.rules = rules
    }

    /// UTC (always known).
    public static let utc = WallTimeZone(identifier: "UTC", rules: .utc)

    /// The instant at which clocks in this zone read `reading`.
    public func instant(reading: Timestamp) -> Timestamp {
        let (seconds, millis) = Self.split(reading.millisecondsSinceEpoch)
        return Timestamp(millisecondsSinceEpoch: rules.resolve(local: seconds) * 1000 + millis)
    }

    /// What clocks in this zone read at `instant`.
    public func reading(at instant: Timestamp) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: instant.millisecondsSinceEpoch + offsetSeconds(at: instant) * 1000)
    }

    /// The zone's offset from UTC at `instant`, in seconds (east positive).
    public func offsetSeconds(at instant: Timestamp) -> Int64 {
        rules.offset(at: Self.split(instant.millisecondsSinceEpoch).seconds)
    }

    private static func split(_ milliseconds: Int64) -> (seconds: Int64, millis: Int64) {
        let seconds = ZoneRules.floorDivide(milliseconds, 1000)
        return (seconds, milliseconds - seconds * 1000)
    }
}
