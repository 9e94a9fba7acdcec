import ArgumentParser
import DocketApp
import Domain

/// `csv` or `json`.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json
}

struct InvoiceExport: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export final invoices and credit notes, one row per line, for accounting software.",
        discussion: """
            Columns: document, type (invoice or credit-note), invoice, client, period, issued_at, currency, line, key, \
            description, ticket, work_type, charged_minutes, covered_minutes, rate_per_hour_minor, multiplier_percent, \
            amount_minor, tax_basis_points, adjustment, then tax_rate (the line's tax rate in percent, e.g. 8.875), \
            credits (on a credit note's rows: the invoice number it cancels) and the document's totals, repeated on \
            each of its rows: document_subtotal_minor, document_tax_minor, document_total_minor; then billed_time (the \
            charged minutes as h:mm) and the charge the line bills: logged_minutes, rounding_minutes (added by rounding \
            up), minimum_minutes (added to reach the ticket's minimum) and previously_billed_minutes (billed by earlier \
            invoices), so charged + covered = logged + rounding + minimum - previously billed; then whom the document is \
            addressed to, as finalized (a draft's: the client's now): bill_to_name, bill_to_address (its lines, one per \
            line), bill_to_tax_id and bill_to_purchase_orders (one per line), empty for invoices finalized before bill-to \
            details existed. A voided invoice exports its own rows and its credit note's, with amounts negated. Drafts \
            are left out unless --include-drafts. In CSV a text cell that begins with =, +, -, @, a tab or a carriage \
            return gets a leading ' (a spreadsheet would run it as a formula), unless --raw-text; number, amount, \
            minute and date cells are never changed.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @Option(help: "csv or json.") var format: ExportFormat = .csv
    @Option(help: "Only this client's.") var client: String?
    @Option(help: ArgumentHelp("Only this period's, e.g. 2026-11.", valueName: PeriodArgument.valueName), transform: PeriodArgument.parse)
    var period: PeriodArgument?
    @Flag(help: "Include drafts (document = the draft id).") var includeDrafts = false
    @OptionGroup var text: CSVTextOptions

    func run(in session: Session) throws {
        // An unknown client is a typo to report, not an empty export.
        if let client { _ = try session.app.directory.client(client) }
        // Drafts addressed as `invoice show` shows them: to the client as it stands now.
        let invoices = try session.app.billing.invoiceList(InvoiceFilter(client: client, period: period?.period.description))
        let rows = invoices.flatMap { ExportRow.rows(of: $0, includeDrafts: includeDrafts) }
        switch format {
        case .json: try printJSON(rows)
        case .csv:
            Terminal.out(text.writer.document(ExportRow.columns, rows.map(\.fields)))
        }
    }
}

/// One exported invoice line.
struct ExportRow: Encodable {
    let document: String
    let type: String
    let invoice: String
    let client: String
    let period: String
    let issuedAt: String
    let currency: String
    let line: Int
    let key: String
    let description: String
    let ticket: String?
    let workType: String?
    let chargedMinutes: Int
    let coveredMinutes: Int
    let ratePerHourMinor: Int64
    let multiplierPercent: Int
    let amountMinor: Int64
    let taxBasisPoints: Int
    let adjustment: Bool
    /// The line's tax rate in percent, exact (`8.875`).
    let taxRate: String
    /// On a credit note's rows, the invoice number it cancels.
    let credits: String?
    /// The document's subtotal, taxes and total (negated on a credit note), on each of its rows.
    let documentSubtotalMinor: Int64
    let documentTaxMinor: Int64
    let documentTotalMinor: Int64
    /// The line's charged minutes as h:mm (`0:10`); empty on a fee's row.
    let billedTime: String
    /// The charge the line bills: minutes logged, added by rounding up, added to reach the ticket's minimum, and billed
    /// by earlier invoices, so `charged + covered = logged + rounding + minimum − previously billed` (all negated on a
    /// credit note's rows).
    let loggedMinutes: Int
    let roundingMinutes: Int
    let minimumMinutes: Int
    let previouslyBilledMinutes: Int
    /// Whom the document is addressed to (``BillTo``): as finalized, a credit note's its invoice's, a draft's the client's
    /// now; empty for an invoice finalized before bill-to details existed. Lines (of the address, purchase orders) one
    /// per line.
    let billToName: String
    let billToAddress: String
    let billToTaxId: String
    let billToPurchaseOrders: String

    /// The CSV columns, in the order of ``fields``: words as ``CSVColumnKind/text`` (neutralised when they begin as a
    /// formula would), the rest (numbers, amounts, minutes, dates, times, h:mm, the tax rate) as they are.
    static let columns: [CSVColumn] = [
        .text("document"), .text("type"), .text("invoice"), .text("client"), .number("period"), .number("issued_at"), .text("currency"),
        .number("line"), .text("key"), .text("description"), .text("ticket"), .text("work_type"), .number("charged_minutes"),
        .number("covered_minutes"), .number("rate_per_hour_minor"), .number("multiplier_percent"), .number("amount_minor"),
        .number("tax_basis_points"), .text("adjustment"), .number("tax_rate"), .text("credits"), .number("document_subtotal_minor"),
        .number("document_tax_minor"), .number("document_total_minor"), .number("billed_time"), .number("logged_minutes"),
        .number("rounding_minutes"), .number("minimum_minutes"), .number("previously_billed_minutes"), .text("bill_to_name"),
        .text("bill_to_address"), .text("bill_to_tax_id"), .text("bill_to_purchase_orders"),
    ]

    var fields: [String] {
        [document, type, invoice, client, period, issuedAt, currency, String(line), key, description, ticket ?? "", workType ?? "",
         String(chargedMinutes), String(coveredMinutes), String(ratePerHourMinor), String(multiplierPercent), String(amountMinor),
         String(taxBasisPoints), adjustment ? "true" : "false", taxRate, credits ?? "", String(documentSubtotalMinor),
         String(documentTaxMinor), String(documentTotalMinor), billedTime, String(loggedMinutes), String(roundingMinutes),
         String(minimumMinutes), String(previouslyBilledMinutes), billToName, billToAddress, billToTaxId, billToPurchaseOrders]
    }

    static func rows(of invoice: Invoice, includeDrafts: Bool) -> [ExportRow] {
        var rows: [ExportRow] = []
        switch invoice.status {
        case .discarded: return []
        case .draft: if includeDrafts { rows += lines(invoice, document: invoice.id, type: "draft", at: invoice.draftedAt, sign: 1, credits: nil) }
        case .final, .voided:
            rows += lines(invoice, document: invoice.number ?? invoice.id, type: "invoice", at: invoice.finalizedAt ?? "", sign: 1, credits: nil)
            if let creditNote = invoice.creditNote {
                rows += lines(invoice, document: creditNote, type: "credit-note", at: invoice.closedAt ?? "", sign: -1, credits: invoice.number)
            }
        }
        return rows
    }

    private static func lines(_ invoice: Invoice, document: String, type: String, at: String, sign: Int, credits: String?) -> [ExportRow] {
        let tax = invoice.taxes.reduce(Int64(0)) { $0 + $1.tax }
        let billTo = invoice.billTo
        return invoice.lines.enumerated().map { index, line in
            let time = LineTime(line, sign: sign)
            return ExportRow(
                document: document, type: type, invoice: invoice.id, client: invoice.client, period: invoice.period, issuedAt: at,
                currency: invoice.currency, line: index + 1, key: line.charge.key, description: line.charge.description,
                ticket: line.charge.ticket, workType: line.charge.workType, chargedMinutes: sign * line.chargedMinutes,
                coveredMinutes: sign * line.coveredMinutes, ratePerHourMinor: line.charge.ratePerHour,
                multiplierPercent: line.charge.multiplierPercent, amountMinor: Int64(sign) * line.amount,
                taxBasisPoints: line.charge.taxBasisPoints, adjustment: line.adjustment, taxRate: String(line.charge.taxRate.description.dropLast()),
                credits: credits, documentSubtotalMinor: Int64(sign) * invoice.subtotal, documentTaxMinor: Int64(sign) * tax,
                documentTotalMinor: Int64(sign) * invoice.total, billedTime: time.billedTime,
                loggedMinutes: time.loggedMinutes, roundingMinutes: time.roundingMinutes, minimumMinutes: time.minimumMinutes,
                previouslyBilledMinutes: time.previouslyBilledMinutes, billToName: billTo?.name ?? "",
                billToAddress: (billTo?.address ?? []).joined(separator: "\n"), billToTaxId: billTo?.taxId ?? "",
                billToPurchaseOrders: (billTo?.purchaseOrders ?? []).joined(separator: "\n"))
        }
    }
}
