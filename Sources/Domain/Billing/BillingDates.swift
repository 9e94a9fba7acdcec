import DocketTime

/// The instants dated terms and work may take: the years 2000 through 2199, UTC. Outside them a typo such as
/// `0026-01-01` would bill centuries of monthly fees, or date an SLA policy's start two thousand years back. Every
/// decider that records such a date checks it (contracts, calendars and SLA policies' `effectiveFrom`, a time entry's
/// start), so the CLI, the server and the HTTP API refuse the same input the same way (`invalid`, exit 65, HTTP 422).
public enum BillingDates {
    /// 2000-01-01T00:00:00Z.
    public static let earliest = Timestamp(millisecondsSinceEpoch: 946_684_800_000)
    /// 2200-01-01T00:00:00Z, the first instant out of range.
    public static let end = Timestamp(millisecondsSinceEpoch: 7_258_118_400_000)

    /// Whether `instant` is in range.
    public static func contains(_ instant: Timestamp) -> Bool { instant >= earliest && instant < end }

    /// Refuses `instant` out of range, naming `what` it is (`contract acme-2026's effective date`) and the `kind` of
    /// dates the range is for (a ticket's due date is no billing date, but a year 26 is as wrong there). The instant is
    /// RFC 3339 UTC in the message (the HTTP API's problem), apart for a caller that writes it in its reader's zone.
    public static func check(_ instant: Timestamp, _ what: String, kind: String = "billing dates") throws(DomainError) {
        guard contains(instant) else {
            throw DomainError(
                .invalid, timed: "\(what) \(time: instant) is out of range: \(kind) run from 2000-01-01 to 2199-12-31 (UTC); check the year")
        }
    }
}
