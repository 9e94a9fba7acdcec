import BusinessTime
import DocketApp
import DocketTime
import Domain

/// The reads of time entries, SLA clocks, invoices, one-off charges, the invoice audit and the reports, answered by the services
/// with what their CLI command prints with `--json` (reports: `--format json`), built from the same output types.
/// A value the command line would refuse is a 400 naming the field (the CLI's usage error, exit 64).
enum ReadRoutes {
    static let all: [ResourceRoute] = [
        .serviceRead("/v1/time", command: "time list", fields: ["ticket", "tech", "client", "from", "to"].map(ResourceRoute.Source.query), listOf: "entryId", timeEntries),
        .serviceRead("/v1/time/timers", command: "time status", fields: [.query("all")]) { input, app in
            try .encoding(try app.billing.runningTimers(of: try input.flag(.query("all")) ? nil : [input.actor]))
        },
        .serviceRead("/v1/alerts", command: "alert list", fields: ["client", "resolved"].map(ResourceRoute.Source.query), listOf: "fingerprint") { input, app in
            try .encoding(try app.intake.alertConditions(client: input.text(.query("client")), resolvedToo: try input.flag(.query("resolved"))))
        },
        .serviceRead("/v1/sla", command: "sla", fields: ["atRisk", "breached", "client"].map(ResourceRoute.Source.query), listOf: "ticket", slaClocks),
        .serviceRead(
            "/v1/invoices", command: "invoice list", fields: ["client", "period", "status"].map(ResourceRoute.Source.query), listOf: "id", invoices),
        .serviceRead("/v1/invoices/{invoice}", command: "invoice show", fields: [.path("invoice")], invoice),
        .serviceRead("/v1/charges", command: "charge list", fields: ["client", "period", "unbilled"].map(ResourceRoute.Source.query), listOf: "id", charges),
        .serviceRead("/v1/cost-rates", command: "user cost-rates", fields: [.query("user")]) { input, app in
            try .encoding(try app.directory.costRates(of: input.text(.query("user")), readBy: input.actor))
        }.requiring(.readCosts, fix: CostReaders.fix),
        .serviceRead("/v1/audit/invoices/{invoice}", command: "audit invoice", fields: [.path("invoice")]) { input, app in
            try .encoding(try app.billing.auditInvoice(try input.required(.path("invoice"))))
        },
        report("sla", ["by"]) { input, app, window in
            let by = try input.parsed(.query("by"), "one of client, priority, month", SLAReportGrouping.init) ?? .client
            return try .encoding(try app.sla.slaReport(window, by: by, now: try app.now()))
        },
        report("closed-without-time", ["tech", "client"]) { input, app, window in
            try .encoding(
                try app.billing.closedWithoutTimeReport(
                    ClosedWithoutTimeFilter(window: window, tech: input.text(.query("tech")), client: input.text(.query("client")))))
        },
        report("profitability", ["by"]) { input, app, window in
            let by = try input.parsed(.query("by"), "one of period, issued", RevenueDating.init) ?? .period
            return try .encoding(try billing(app, window, revenueBy: by).profitability())
        }.requiring(.readCosts, fix: CostReaders.fix),
        report("leakage") { _, app, window in try .encoding(try billing(app, window).leakage()) },
        report("utilization", ["capacityHoursPerWeek"]) { input, app, window in
            let hours = try input.parsed(.query("capacityHoursPerWeek"), "a number of hours from 1 to 168") { text in
                Int(text).flatMap { (1...168).contains($0) ? $0 : nil }
            } ?? 40
            return try .encoding(try billing(app, window, capacityHoursPerWeek: hours).utilization())
        },
        report("volume") { _, app, window in try .encoding(try billing(app, window).volume()) },
        report("satisfaction", ["by"]) { input, app, window in
            let by = try input.parsed(.query("by"), "one of client, tech, month", SatisfactionReportGrouping.init) ?? .client
            return try .encoding(try app.tickets.satisfactionReport(window, by: by))
        },
    ]

