import Domain

/// An invoice or a credit note as its client reads it (docs/billing.md, "The client's document"): numbered lines with
/// hours, h:mm, rate and amount, a remark per line (the invoices it adjusts, what covered it, the after-hours
/// multiplier, a footnote's marker), the footnotes saying what raised the time, and the totals. `docket invoice show`
/// prints it as a table, the client portal as HTML.
public struct ClientDocument: Sendable, Equatable {
    /// One line, every figure formatted.
    public struct Row: Sendable, Equatable {
        /// From 1.
        public var line: Int
        public var description: String
        /// Decimal hours (`0.17`); empty on a fee's line.
        public var hours: String
        /// The same time as h:mm (`0:10`); empty on a fee's line.
        public var billedTime: String
        /// The rate per hour; empty on a fee's line.
        public var rate: String
        public var amount: String
        /// `adjusts INV-2026-0001; ×150%; [1]`, or empty.
        public var remark: String
    }

    public var currency: String
    /// Whom it is addressed to, line by line (``BillTo/lines``): the details it was finalized with, a draft's current
    /// ones; empty for an invoice finalized before bill-to details existed.
    public var billTo: [String]
    public var rows: [Row]
    /// `[1] line 2: 0:47 logged + 0:03 rounding up to the contract's increment = 0:50`.
    public var footnotes: [String]
    public var subtotal: String
    /// `tax 8.875% on 121.50: 10.78`.
    public var taxes: [String]
    public var total: String

    /// `invoice`'s document. `numbers` gives the customer-facing number of earlier invoices (draft id →
    /// `INV-2026-0001`): an adjustment line names the final invoices it adjusts, never a draft id.
    public init(_ invoice: Invoice, numbers: [String: String]) {
        let money = { (amount: Int64) in Money.format(amount, currency: invoice.currency) }
        var footnotes: [String] = []
        rows = invoice.lines.enumerated().map { index, line in
            let time = line.charge.kind == .time
            var remark: [String] = []
            if line.adjustment {
                let adjusted = line.previousInvoices.compactMap { numbers[$0] }
                remark.append("adjusts \((adjusted.isEmpty ? line.previousInvoices : adjusted).joined(separator: ", "))")
            }
            if line.coveredMinutes != 0, let coverage = line.charge.coverage { remark.append("\(Money.hours(line.coveredMinutes)) h \(coverage)") }
            if line.charge.multiplierPercent != 100 { remark.append("×\(line.charge.multiplierPercent)%") }
            let lineTime = LineTime(line)
            if let raised = lineTime.note {
                footnotes.append("[\(footnotes.count + 1)] line \(index + 1): \(raised)")
                remark.append("[\(footnotes.count)]")
            }
            return Row(
                line: index + 1, description: line.charge.description, hours: time ? Money.hours(line.chargedMinutes) : "",
                billedTime: lineTime.billedTime, rate: time ? money(line.charge.ratePerHour) : "", amount: money(line.amount),
                remark: remark.joined(separator: "; "))
        }
        currency = invoice.currency
        billTo = invoice.billTo?.lines ?? []
        self.footnotes = footnotes
        subtotal = money(invoice.subtotal)
        taxes = invoice.taxes.map { "tax \($0.rate) on \(money($0.base)): \(money($0.tax))" }
        total = money(invoice.total)
    }

    /// `note`'s document: the lines of the invoice it cancels, negated, with their rates and multipliers.
    public init(_ note: CreditNote) {
        let money = { (amount: Int64) in Money.format(amount, currency: note.currency) }
        rows = note.lines.enumerated().map { index, line in
            let time = line.key.hasPrefix("time:")
            return Row(
                line: index + 1, description: line.description, hours: line.chargedMinutes == 0 ? "" : Money.hours(line.chargedMinutes),
                billedTime: line.chargedMinutes == 0 ? "" : LineTime.clock(line.chargedMinutes), rate: time ? money(line.ratePerHour) : "",
                amount: money(line.amount), remark: line.multiplierPercent == 100 ? "" : "×\(line.multiplierPercent)%")
        }
        currency = note.currency
        billTo = note.billTo?.lines ?? []
        footnotes = []
        subtotal = money(note.subtotal)
        taxes = note.taxes.map { "tax \($0.rate) on \(money($0.base)): \(money($0.tax))" }
        total = money(note.total)
    }
}
