import ArgumentParser
import DocketApp
import DocketTime
import Domain
import Foundation

/// `docket invoice …`: invoice runs, finalizing, voiding and exports.
struct InvoiceGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice",
        abstract: "Turn logged time and contract terms into invoices; finalize, void and export them.",
        discussion: """
            docket invoice charges acme --period 2026-11  # what a run prices, holds back
            docket invoice run --period 2026-11 [--client acme]  # later: --allow-future
            docket invoice list --period 2026-11          # with credit notes voiding them
            docket invoice show acme-D1                   # or INV-2026-0001, CN-2026-0001
            docket invoice finalize acme-D1               # INV-2026-0001, never changes
            docket invoice discard acme-D2 --reason "rerun after corrections"
            docket invoice void INV-2026-0001 --reason "billed to the wrong client"
                                                          # issues credit note CN-2026-0001
            docket invoice export --format csv --period 2026-11 > november.csv

            A second run for the same period drafts only what is new: time logged since, corrections to time already \
            billed (as adjustment lines), fees not yet billed. Amounts are in the contract currency's minor units \
            in JSON and CSV. Running and finalizing need the billing or admin role. See docs/billing.md.
            """,
        subcommands: [
            InvoiceRun.self, InvoiceCharges.self, InvoiceList.self, InvoiceShow.self, InvoiceFinalize.self, InvoiceDiscard.self,
            InvoiceVoid.self, InvoiceExport.self,
        ])
}

/// `--period 2026-11`, read by ``parse(_:)``: anything else is refused with a line that says how to write a month.
struct PeriodArgument {
    let period: BillingPeriod

    /// The value name in help and errors: `--period <YYYY-MM>`.
    static let valueName = "YYYY-MM"

    /// `text` as a month, or a usage error saying what one looks like (`2026-13`, `oct` and `2026-+1` were only
    /// "invalid for '--period <period>'").
    static func parse(_ text: String) throws -> PeriodArgument {
        guard let period = BillingPeriod(text) else { throw ValidationError("a period is a month written YYYY-MM in digits, e.g. 2026-11") }
        return PeriodArgument(period: period)
    }
}

extension Invoice.Status: ExpressibleByArgument {}

struct InvoiceRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Draft invoices from unbilled time and the period's fees, per client.")
    @OptionGroup var options: TicketWriteOptions
    @OptionGroup var output: OutputOptions
    @Option(
        help: ArgumentHelp("The month to bill, e.g. 2026-11: time started before its end, and fees through it.", valueName: PeriodArgument.valueName),
        transform: PeriodArgument.parse)
    var period: PeriodArgument
    @Option(help: "Only this client.") var client: String?
    @Flag(help: "Allow a period after the current month (bills its fees ahead; refused without this flag).") var allowFuture = false

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let runs = try session.app.billing.runInvoices(
                period: period.period, client: client, as: options.actor.name, commandId: options.write.commandId, allowFuture: allowFuture)
            if output.json {
                try printJSON(runs.map(RunView.init))
                return
            }
            var text = ""
            for run in runs {
                // A held-back reason names a contract's end and the work's start: in the client's zone, as its contracts
                // are shown (`--json` keeps RFC 3339 UTC).
                let time = contractTime(run.client, in: session)
                for invoice in run.drafted {
                    text += "\(invoice.id): drafted for \(invoice.client), \(invoice.lines.count) line\(invoice.lines.count == 1 ? "" : "s"), total "
                        + "\(Money.format(invoice.total, currency: invoice.currency)) \(invoice.currency)\n"
                }
                for held in run.heldBack {
                    text += "\(run.client): held back \(held.what): \(heldBackText(held.reason, time: time))\n"
                }
            }
            if runs.allSatisfy({ $0.drafted.isEmpty }) { text += "nothing new to bill through \(period.period)\n" }
            Terminal.out(text)
        }
    }

    /// One client's run: the ids drafted, and the drafts themselves as `invoice show --json` prints them (their lines,
    /// subtotal, taxes and total: what the table's "2 lines, total 238.16 USD" says).
    struct RunView: Encodable {
        let client: String
        let drafted: [String]
        let invoices: [InvoiceDocumentJSON]
        let heldBack: [HeldBackEntry]
        init(_ run: ClientRun) {
            client = run.client
            drafted = run.drafted.map(\.id)
            invoices = run.drafted.map(InvoiceDocumentJSON.init)
            heldBack = run.heldBack
        }
    }
}

