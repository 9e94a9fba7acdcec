import ArgumentParser
import DocketApp

extension SatisfactionReportGrouping: ExpressibleByArgument {}

/// `docket report satisfaction --from --to [--by client|tech|month] [--format table|csv|json]`.
struct SatisfactionReportCommand: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "satisfaction",
        abstract: "How clients rated the resolutions of tickets closed in a period (the survey: `docket survey`).",
        discussion: """
            docket report satisfaction --from 2026-11-01 --to 2026-12-01
            docket report satisfaction --from 2026-11-01 --to 2026-12-01 \\
              --by tech --format csv
            Counts the closes in the period (each close of a ticket reopened and closed again counts) \
            and the ratings in force of them (a contact's later rating of the same close replaces the \
            earlier one), whenever given. RESPONSE RATE is rated/closes, GOOD % good/rated. TECH is who \
            closed the ticket.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup(title: "Window (closes in it)") var window: ReportWindowOptions
    @Option(help: "Group by client, tech (who closed) or month (of the close, in its client's time zone).")
    var by: SatisfactionReportGrouping = .client
    @OptionGroup var output: ReportFormatOptions

    func run(in session: Session) throws {
        let lines = try session.app.tickets.satisfactionReport(try window.window(), by: by)
        let percent = { (value: Int?) in value.map { "\($0 / 10).\($0 % 10)%" } ?? "—" }
        let columns = [CSVColumn(name: by.rawValue.uppercased(), kind: by == .month ? .number : .text)]
            + ["CLOSES", "RATED", "GOOD", "OKAY", "BAD", "RESPONSE RATE", "GOOD %"].map(CSVColumn.number)
        let rows = lines.map {
            [$0.group, String($0.closes), String($0.rated), String($0.good), String($0.okay), String($0.bad)]
                + [percent($0.responseRatePerMille), percent($0.goodPerMille)]
        }
        switch output.resolved {
        case .json: try printJSON(lines)
        case .table: Terminal.out(Terminal.table(columns.map(\.name), rows))
        case .csv: Terminal.out(output.csv(columns, rows))
        }
    }
}
