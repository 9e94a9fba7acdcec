import DocketApp
import Domain

/// The client's staff note (`docket client update --staff-note`), told on stderr to whoever starts work for the client
/// (`ticket open`, `ticket take`, `time log`, `time start`), as a PSA shows a company's alert: `docket: note: client
/// acme: On credit hold: no billable work without Bill's OK`. Nothing when the client has none; stdout is unchanged.
enum StaffNotes {
    /// Tells `client`'s note, if it has one.
    static func tell(client: String, in session: Session) throws {
        if let note = try session.app.directory.client(client).staffNote { Terminal.error("docket: note: client \(client): \(note)") }
    }

    /// Tells the note of `ticket`'s client, if it has one.
    static func tell(ticket: TicketNumber, in session: Session) throws {
        try tell(client: try session.app.tickets.ticketSummary(ticket).client, in: session)
    }
}
