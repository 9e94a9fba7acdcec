/// An invoice as its client's billing stream tells it.
public struct Invoice: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case draft, final, voided, discarded
    }

    /// `acme-D3`.
    public var id: String
    public var client: String
    public var period: String
    public var currency: String
    public var status: Status
    /// `INV-2026-0001` once final.
    public var number: String?
    /// `CN-2026-0001` once voided.
    public var creditNote: String?
    public var lines: [InvoiceLine]
    public var subtotal: Int64
    public var taxes: [TaxLine]
    public var total: Int64
    public var draftedAt: String
    public var finalizedAt: String?
    /// When it was voided or discarded.
    public var closedAt: String?
    /// Why it was voided or discarded.
    public var reason: String?
    /// The zone of the billing months it fixed; nil (UTC months) for invoices drafted before months followed the
    /// client's zone.
    public var timeZone: String?
    /// Whom it is addressed to: for an invoice finalized since bill-to details exist, as they were when it was finalized
    /// (`invoice.finalized`); for a draft, as the client and its contracts stand now (filled in when it is read); nil
    /// for an invoice finalized before.
    public var billTo: BillTo?

    /// An invoice with every field given.
    public init(
        id: String, client: String, period: String, currency: String, status: Status, number: String?, creditNote: String?,
        lines: [InvoiceLine], subtotal: Int64, taxes: [TaxLine], total: Int64, draftedAt: String, finalizedAt: String?,
        closedAt: String?, reason: String?, timeZone: String? = nil, billTo: BillTo? = nil
    ) {
        self.id = id
        self.client = client
        self.period = period
        self.currency = currency
        self.status = status
        self.number = number
        self.creditNote = creditNote
        self.lines = lines
        self.subtotal = subtotal
        self.taxes = taxes
        self.total = total
        self.draftedAt = draftedAt
        self.finalizedAt = finalizedAt
        self.closedAt = closedAt
        self.reason = reason
        self.timeZone = timeZone
        self.billTo = billTo
    }

    /// Whether its lines count as billed: drafts and finals do; voided and discarded invoices do not.
    public var isLive: Bool { status == .draft || status == .final }
}

/// What a client's invoices billed so far: the state of the billing stream (`billing-<client>`).
public struct InvoiceLedger: Sendable, Equatable {
    /// The client's invoices in draft order.
    public var invoices: [Invoice]

    public init(invoices: [Invoice] = []) { self.invoices = invoices }

    /// The invoice with id `id`.
    public func invoice(_ id: String) -> Invoice? { invoices.first { $0.id == id } }

    /// What live invoices billed under each charge key.
    public func billed() -> [String: BilledKey] {
        var billed: [String: BilledKey] = [:]
        for invoice in invoices where invoice.isLive {
            for line in invoice.lines {
                var key = billed[line.charge.key] ?? BilledKey(last: line.charge)
                key.chargedMinutes += line.chargedMinutes
                key.coveredMinutes += line.coveredMinutes
                key.amount += line.amount
                key.invoices.append(invoice.id)
                key.onFinal = key.onFinal || invoice.status == .final
                key.last = line.charge
                billed[line.charge.key] = key
            }
        }
        return billed
    }

    /// What live invoices billed under each charge key, per currency (key → currency → billed). A key's currency
    /// changes only when terms amended in the past change the currency of a fee; amounts of different currencies
    /// must never be netted against each other.
    public func billedByCurrency() -> [String: [String: BilledKey]] {
        var billed: [String: [String: BilledKey]] = [:]
        for invoice in invoices where invoice.isLive {
            for line in invoice.lines {
                var key = billed[line.charge.key]?[invoice.currency] ?? BilledKey(last: line.charge)
                key.chargedMinutes += line.chargedMinutes
                key.coveredMinutes += line.coveredMinutes
                key.amount += line.amount
                key.invoices.append(invoice.id)
                key.onFinal = key.onFinal || invoice.status == .final
                key.last = line.charge
                billed[line.charge.key, default: [:]][invoice.currency] = key
            }
        }
        return billed
    }

    /// Applies one event of the billing stream.
    public func applying(_ event: InvoiceEvent) -> InvoiceLedger {
        var ledger = self
        switch event {
        case .drafted(let e):
            ledger.invoices.append(
                Invoice(
                    id: e.invoice, client: e.client, period: e.period, currency: e.currency, status: .draft, number: nil, creditNote: nil,
                    lines: e.lines, subtotal: e.subtotal, taxes: e.taxes, total: e.total, draftedAt: e.draftedAt, finalizedAt: nil,
                    closedAt: nil, reason: nil, timeZone: e.timeZone))
        case .finalized(let e):
            ledger.update(e.invoice) {
                $0.status = .final
                $0.number = e.number
                $0.finalizedAt = e.finalizedAt
                $0.billTo = e.billTo
            }
        case .discarded(let e):
            ledger.update(e.invoice) {
                $0.status = .discarded
                $0.reason = e.reason
            }
        case .voided(let e):
            ledger.update(e.invoice) {
                $0.status = .voided
                $0.creditNote = e.creditNote
                $0.reason = e.reason
                $0.closedAt = e.voidedAt
            }
        case .numberIssued:
            break
        }
        return ledger
    }

    private mutating func update(_ id: String, _ change: (inout Invoice) -> Void) {
        guard let index = invoices.firstIndex(where: { $0.id == id }) else { return }
        change(&invoices[index])
    }
}

/// What live invoices billed under one charge key.
public struct BilledKey: Sendable, Equatable {
    public var chargedMinutes = 0
    public var coveredMinutes = 0
    public var amount: Int64 = 0
    /// The invoices, in draft order.
    public var invoices: [String] = []
    /// Whether one of them is final.
    public var onFinal = false
    /// The charge as the latest of them saw it.
    public var last: Charge

    public init(last: Charge) { self.last = last }
}
