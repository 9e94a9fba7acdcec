import BusinessTime
import DocketApp
import DocketTime
import Domain
import Foundation

/// A time a person typed about a ticket (`at` of `POST /v1/time`), read as `docket time log --at` reads it: with an
/// offset or `Z` (RFC 3339) it means exactly that; without one (`2026-11-03 14:00`, `2026-11-03T14:00:30`, or a date
/// meaning its midnight) it is read in the caller's own time zone (`docket user time-zone`), else the ticket's
/// client's, else the server's.
enum TypedTime {
    @available(*, noasync, message: "reads the store")
    static func parse(_ text: String, about ticket: TicketNumber, by login: String, in app: DocketApplication) throws -> Timestamp {
        if let exact = Timestamp(iso8601: text) { return exact }
        let (zone, whose) = try self.zone(about: ticket, by: login, in: app)
        guard let reading = [text + ":00Z", text + "Z", text + "T00:00:00Z"].lazy.compactMap(Timestamp.init(iso8601:)).first else {
            throw ApplicationFailure(
                .badInput,
                "at \"\(text)\" is not a time; write it like 2026-11-03 14:00 (in \(whose) time zone, \(zone.identifier)) or 2026-11-03T14:00:00+01:00")
        }
        return zone.instant(reading: reading)
    }

    /// The zone a zoneless time is read in, and whose it is.
    @available(*, noasync, message: "reads the store")
    private static func zone(about ticket: TicketNumber, by login: String, in app: DocketApplication) throws -> (WallTimeZone, String) {
        if let identifier = (try? app.directory.user(login))?.timeZone, let zone = WallTimeZone(identifier) { return (zone, "user \(login)'s") }
        let code = try app.tickets.ticketSummary(ticket).client
        if let zone = WallTimeZone(try app.directory.client(code).timeZone) { return (zone, "client \(code)'s") }
        return (WallTimeZone(TimeZone.current.identifier) ?? .utc, "this machine's")
    }
}