struct InvoiceCharges: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "charges", abstract: "Show a client's charges through a period as a run would price them; writes nothing.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The client code.") var client: String
    @Option(help: ArgumentHelp("Through this month, e.g. 2026-11.", valueName: PeriodArgument.valueName), transform: PeriodArgument.parse)
    var period: PeriodArgument

    func run(in session: Session) throws {
        let sheet = try session.app.billing.charges(client: client, through: period.period)
        if output.json {
            try printJSON(ChargesView(charges: sheet.charges, heldBack: sheet.heldBack, excluded: sheet.excluded))
            return
        }
        // The after-hours multiplier is part of the price: without it, 30 minutes at 125.00 read as 93.75.
        var text = Terminal.table(
            ["KEY", "LOGGED", "BILLED", "COVERED", "CHARGED", "RATE/H", "AMOUNT", ""],
            sheet.charges.map {
                [$0.key, String($0.loggedMinutes), String($0.billedMinutes), String($0.coveredMinutes), String($0.chargedMinutes),
                 Money.format($0.ratePerHour, currency: $0.currency), Money.format($0.amount, currency: $0.currency),
                 $0.multiplierPercent == 100 ? "" : "×\($0.multiplierPercent)%"]
            })
        let time = contractTime(client, in: session)
        for held in sheet.heldBack {
            text += "held back \(held.what): \(heldBackText(held.reason, time: time))\n"
        }
        for excluded in sheet.excluded { text += "not billed \(excluded.entryId) (\(excluded.ticket), \(excluded.minutes) min): \(excluded.reason)\n" }
        Terminal.out(text)
    }

    struct ChargesView: Encodable {
        let charges: [Charge]
        let heldBack: [HeldBackEntry]
        let excluded: [ExcludedEntry]
    }
}

struct InvoiceList: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List invoices.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only this client's.") var client: String?
    @Option(help: ArgumentHelp("Only this period's, e.g. 2026-11.", valueName: PeriodArgument.valueName), transform: PeriodArgument.parse)
    var period: PeriodArgument?
    @Option(help: "Only drafts, finals, voided or discarded ones (draft, final, voided, discarded).") var status: Invoice.Status?

    func run(in session: Session) throws {
        // An unknown client is a typo to report, not an empty list.
        if let client { _ = try session.app.directory.client(client) }
        let invoices = try session.app.billing.invoiceList(
            InvoiceFilter(client: client, period: period?.period.description, status: status))
        if output.json {
            try printJSON(InvoiceListRow.rows(invoices))
            return
        }
        // A credit note is a document of its own: it gets its row right after the invoice it voided.
        var rows: [[String]] = []
        for invoice in invoices {
            rows.append(
                ["invoice", invoice.number ?? "", invoice.id, invoice.client, invoice.period, invoice.status.rawValue, String(invoice.lines.count),
                 Money.format(invoice.total, currency: invoice.currency), invoice.currency])
            if let note = invoice.creditNoteDocument {
                rows.append(
                    ["credit-note", note.number, invoice.id, note.client, note.period, "credits \(note.credits)", String(note.lines.count),
                     Money.format(note.total, currency: note.currency), note.currency])
            }
        }
        Terminal.out(Terminal.table(["TYPE", "NUMBER", "INVOICE", "CLIENT", "PERIOD", "STATUS", "LINES", "TOTAL", "CURRENCY"], rows))
    }
}

struct InvoiceShow: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show an invoice line by line (a draft id, an INV- number or a CN- credit note).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "acme-D1, INV-2026-0001 or CN-2026-0001.") var invoice: String

    func run(in session: Session) throws {
        if self.invoice.hasPrefix("CN-") {
            if output.json {
                try printJSON(try session.app.billing.creditNoteDocument(self.invoice))
                return
            }
            let note = try session.app.billing.creditNote(self.invoice)
            Terminal.out(InvoiceText.render(note, time: .viewer(actor.name, in: session)))
            return
        }
        let invoice = try session.app.billing.invoice(self.invoice)
        if output.json {
            try printJSON(InvoiceDocumentJSON(invoice))
            return
        }
        Terminal.out(
            InvoiceText.render(invoice, numbers: try session.app.billing.invoiceNumbers(client: invoice.client), time: .viewer(actor.name, in: session)))
    }
}

/// The human rendering of an invoice.
enum InvoiceText {
    /// `numbers` gives the customer-facing number of earlier invoices (draft id → `INV-2026-0001`): an adjustment line
    /// names the final invoices it adjusts, never a draft id. Times (finalized, voided) are for people, in `time`'s zone.
    static func render(_ invoice: Invoice, numbers: [String: String], time: PeopleTime) -> String {
        var text = "\(invoice.number ?? invoice.id)  \(invoice.client)  period \(invoice.period)  \(invoice.status.rawValue)"
        if invoice.number != nil { text += "  (draft \(invoice.id))" }
        text += "\n"
        if let finalizedAt = invoice.finalizedAt { text += "finalized \(time.text(iso8601: finalizedAt))\n" }
        if let creditNote = invoice.creditNote {
            text += "voided by credit note \(creditNote) (\(invoice.reason ?? "")), \(invoice.closedAt.map(time.text(iso8601:)) ?? "")\n"
        } else if invoice.status == .discarded {
            text += "discarded: \(invoice.reason ?? "")\n"
        }
        // Hours round to two places (10 minutes are 0.17 h): h:mm beside them is what the amount multiplies out from,
        // and a footnote says what rounding up or the ticket's minimum added to the time logged.
        return text + table(ClientDocument(invoice, numbers: numbers))
    }

