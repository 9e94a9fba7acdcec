import BusinessTime
import DocketApp
import DocketTime
import Domain
import Foundation

/// A time a person typed, read as the CLI reads it: with an offset or `Z` (RFC 3339) it means exactly that; without
/// one (`2026-11-03 14:00`, `2026-11-03T14:00:30`, or a date meaning its midnight) it is read in a zone chosen as the
/// CLI chooses it: for `at` of `POST /v1/time` (`docket time log --at`) the caller's own time zone (`docket user
/// time-zone`), else the ticket's client's, else the server's; for `from`/`to` of `GET /v1/time` (`docket time list`)
/// the caller's own, else the server's.
enum TypedTime {
    /// `at` about `ticket`, typed by `login`.
    @available(*, noasync, message: "reads the store")
    static func parse(_ text: String, about ticket: TicketNumber, by login: String, in app: DocketApplication) throws -> Timestamp {
        try parse(text, field: "at") { try own(login, in: app) ?? client(of: ticket, in: app) ?? machine() }
    }

    /// `field` (`from`, `to`) of a listing viewed by `login`; of one client's (`client`), read in that client's zone
    /// when the viewer has none of their own, as `time list --client` reads it.
    @available(*, noasync, message: "reads the store")
    static func parse(_ text: String, field: String, viewer login: String, client code: String? = nil, in app: DocketApplication) throws -> Timestamp {
        try parse(text, field: field) { try own(login, in: app) ?? code.flatMap { try client(code: $0, in: app) } ?? machine() }
    }

    /// `text` as an instant; `zone` (and whose it is) is asked for only when `text` names no offset.
    private static func parse(_ text: String, field: String, zone: () throws -> (WallTimeZone, String)) throws -> Timestamp {
        if let exact = Timestamp.typed(text) { return exact }
        let (zone, whose) = try zone()
        guard let reading = Timestamp.wallClockReading(text) else {
            throw ApplicationFailure(
                .badInput,
                "\(field) \"\(text)\" is not a time; write it like 2026-11-03 14:00 (in \(whose) time zone, \(zone.identifier)) or 2026-11-03T14:00:00+01:00")
        }
        return zone.instant(reading: reading)
    }

    /// The zone `login` set for themself: the one they have now, on a replay too.
    private static func own(_ login: String, in app: DocketApplication) throws -> (WallTimeZone, String)? {
        guard let identifier = (try? app.reader(login))?.timeZone, let zone = WallTimeZone(identifier) else { return nil }
        return (zone, "user \(login)'s")
    }

    /// The zone of `ticket`'s client.
    private static func client(of ticket: TicketNumber, in app: DocketApplication) throws -> (WallTimeZone, String)? {
        try client(code: try app.tickets.ticketSummary(ticket).client, in: app)
    }

    /// The zone of client `code`.
    private static func client(code: String, in app: DocketApplication) throws -> (WallTimeZone, String)? {
        WallTimeZone(try app.directory.client(code).timeZone).map { ($0, "client \(code)'s") }
    }

    /// This machine's zone (`$TZ`, else the system setting), UTC when it is unknown.
    private static func machine() -> (WallTimeZone, String) {
        (WallTimeZone(TimeZone.current.identifier) ?? .utc, "this machine's")
    }
}
