import ArgumentParser
import DocketApp
import Domain
import Foundation

/// What every billing report takes: the window and the format.
struct BillingReportOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup(title: "Window (work started, tickets opened or closed, invoices by the month they bill)") var window: ReportWindowOptions
    @OptionGroup var output: ReportFormatOptions

    /// Rebuilds the reports' fold from the log (progress on stderr when it is a terminal) and prints `rows`. A report
    /// that `showsCost` (staff cost rates, margins) is for billing and admins only (``Action/readCosts``).
    func run<Row: Encodable>(
        capacityHoursPerWeek: Int = 40, revenueBy: RevenueDating = .period, showsCost: Bool = false, columns: [CSVColumn],
        rows: (BillingReportFold) -> [Row], cells: (Row) -> [String]
    ) throws {
        try reportingFailures(store: store.path) {
            // The reports read only the log: open it read-only, without catching up read models (which would write,
            // and on a big imported log take far longer than the report).
            // Inside the server, the store it holds open (a store is opened once per process).
            let log: LogService
            if ServedInvocation.current != nil, let served = ServedStore.current {
                log = served.log
            } else {
                guard FileManager.default.fileExists(atPath: store.path + "/data.mdb") else {
                    throw StoreAccess.missingStore(store.path, fix: "run `docket init --store \(store.path)` or set $DOCKET_STORE")
                }
                if let refusal = ImportMarker.refusal(of: store.path) { throw refusal }
                log = try LogService.openReadOnly(store.path)
            }
            try log.requireReader(actor.name)
            if showsCost { try log.require(actor.name, mayPerform: .readCosts, fix: CostReaders.fix) }
            // As of a moment: the log through its last event, as the report could have been run then.
            let through = try asOf.moment.map { try AsOfReading.position($0, in: log, actor: actor.name).1 }
            let fold = try log.billingReports(
                BillingReportWindow(try window.window(), capacityHoursPerWeek: capacityHoursPerWeek, revenueBy: revenueBy),
                through: through
            ) { done, total in
                Terminal.progress("scanning the log", done, total)
            }
            let lines = rows(fold)
            switch output.resolved {
            case .json: try printJSON(lines)
            case .table: Terminal.out(Terminal.table(columns.map(\.name), lines.map(cells)))
            case .csv: Terminal.out(output.csv(columns, lines.map(cells)))
            }
        }
    }
}

extension RevenueDating: ExpressibleByArgument {}

/// `12.34%` from basis points, `—` for none.
func percent(_ basisPoints: Int64?) -> String {
    guard let value = basisPoints else { return "—" }
    let sign = value < 0 ? "-" : ""
    let magnitude = value.magnitude
    let fraction = String(magnitude % 100)
    return "\(sign)\(magnitude / 100).\(fraction.count == 1 ? "0" : "")\(fraction)%"
}

/// `docket report profitability --from --to [--format]`.
struct ProfitabilityReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profitability",
        abstract: "Per client: invoiced revenue and recurring fees against the cost of the time, margin, effective rate (billing, admins).",
        discussion: """
            docket report profitability --from 2026-11-01 --to 2026-12-01 \\
                --format csv [--by issued]
            Dates are each client's: 2026-11-01 is midnight where the client is (--time-zone for one zone for all). \
            Revenue: line amounts (before tax) of final invoices for periods (billing months) whose first day is in the \
            window (read as days in the client's zone, whatever offset --from/--to carry), minus those of such invoices \
            voided (credit notes): November's invoice, finalized on 2 December, is November's revenue. With --by issued: invoices finalized in the window, minus credit notes issued in \
            it, whatever their period. Cost: minutes logged on the client's tickets with work started in the window × the \
            tech's cost rate in force then (`docket user cost-rate`); time with no rate is UNPRICED and costs nothing. \
            Effective rate = time revenue × 60 / billed minutes. Amounts in the client's currency. One scan of the log.
            """)
    @OptionGroup var options: BillingReportOptions
    @Option(help: "Date revenue by the invoice's period (default) or by when invoices and credit notes were issued.")
    var by: RevenueDating = .period

    func run() throws {
        try options.run(
            revenueBy: by, showsCost: true,
            columns: [.text("CLIENT"), .text("CUR")] + [
                "INVOICES", "CREDIT NOTES", "TIME REVENUE", "FEES", "REVENUE", "LOGGED H", "UNPRICED H", "COST", "MARGIN", "MARGIN %",
                "BILLED H", "EFFECTIVE RATE/H",
            ].map(CSVColumn.number),
            rows: { $0.profitability() },
            cells: { row in
                let money = { (minor: Int64) in Money.format(minor, currency: row.currency) }
                return [
                    row.client, row.currency, String(row.invoices), String(row.creditNotes), money(row.timeRevenueMinor), money(row.feeRevenueMinor),
                    money(row.revenueMinor), Money.hours(Int(row.loggedMinutes)), Money.hours(Int(row.unpricedMinutes)), money(row.costMinor),
                    money(row.marginMinor), percent(row.marginBasisPoints), Money.hours(Int(row.billedMinutes)),
                    row.effectiveHourlyRateMinor.map(money) ?? "—",
                ]
            })
    }
}