    /// A document's lines as a table, then its totals and footnotes.
    private static func table(_ document: ClientDocument) -> String {
        var text = document.billTo.isEmpty ? "" : "bill to: " + document.billTo.joined(separator: "\n         ") + "\n"
        text += Terminal.table(
            ["LINE", "DESCRIPTION", "HOURS", "H:MM", "RATE/H", "AMOUNT", ""],
            document.rows.map { [String($0.line), $0.description, $0.hours, $0.billedTime, $0.rate, $0.amount, $0.remark] })
        text += "subtotal \(document.subtotal) \(document.currency)\n"
        for tax in document.taxes { text += tax + "\n" }
        text += "total \(document.total) \(document.currency)\n"
        for footnote in document.footnotes { text += footnote + "\n" }
        return text
    }

    /// A credit note: the invoice it cancels, why, and that invoice's lines negated.
    static func render(_ note: CreditNote, time: PeopleTime) -> String {
        var text = "\(note.number)  credit note  \(note.client)  period \(note.period)  credits \(note.credits) in full\n"
        text += "issued \(time.text(iso8601: note.issuedAt))  reason: \(note.reason)\n"
        // The rate and the multiplier, as on the invoice it credits: without them -3.50 h for -787.50 said nothing of why.
        return text + table(ClientDocument(note))
    }
}

struct InvoiceFinalize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finalize", abstract: "Finalize a draft under the next gapless number (INV-YYYY-NNNN); final invoices never change.",
        discussion: """
            docket invoice finalize acme-D1
            A draft the log moved away from since it was priced is refused \
            (exit 6), naming what changed: time corrected, voided or logged \
            in its months, terms amended, a contract's end moved. Discard it \
            and run the period again, to price it as the log stands now:
            docket invoice discard acme-D1 --reason "out of date"
            docket invoice run --period 2026-11 --client acme
            """)
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The draft, e.g. acme-D1.") var invoice: String

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            // A refusal's instants (a contract end moved since the draft was priced) in the client's zone, where its
            // contracts' dates are read.
            let client = (try? session.app.billing.invoice(invoice))?.client ?? ""
            let final = try timesWritten(by: contractTime(client, in: session).text(_:)) {
                try session.app.billing.finalizeInvoice(invoice, as: options.actor.name, commandId: options.write.commandId)
            }
            Terminal.out("\(final.id): finalized as \(final.number ?? "?")\n")
        }
    }
}

struct InvoiceDiscard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard", abstract: "Throw a draft away; what it billed goes on the next run.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The draft, e.g. acme-D2.") var invoice: String
    @Option(help: "Why the draft is thrown away.") var reason: String

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let discarded = try session.app.billing.discardInvoice(invoice, reason: reason, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(discarded.id): discarded\n")
        }
    }
}

struct InvoiceVoid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "void", abstract: "Void a final invoice with a credit note for its whole amount; its time goes on the next run.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The final invoice, e.g. INV-2026-0001.") var invoice: String
    @Option(help: "Why it is voided; the credit note carries it.") var reason: String

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let voided = try session.app.billing.voidInvoice(invoice, reason: reason, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(voided.number ?? voided.id): voided by credit note \(voided.creditNote ?? "?")\n")
        }
    }
}

/// Why an invoice run holds time back, for people: the instants it names (a contract's end, the work's start) written by
/// `time`, except inside the commands it gives between backticks, which must stay as they can be typed.
extension HeldBackEntry {
    /// What is held back: `TE-5 (T-1001, 45 min)`, or a one-off charge `CH-2` (`CH-2 (T-1001)` on a ticket).
    var what: String {
        guard entryId.hasPrefix("CH-") else { return "\(entryId) (\(ticket), \(minutes) min)" }
        return ticket.isEmpty ? entryId : "\(entryId) (\(ticket))"
    }
}

func heldBackText(_ reason: String, time: PeopleTime) -> String {
    reason.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { index, part in
        index.isMultiple(of: 2) ? HistoryText.instantsWritten(in: String(part), time: time.text(_:)) : String(part)
    }.joined(separator: "`")
}
