import DocketTime

/// An IANA time zone's wall clock, for questions about local dates without business hours (billing months).
///
/// The same zone rules as ``BusinessCalendar``: a local midnight that does not exist (clock set forward across
/// midnight) moves forward by the skip; one that happens twice means its first occurrence.
public struct LocalTimeZone: Sendable {
    /// The IANA identifier, such as `America/New_York`.
    public let identifier: String
    private let zone: ZoneRules

    /// The zone named `identifier`, or nil when the system does not know it.
    public init?(_ identifier: String) {
        guard let zone = ZoneRules.named(identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// UTC.
    public static let utc = LocalTimeZone(identifier: "UTC", zone: .utc)

    private init(identifier: String, zone: ZoneRules) {
        self.identifier = identifier
        self.zone = zone
    }

    /// The first instant of local day `date` (its midnight).
    public func startOfDay(_ date: LocalDate) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: zone.resolve(local: date.daysSinceEpoch * 86_400) * 1000)
    }

    /// The local date whose day holds `instant`.
    public func localDate(containing instant: Timestamp) -> LocalDate {
        let second = ZoneRules.floorDivide(instant.millisecondsSinceEpoch, 1000)
        var day = ZoneRules.floorDivide(second + zone.offset(at: second), 86_400)
        // Near a clock change across midnight, settle on the day whose [midnight, next midnight) holds the instant.
        while instant < startOfDay(LocalDate(daysSinceEpoch: day)) { day -= 1 }
        while instant >= startOfDay(LocalDate(daysSinceEpoch: day + 1)) { day += 1 }
        return LocalDate(daysSinceEpoch: day)
    }
}
