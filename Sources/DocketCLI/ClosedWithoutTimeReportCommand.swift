import ArgumentParser
import DocketApp
import Foundation

/// `docket report closed-without-time --from --to [--tech LOGIN] [--client C] [--format table|csv|json]`.
struct ClosedWithoutTimeReportCommand: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "closed-without-time",
        abstract: "Tickets closed in a period by someone who had logged no time on them.",
        discussion: """
            docket report closed-without-time --from 2026-11-01 --to 2026-12-01
            docket report closed-without-time --from 2026-11-01 --to 2026-12-01 \\
              --tech bob --format csv
            Lists each close whose closer had no time entry (not voided) on the \
            ticket at that moment: closes with --no-time --reason (REASON), closes \
            recorded before the rule, and monitoring's auto-resolves (SYSTEM = yes). \
            ANY TIME says whether anyone has time on the ticket now.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup(title: "Window (closes in it)") var window: ReportWindowOptions
    @Option(help: "Only closes by this login.") var tech: String?
    @Option(help: "Only tickets of this client (its code).") var client: String?
    @OptionGroup var output: ReportFormatOptions

    func run(in session: Session) throws {
        // An unknown tech or client is a typo to report, not an empty report.
        if let tech { _ = try session.app.directory.user(tech) }
        if let client { _ = try session.app.directory.client(client) }
        let lines = try session.app.billing.closedWithoutTimeReport(
            ClosedWithoutTimeFilter(window: try window.window(), tech: tech, client: client))
        let yesNo = { (flag: Bool) in flag ? "yes" : "no" }
        let columns: [CSVColumn] = [
            .text("TICKET"), .text("CLIENT"), .number("CLOSED AT"), .text("CLOSED BY"), .text("SYSTEM"), .text("ANY TIME"), .text("REASON"),
        ]
        let rows = lines.map {
            [$0.ticket, $0.client, $0.closedAt, $0.closedBy, yesNo($0.systemClose), yesNo($0.ticketHasTime), $0.reason ?? ""]
        }
        switch output.resolved {
        case .json: try printJSON(lines)
        case .table: Terminal.out(Terminal.table(columns.map(\.name), rows))
        case .csv: Terminal.out(output.csv(columns, rows))
        }
    }
}