    /// `docket time list --json`: entries (of one client's tickets with `client`), each with the invoice lines that
    /// bill it; a zoneless `from`/`to` is read in the caller's own time zone,
    /// else the server's.
    static func timeEntries(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let ticket = try input.parsed(.query("ticket"), "a ticket number like T-1042") { TicketNumber($0.uppercased()) }
        let client = input.text(.query("client"))
        if let client { _ = try app.directory.client(client) }
        let from = try input.text(.query("from")).map { try TypedTime.parse($0, field: "from", viewer: input.actor, client: client, in: app) }
        let to = try input.text(.query("to")).map { try TypedTime.parse($0, field: "to", viewer: input.actor, client: client, in: app) }
        let filter = TimeFilter(ticket: ticket?.description, tech: input.text(.query("tech")), from: from, to: to)
        // An unknown ticket or tech is a 404 naming it, as `time list` exits 4: a typo is not "no time".
        if let ticket { _ = try app.tickets.ticketSummary(ticket) }
        if let tech = filter.tech { _ = try app.directory.user(tech) }
        return try .encoding(try app.billing.timeList(filter, client: client))
    }

    /// `docket sla --json`: open tickets with an SLA, soonest due first.
    static func slaClocks(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        if let client = input.text(.query("client")) { _ = try app.directory.client(client) }
        let listed = try SLAClockRow.open(
            in: app, limit: input.fetch, client: input.text(.query("client")), atRisk: try input.flag(.query("atRisk")),
            breached: try input.flag(.query("breached")))
        return try .encoding(listed.map(\.row))
    }

    /// `docket invoice list --json`: invoices, each voided one followed by its credit note.
    static func invoices(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let period = try input.parsed(.query("period"), "a month like 2026-11", BillingPeriod.init)
        let status = try input.parsed(.query("status"), "one of draft, final, voided, discarded", Invoice.Status.init)
        let invoices = try app.billing.invoiceList(InvoiceFilter(client: input.text(.query("client")), period: period?.description, status: status))
        return try .encoding(InvoiceListRow.rows(invoices))
    }

    /// `docket charge list --json`: one-off charges, each with its billing month and the invoice lines that bill it.
    static func charges(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let period = try input.parsed(.query("period"), "a month like 2026-11", BillingPeriod.init)
        let filter = ChargeFilter(client: input.text(.query("client")), period: period, unbilled: try input.flag(.query("unbilled")))
        return try .encoding(try app.billing.chargeList(filter, readBy: input.actor))
    }

    /// `docket invoice show --json`: an invoice (a draft id or an `INV-` number), or a `CN-` credit note.
    static func invoice(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let reference = try input.required(.path("invoice"))
        if reference.hasPrefix("CN-") { return try .encoding(try app.billing.creditNoteDocument(reference)) }
        return try .encoding(InvoiceDocumentJSON(try app.billing.invoice(reference)))
    }

    /// `GET /v1/reports/<name>?from=&to=[&timeZone=]` and `options`: `docket report <name> --format json`, with the
    /// command's window (docs/cli.md, "Report windows"): `from` (inclusive) and `to` exact when typed with `Z` or an
    /// offset, else a date or local time read in each client's zone (UTC for techs' rows), or in `timeZone` for every row.
    private static func report(
        _ name: String, _ options: [String] = [], _ answer: @escaping @Sendable (RouteInput, DocketApplication, ReportWindow) throws -> RouteAnswer
    ) -> ResourceRoute {
        .serviceRead(
            "/v1/reports/\(name)", command: "report \(name)", fields: (["from", "to", "timeZone"] + options).map(ResourceRoute.Source.query)
        ) { input, app in
            let what = "a time (RFC 3339, YYYY-MM-DD or a local time such as 2026-11-01T08:00)"
            let from = try input.requiredParsed(.query("from"), what) { ReportBound(typed: $0) }
            let to = try input.requiredParsed(.query("to"), what) { ReportBound(typed: $0) }
            let zone = try input.parsed(.query("timeZone"), "an IANA time zone such as America/New_York or UTC") {
                WallTimeZone($0) == nil ? nil : $0
            }
            let window = ReportWindow(from: from, to: to, zone: zone)
            guard window.isOrdered else { throw Problem.badRequest("from must be before to") }
            return try answer(input, app, window)
        }
    }

    /// The billing reports' one scan of the log over `window`.
    private static func billing(_ app: DocketApplication, _ window: ReportWindow, capacityHoursPerWeek: Int = 40, revenueBy: RevenueDating = .period)
        throws -> BillingReportFold
    {
        try app.log.billingReports(
            BillingReportWindow(window, capacityHoursPerWeek: capacityHoursPerWeek, revenueBy: revenueBy))
    }
}