/// `docket report leakage --from --to [--format]`.
struct LeakageReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leakage",
        abstract: "Per client: billable time logged against time billed on final invoices; what was never billed.",
        discussion: """
            docket report leakage --from 2026-11-01 --to 2026-12-01
            Entries with work started in the window (not voided). CONTRACT NON-BILLABLE: logged as billable, but the \
            contract in force never bills it by the hour (a non-billable work type or category, a category the retainer \
            covers); it is not leakage. BILLABLE: the rest of the billable time. BILLED: minutes of those entries on \
            final, not voided invoices (the latest final charge of each key, in the share the key's final lines bill \
            of it: none while an earlier invoice under the key is voided and not billed again). UNBILLED = BILLABLE − \
            BILLED: held back (no contract or rate), not yet invoiced, only drafted, voided. LEAKAGE % = UNBILLED / \
            BILLABLE. NON-BILLABLE: logged as non-billable. The last row is the total.
            """)
    @OptionGroup var options: BillingReportOptions

    func run() throws {
        try options.run(
            columns: [.text("CLIENT")]
                + ["BILLABLE MIN", "BILLED MIN", "UNBILLED MIN", "CONTRACT NON-BILLABLE MIN", "NON-BILLABLE MIN", "LEAKAGE %"].map(CSVColumn.number),
            rows: { $0.leakage() },
            cells: { row in
                [
                    row.client, String(row.billableMinutes), String(row.billedMinutes), String(row.unbilledMinutes),
                    String(row.contractNonBillableMinutes), String(row.nonBillableMinutes), percent(row.leakageBasisPoints),
                ]
            })
    }
}

/// `docket report utilization --from --to [--capacity-hours-per-week 40] [--format]`.
struct UtilizationReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "utilization",
        abstract: "Per tech: time logged and billable, against logged time and against capacity.",
        discussion: """
            docket report utilization --from 2026-11-01 --to 2026-12-01 \\
                --capacity-hours-per-week 32
            CAPACITY = hours per week × 60 × (Monday–Friday time in the window) / 5 days, in minutes: a full \
            November 2026 (21 weekdays) at 40 h/week is 10,080 minutes. Entries with work started in the window. A tech's \
            row is no client's: dates are read in UTC, or in --time-zone (weekdays too).
            """)
    @OptionGroup var options: BillingReportOptions
    @Option(help: "A tech's capacity in hours per week (prorated over the window's weekdays).") var capacityHoursPerWeek: Int = 40

    func validate() throws {
        guard (1...168).contains(capacityHoursPerWeek) else { throw ValidationError("--capacity-hours-per-week must be 1 to 168") }
    }

    func run() throws {
        try options.run(
            capacityHoursPerWeek: capacityHoursPerWeek,
            columns: [.text("TECH")]
                + ["LOGGED MIN", "BILLABLE MIN", "CAPACITY MIN", "BILLABLE % OF LOGGED", "BILLABLE % OF CAPACITY", "LOGGED % OF CAPACITY"]
                .map(CSVColumn.number),
            rows: { $0.utilization() },
            cells: { row in
                [
                    row.tech, String(row.loggedMinutes), String(row.billableMinutes), String(row.capacityMinutes),
                    percent(row.billableOfLoggedBasisPoints), percent(row.billableOfCapacityBasisPoints), percent(row.loggedOfCapacityBasisPoints),
                ]
            })
    }
}

/// `docket report volume --from --to [--format]`.
struct VolumeReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Tickets opened and closed in a period, by client and category.",
        discussion: """
            docket report volume --from 2026-11-01 --to 2026-12-01 --format json
            Category is the ticket's category now ("—" when none). CLOSED counts tickets closed in the window (once \
            each, even if closed twice), whenever they were opened.
            """)
    @OptionGroup var options: BillingReportOptions

    func run() throws {
        try options.run(
            columns: [.text("CLIENT"), .text("CATEGORY"), .number("OPENED"), .number("CLOSED")],
            rows: { $0.volume() },
            cells: { [$0.client, $0.category ?? "—", String($0.opened), String($0.closed)] })
    }
}
