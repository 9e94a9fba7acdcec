import BusinessTime
import DocketTime
import Domain

/// One end of a report's window (docs/cli.md, "Report windows").
public enum ReportBound: Sendable, Equatable {
    /// A time typed with `Z` or an offset: exactly that instant, for every row.
    case instant(Timestamp)
    /// A date (its midnight) or a date and time typed without a zone: what clocks read, held as the instant at which a
    /// UTC clock reads it. Each row reads it in its own zone: the client's, or the report's `--time-zone`.
    case wallClock(Timestamp)

    /// A bound as a person types it (`docket report --from`, the report routes' `from`): with `Z` or an offset (RFC
    /// 3339, seconds optional) exactly that instant; a date (`2026-11-01`, its midnight) or a date and time without a
    /// zone (`2026-11-01 08:00`, `2026-11-01T08:00:00`) what clocks read. Nil for anything else.
    public init?(typed text: String) {
        if let exact = Timestamp.typed(text) {
            self = .instant(exact)
        } else if let reading = Timestamp.wallClockReading(text) {
            self = .wallClock(reading)
        } else {
            return nil
        }
    }

    /// The instant it names for a client whose billing months are `months`: a wall-clock reading in the zone of the
    /// billing month it falls in (``BillingMonths/instant(reading:)``).
    public func instant(in months: BillingMonths) -> Timestamp {
        switch self {
        case .instant(let instant): instant
        case .wallClock(let reading): months.instant(reading: reading)
        }
    }

    /// The local day it falls on in `zone`: a wall-clock time's own date, an instant's date there.
    func day(in zone: WallTimeZone) -> Int64 {
        let reading: Timestamp
        switch self {
        case .instant(let instant): reading = zone.reading(at: instant)
        case .wallClock(let wall): reading = wall
        }
        let day: Int64 = 86_400_000
        let milliseconds = reading.millisecondsSinceEpoch
        return milliseconds >= 0 ? milliseconds / day : (milliseconds - day + 1) / day
    }

    /// The instant, or the wall-clock reading taken as UTC: for ordering two bounds and for bounding a scan.
    var nominal: Timestamp {
        switch self {
        case .instant(let instant), .wallClock(let instant): instant
        }
    }
}

/// A report's window `[from, to)`, whose ends typed without a zone are read in the zone of each row: a client's rows
/// (its tickets, time entries and invoices) in the zone of the client's billing month they fall in (its time zone,
/// but a month already invoiced keeps the zone it was billed in), other rows (a tech's capacity) in UTC; or every row
/// in `zone` when the report is given one (`--time-zone`). Ends typed with a zone are exact for every row.
public struct ReportWindow: Sendable, Equatable {
    public var from: ReportBound
    public var to: ReportBound
    /// The zone every row reads a wall-clock end in (`--time-zone`); nil: each client's own, UTC for other rows.
    public var zone: String?

    public init(from: ReportBound, to: ReportBound, zone: String? = nil) {
        self.from = from
        self.to = to
        self.zone = zone
    }

    /// The exact window `[from, to)`, the same for every row.
    public init(from: Timestamp, to: Timestamp) {
        self.init(from: .instant(from), to: .instant(to))
    }

    /// Whether `from` comes before `to` (wall-clock ends compared as read in UTC).
    public var isOrdered: Bool { from.nominal < to.nominal }

    /// The window as instants for rows in the zone named `rowZone` (a client's; nil for rows of no client), which the
    /// report's `zone` overrides. A zone the system does not know reads as UTC, as billing months do.
    public func instants(forRowsIn rowZone: String?) -> ResolvedReportWindow {
        instants(forRowsOf: BillingMonths(current: rowZone ?? "UTC"))
    }

    /// The window as instants for the rows of a client whose billing months are `months` (``InvoiceLedger/billingMonths
    /// (current:)``): a wall-clock end is read in the zone of the billing month it falls in, so `2026-11-01` is where
    /// the client's November starts on its invoices, even after the client changed time zone. The report's `zone`
    /// overrides (calendar months in that zone).
    public func instants(forRowsOf months: BillingMonths) -> ResolvedReportWindow {
        let months = zone.map { BillingMonths(current: $0) } ?? months
        return ResolvedReportWindow(from: from.instant(in: months), to: to.instant(in: months), months: months)
    }

    /// Whether an invoice billing month `period`, whose months are in `monthZone` (the zone the invoice recorded; nil
    /// for UTC), counts: when the month's first day is on or after the day `from` falls on and before the day `to` falls
    /// on, both days read in `monthZone`. So an invoice counts in the month it bills whatever offset or zone the window
    /// was typed with: `2026-11-01`, `2026-11-01T00:00-05:00` and `2026-11-01T00:00Z` all start at November's invoice.
    public func countsMonth(_ period: BillingPeriod, zone monthZone: String?) -> Bool {
        let zone = monthZone.flatMap(WallTimeZone.init) ?? .utc
        let first = CivilCalendar.daysSinceEpoch(year: period.year, month: period.month, day: 1)
        return from.day(in: zone) <= first && first < to.day(in: zone)
    }

    /// An instant after every row's end of the window (a wall-clock end read in the zone furthest behind UTC).
    public var latestEnd: Timestamp {
        switch to {
        case .instant(let instant): instant
        case .wallClock(let reading): Timestamp(millisecondsSinceEpoch: reading.millisecondsSinceEpoch + 86_400_000)
        }
    }
}

/// A ``ReportWindow`` read in one zone: `[from, to)` as instants.
public struct ResolvedReportWindow: Sendable {
    public let from: Timestamp
    public let to: Timestamp
    /// The months it was read in: a client's billing months, or calendar months of one zone.
    public let months: BillingMonths
    /// The zone of its rows now (the local days of a tech's rows decide their capacity).
    public let zone: WallTimeZone

    init(from: Timestamp, to: Timestamp, months: BillingMonths) {
        self.from = from
        self.to = to
        self.months = months
        zone = WallTimeZone(months.current) ?? .utc
    }

    /// Whether `instant` is in `[from, to)`.
    public func contains(_ instant: Timestamp) -> Bool { instant >= from && instant < to }

    /// Whether `milliseconds` since the epoch are in `[from, to)`.
    func contains(milliseconds: Int64) -> Bool { milliseconds >= from.millisecondsSinceEpoch && milliseconds < to.millisecondsSinceEpoch }
}
