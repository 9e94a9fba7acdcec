import BusinessTime
import DocketTime

/// Where a client's billing months fall on the time line: calendar months in the client's time zone
/// (docs/billing.md, "Billing months").
///
/// A month already billed keeps the zone it was billed in, so a client that changes time zone changes only the
/// months not yet billed: the zone takes effect from the next unbilled month. Each month ends at the local midnight
/// starting the next month, in the month's own zone, and starts where the month before it ended, so months never
/// overlap or leave a gap, even across a change of zone. Invoices drafted before months followed the client's zone
/// recorded none: their months are UTC months, as they were billed.
public struct BillingMonths: Sendable {
    /// Months up to and including `through` (and after the span before it) are in `zone`.
    public struct Span: Sendable, Equatable {
        public var through: BillingPeriod
        public var zone: String

        public init(through: BillingPeriod, zone: String) {
            self.through = through
            self.zone = zone
        }
    }

    /// The zones of months already billed, in month order.
    public let spans: [Span]
    /// The zone of every later month: the client's time zone now.
    public let current: String
    private let zones: [String: LocalTimeZone]

    /// Months in `current` after the billed `spans`. A zone the system does not know counts as UTC.
    public init(spans: [Span] = [], current: String) {
        self.spans = spans
        self.current = current
        var zones: [String: LocalTimeZone] = [:]
        for name in Set(spans.map(\.zone) + [current]) { zones[name] = LocalTimeZone(name) ?? .utc }
        self.zones = zones
    }

    /// The months of a client whose invoices billed `billed` (each invoice's period and the zone it recorded, nil for
    /// UTC, in draft order, discarded drafts left out): months through each period keep that zone (a period not after
    /// the one before it fixes nothing more); later months are in `current`.
    public init(billed: some Sequence<(period: String, zone: String?)>, current: String) {
        var spans: [Span] = []
        for (text, zone) in billed {
            guard let period = BillingPeriod(text), spans.last.map({ period > $0.through }) ?? true else { continue }
            spans.append(Span(through: period, zone: zone ?? "UTC"))
        }
        self.init(spans: spans, current: current)
    }

    /// UTC calendar months (clients without a zone, and the tests of everything else).
    public static let utc = BillingMonths(current: "UTC")

    /// The zone the month `period` is billed in.
    public func zone(of period: BillingPeriod) -> String {
        spans.first { period <= $0.through }?.zone ?? current
    }

    /// The first instant after the month: midnight starting the next month, in the month's zone.
    public func end(of period: BillingPeriod) -> Timestamp {
        let next = period.next
        let zone = zones[zone(of: period)] ?? .utc
        return zone.startOfDay(LocalDate(daysSinceEpoch: CivilCalendar.daysSinceEpoch(year: next.year, month: next.month, day: 1)))
    }

    /// The first instant of the month: where the month before it ends.
    public func start(of period: BillingPeriod) -> Timestamp { end(of: period.previous) }

    /// The month holding `instant`.
    public func period(containing instant: Timestamp) -> BillingPeriod {
        // A zone is less than a day from UTC, so the month is the UTC month or one of its neighbours.
        let utc = BillingPeriod(containing: instant)
        if instant < start(of: utc) { return utc.previous }
        if instant >= end(of: utc) { return utc.next }
        return utc
    }

    /// The instant at which the client's clocks read `reading` (a wall-clock reading: its UTC fields are the local
    /// date and time), read in the zone of the billing month its date falls in. Midnight starting a month is where
    /// that month starts (midnight in the zone of the month before it), so a window typed in dates (a report's) holds
    /// exactly the months the client's invoices bill, across a change of zone; a reading the month's zone would put
    /// before the month's start is the start.
    public func instant(reading: Timestamp) -> Timestamp {
        let period = BillingPeriod(containing: reading)
        let start = start(of: period)
        if reading == period.start { return start }
        return max(start, (WallTimeZone(zone(of: period)) ?? .utc).instant(reading: reading))
    }
}

extension InvoiceLedger {
    /// The client's billing months: months through each invoice's period keep the zone that invoice recorded
    /// (UTC when it recorded none), in draft order; discarded drafts fix nothing; later months are in `current`.
    public func billingMonths(current: String) -> BillingMonths {
        BillingMonths(billed: invoices.lazy.filter { $0.status != .discarded }.map { (period: $0.period, zone: $0.timeZone) }, current: current)
    }
}
