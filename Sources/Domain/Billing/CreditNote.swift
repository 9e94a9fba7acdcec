/// A credit note: the document that cancels a final invoice for its whole amount (`CN-2026-0001`). It is derived from
/// the voided invoice, so it needs no event of its own: `invoice.voided` names it and the invoice holds its lines.
public struct CreditNote: Codable, Sendable, Equatable {
    /// One line: the invoice's line, negated.
    public struct Line: Codable, Sendable, Equatable {
        public var key: String
        public var description: String
        /// Minutes credited at the rate (negative).
        public var chargedMinutes: Int
        public var coveredMinutes: Int
        public var ratePerHour: Int64
        public var multiplierPercent: Int
        /// Minor units credited (negative for a credited charge).
        public var amount: Int64
    }

    /// `CN-2026-0001`.
    public var number: String
    /// The final invoice it cancels, `INV-2026-0001`.
    public var credits: String
    /// The invoice's draft id, `acme-D1`.
    public var invoice: String
    public var client: String
    public var period: String
    public var currency: String
    /// RFC 3339: when the invoice was voided.
    public var issuedAt: String
    public var reason: String
    public var lines: [Line]
    /// The invoice's subtotal, taxes and total, negated.
    public var subtotal: Int64
    public var taxes: [TaxLine]
    public var total: Int64
    /// Whom the invoice it credits was addressed to when it was finalized (nil for one finalized before bill-to details
    /// existed): a credit note goes to the same accounts payable.
    public var billTo: BillTo?
}

extension Invoice {
    /// The credit note that voided this invoice, or nil when it was not voided.
    public var creditNoteDocument: CreditNote? {
        guard status == .voided, let creditNote, let number else { return nil }
        return CreditNote(
            number: creditNote, credits: number, invoice: id, client: client, period: period, currency: currency,
            issuedAt: closedAt ?? "", reason: reason ?? "",
            lines: lines.map {
                CreditNote.Line(
                    key: $0.charge.key, description: $0.charge.description, chargedMinutes: -$0.chargedMinutes,
                    coveredMinutes: -$0.coveredMinutes, ratePerHour: $0.charge.ratePerHour, multiplierPercent: $0.charge.multiplierPercent,
                    amount: -$0.amount)
            },
            subtotal: -subtotal, taxes: taxes.map { TaxLine(rate: $0.rate, base: -$0.base, tax: -$0.tax) }, total: -total, billTo: billTo)
    }
}
