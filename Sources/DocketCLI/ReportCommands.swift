import ArgumentParser
import BusinessTime
import DocketApp
import DocketTime
import Foundation

/// `docket report …`: numbers for managers and clients.
struct ReportGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports rebuilt from the log.",
        discussion: """
            Every active user reads sla, closed-without-time, leakage, utilization, volume and satisfaction (hours and counts, no staff \
            cost). profitability prices time at the techs' cost rates: it is for billing and admins (anyone else: exit 5, \
            nothing read). --as-of (the report as it could be run then) is for billing and admins.
            """,
        subcommands: [
            SLAReportCommand.self, ClosedWithoutTimeReportCommand.self, ProfitabilityReportCommand.self, LeakageReportCommand.self,
            UtilizationReportCommand.self, VolumeReportCommand.self, SatisfactionReportCommand.self,
        ])
}

/// Report output formats.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// A report's `--format table|csv|json`, and `--json`, as every other read command spells JSON; `--raw-text` for CSV.
struct ReportFormatOptions: ParsableArguments {
    @Option(help: "table, csv or json. (default: table)") var format: ReportFormat?
    @Flag(help: "Print JSON (the same as --format json).") var json = false
    @OptionGroup var text: CSVTextOptions

    /// The format asked for.
    var resolved: ReportFormat { json ? .json : format ?? .table }

    func validate() throws {
        if json, let format, format != .json { throw ValidationError("--json and --format \(format.rawValue) ask for two formats; give one") }
        try text.requireCSV(resolved == .csv, format: resolved == .json ? "JSON" : "a table")
    }

    /// The report's rows as CSV (``CSVWriter``, as `--raw-text` asks): a value the table shows as `—` (none: no margin
    /// without revenue, no rate without billed time, no category) is left empty, so that a spreadsheet reads an empty
    /// cell in a column of numbers rather than text.
    func csv(_ columns: [CSVColumn], _ rows: [[String]]) -> String {
        text.writer.document(columns, rows.map { $0.map { $0 == "—" ? "" : $0 } })
    }
}

extension SLAReportGrouping: ExpressibleByArgument {}

/// A report's `--from`/`--to`: with `Z` or an offset (RFC 3339) exactly that instant; a date (`2026-11-01`, its
/// midnight) or a date and time without a zone (`2026-11-01 08:00`) is what clocks read, read in each row's zone.
struct ReportTimeArgument {
    let bound: ReportBound

    /// `text` as a report's bound, or a usage error saying the forms it takes (`nope` was only "invalid for '--from
    /// <from>'").
    static func parse(_ text: String) throws -> ReportTimeArgument {
        guard let bound = ReportTimeArgument(argument: text) else {
            throw ValidationError(
                "a time is a date (2026-11-01), a local time (2026-11-01 08:00) or RFC 3339 with Z or an offset (2026-11-01T08:00:00Z)")
        }
        return bound
    }

    init?(argument: String) {
        guard let bound = ReportBound(typed: argument) else { return nil }
        self.bound = bound
    }
}

/// What every report takes: the window `[--from, --to)` and the zone its dates are read in (docs/cli.md, "Report
/// windows").
struct ReportWindowOptions: ParsableArguments {
    @Option(
        help: """
            At or after this time: a date (2026-11-01) or a local time (2026-11-01 08:00), read in each client's time zone \
            (UTC for techs' rows), or RFC 3339 with Z or an offset (exact).
            """, transform: ReportTimeArgument.parse)
    var from: ReportTimeArgument
    @Option(help: "…and before this time (the same forms).", transform: ReportTimeArgument.parse) var to: ReportTimeArgument
    @Option(help: "Read a --from/--to typed without a zone in this IANA time zone for every row, instead of each client's.")
    var timeZone: String?

    func validate() throws {
        guard ReportWindow(from: from.bound, to: to.bound).isOrdered else { throw ValidationError("--from must be before --to") }
    }

    /// The window; an unknown `--time-zone` is bad input (exit 65).
    func window() throws -> ReportWindow {
        if let timeZone, WallTimeZone(timeZone) == nil {
            throw CLIError.badInput("--time-zone \"\(timeZone)\" is unknown; use an IANA name such as America/New_York or UTC")
        }
        return ReportWindow(from: from.bound, to: to.bound, zone: timeZone)
    }
}

/// `docket report sla --from --to [--by client|priority|month] [--format table|csv|json]`.
struct SLAReportCommand: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla",
        abstract: "SLA hit rate: tickets opened in a period, met, breached, median response and resolution.",
        discussion: """
            docket report sla --from 2026-10-01 --to 2026-11-01 --by client --format csv
            Times in business minutes on each ticket's own calendar. Hit rate = met / (met + breached); \
            tickets still open within target count as open. Medians are the lower middle value. \
            A ticket breached under a target that a priority change later replaced stays breached; it is also \
            counted in its own column (the new target's outcome is in `docket ticket show`).
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup(title: "Window (tickets opened in it)") var window: ReportWindowOptions
    @Option(help: "Group by client, priority or month (the month the ticket was opened, in its client's time zone).")
    var by: SLAReportGrouping = .client
    @OptionGroup var output: ReportFormatOptions

    func run(in session: Session) throws {
        let lines = try session.app.sla.slaReport(try window.window(), by: by, now: session.app.clock.now())
        let rate = { (line: SLAReportLine) in line.hitRatePerMille.map { "\($0 / 10).\($0 % 10)%" } ?? "—" }
        let minutes = { (value: Int64?) in value.map(String.init) ?? "" }
        // Grouped by month the group is a month (a date); by client or priority, words.
        let columns = [CSVColumn(name: by.rawValue.uppercased(), kind: by == .month ? .number : .text)]
            + ["TICKETS", "MET", "BREACHED", "OPEN", "HIT RATE", "MEDIAN RESPONSE MIN", "MEDIAN RESOLUTION MIN", "BREACHED BEFORE PRIORITY CHANGE"]
            .map(CSVColumn.number)
        let rows = lines.map { [$0.group, String($0.tickets), String($0.met), String($0.breached), String($0.open), rate($0), minutes($0.medianResponseMinutes), minutes($0.medianResolutionMinutes), String($0.breachedBeforePriorityChange)] }
        switch output.resolved {
        case .json: try printJSON(lines)
        case .table: Terminal.out(Terminal.table(columns.map(\.name), rows))
        case .csv: Terminal.out(output.csv(columns, rows))
        }
    }
}

