import ArgumentParser
import DocketApp
import DocketTime
import Domain
import Foundation

/// `docket charge …`: one-off charges (hardware, a licence, a trip fee, an expense), billed once by the next run.
struct ChargeGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charge",
        abstract: "Bill a client something once: hardware resold, a licence, a trip fee, an expense on a ticket.",
        discussion: """
            docket charge add acme --description "Dell Latitude 5440" \\
                --unit-price 1249.00 --quantity 2 --unit-cost 980.00 --category hardware
            docket charge add acme --ticket T-1042 --description "Trip fee" \\
                --unit-price 75
            docket charge list --client acme --unbilled
            docket charge show CH-1
            docket charge void CH-1 --reason "returned unopened"

            Prices are in the client's currency, as decimal text (12.50; 1,249.00): more decimals than the currency \
            has is refused (exit 65), never rounded. The next `docket invoice run` through the month of --date (default \
            now; a date alone is midnight in the client's time zone) bills each charge once, on a line of its own \
            (`Dell Latitude 5440, 2 × 1,249.00`); a charge voided after a final invoice billed it is billed back on the \
            next run. Billing and admins add and void charges; a dispatcher adds one on a ticket, a tech on a ticket \
            assigned to them. See docs/billing.md, "One-off charges".
            """,
        subcommands: [ChargeAdd.self, ChargeVoid.self, ChargeList.self, ChargeShow.self])
}

/// `text` typed for `flag` as minor units of `currency` (``Money/parse(_:currency:)``); bad input (exit 65) otherwise.
func moneyArgument(_ text: String, flag: String, currency: String) throws -> Int64 {
    switch Money.parse(text, currency: currency) {
    case .success(let minor): return minor
    case .failure(let error): throw CLIError.badInput("\(flag) \(error.message)")
    }
}

struct ChargeAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a one-off charge for a client; prints its id (CH-n).")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The client's code.") var client: String
    @Option(help: "The line the client reads, e.g. \"Dell Latitude 5440\" (one line, up to 100 characters).") var description: String
    @Option(help: "The price of one unit in the client's currency, e.g. 1249.00.") var unitPrice: String
    @Option(help: "Whole units, 1 to 1,000,000.") var quantity: Int = 1
    @Option(help: "What one unit cost you, in the client's currency (profitability's margin).") var unitCost: String?
    @Option(help: "The client's ticket it is for, e.g. T-1042.") var ticket: TicketNumber?
    @Option(
        help: "When it is billed (RFC 3339, or YYYY-MM-DD: midnight in the client's time zone); the run through its month bills it. Default: now.",
        transform: TimeArgument.parse)
    var date: TimeArgument?
    @Option(help: "A grouping for reports, e.g. hardware, licence, travel.") var category: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let currency = try session.app.directory.client(client).currency
            let price = try moneyArgument(unitPrice, flag: "--unit-price", currency: currency)
            let cost = try unitCost.map { try moneyArgument($0, flag: "--unit-cost", currency: currency) }
            let read = try date.map { try effectiveInstant($0, client: client, flag: "--date", in: session) }
            let id = try inViewersZone(options.actor.name, in: session) {
                try session.app.billing.addCharge(
                    ChargeRequest(
                        client: client, ticket: ticket, description: description, quantity: quantity, unitPriceMinor: price, unitCostMinor: cost,
                        date: read?.instant, category: category),
                    as: options.actor.name, commandId: options.write.commandId)
            }
            read?.announce()
            Terminal.out("\(id)\n")
        }
    }
}

struct ChargeVoid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "void", abstract: "Void a one-off charge; billed on a final invoice, the next run bills it back. A reason is required.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The charge, e.g. CH-7.") var charge: String
    @Option(help: "Why (required).") var reason: String = ""

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            try session.app.billing.voidCharge(charge, reason: reason, as: options.actor.name, commandId: options.write.commandId)
            Terminal.out("\(charge): voided\n")
        }
    }
}

struct ChargeList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List one-off charges and the invoice lines that bill them.",
        discussion: """
            MONTH is the client's billing month of the charge's date (the run through it bills the charge); BILLED ON names \
            the lines of draft and final invoices that bill it (after a void, also the line billing it back). Amounts \
            are in the client's currency; --json keeps minor units and RFC 3339 UTC.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only this client's charges.") var client: String?
    @Option(
        help: ArgumentHelp("Only charges of this billing month, e.g. 2026-11.", valueName: PeriodArgument.valueName), transform: PeriodArgument.parse)
    var period: PeriodArgument?
    @Flag(help: "Only charges no draft or final invoice bills yet (not voided).") var unbilled = false

    func run(in session: Session) throws {
        let rows = try session.app.billing.chargeList(ChargeFilter(client: client, period: period?.period, unbilled: unbilled), readBy: actor.name)
        if output.json {
            try printJSON(rows)
            return
        }
        Terminal.out(
            Terminal.table(
                ["CHARGE", "CLIENT", "TICKET", "MONTH", "DESCRIPTION", "QTY", "UNIT PRICE", "AMOUNT", "VOIDED", "BILLED ON"],
                rows.map { row in
                    let c = row.charge
                    return [
                        c.id, c.client, c.ticket ?? "—", row.period, c.description, String(c.quantity),
                        Money.format(c.unitPriceMinor, currency: c.currency), "\(Money.format(row.amountMinor, currency: c.currency)) \(c.currency)",
                        c.voided ? "yes" : "no", row.billedOn.isEmpty ? "—" : row.billedOn.map(\.text).joined(separator: ", "),
                    ]
                }))
    }
}

struct ChargeShow: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a one-off charge, the invoice lines that bill it and every event behind it.",
        discussion: "Times are in your time zone (`docket user time-zone`), else this machine's, with the zone named; --json keeps RFC 3339 UTC.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The charge, e.g. CH-7.") var charge: String

    func run(in session: Session) throws {
        let detail = try session.app.billing.chargeDetail(charge, readBy: actor.name)
        if output.json {
            try printJSON(detail)
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        let row = detail.row
        let c = row.charge
        var text = "\(c.id)  \(c.client)\(c.ticket.map { "  \($0)" } ?? "")  \(time.text(iso8601: c.date))  month \(row.period)"
        if c.voided { text += "  VOIDED" }
        text += "\n\(c.lineText) = \(Money.format(row.amountMinor, currency: c.currency)) \(c.currency)\n"
        if let cost = c.unitCostMinor {
            text += "unit cost \(Money.format(cost, currency: c.currency)) \(c.currency)\n"
        }
        if let category = c.category { text += "category: \(category)\n" }
        text += "billed on: " + (row.billedOn.isEmpty ? "—" : row.billedOn.map(\.text).joined(separator: ", ")) + "\n"
        text += Terminal.table(
            ["POS", "WHEN", "WHO", "EVENT", "REASON"],
            detail.events.map { [String($0.position), time.text(iso8601: $0.recordedAt), $0.actor, $0.type, $0.reason ?? ""] })
        Terminal.out(text)
    }
}
