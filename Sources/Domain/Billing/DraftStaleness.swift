/// A draft as an invoice run would price it now, for ``BillingDecider``'s finalize: the client's charges through the
/// draft's period as the history stands, and what changed in the log since the draft was priced (to name it).
public struct PricedNow: Sendable, Equatable {
    /// The client's charges through the draft's period as an invoice run computes them now.
    public var charges: [Charge]
    /// What was recorded since the draft was priced that can change its lines, in log order.
    public var changes: [DraftChange]

    public init(charges: [Charge], changes: [DraftChange]) {
        self.charges = charges
        self.changes = changes
    }
}

/// One thing recorded since a draft was priced that can change what it bills: a time entry logged, corrected or
/// voided, a contract added or amended, a one-off charge added or voided, another invoice voided or discarded, a
/// calendar amended.
public struct DraftChange: Sendable, Equatable {
    /// What it is about, to tell which of the draft's lines it reaches.
    public enum Subject: Sendable, Equatable {
        /// A time entry (`TE-12`).
        case entry(String)
        /// A contract (`acme-msa`).
        case contract(String)
        /// A one-off charge (`CH-3`): its key is `one-off:CH-3`.
        case charge(String)
        /// Another of the client's invoices (its draft id, `acme-D1`), voided or discarded: what it billed is unbilled.
        case invoice(String)
        /// Anything else (a calendar).
        case other
    }

    public var subject: Subject
    /// What happened, as a clause: `TE-12 was corrected`, `contract acme-msa was amended`.
    public var description: String

    public init(subject: Subject, description: String) {
        self.subject = subject
        self.description = description
    }
}

extension BillingDecider {
    /// Why `draft` no longer bills what an invoice run would draft now in its place, or nil when it still does.
    ///
    /// The run's own decision (``pendingLines(period:charges:ledger:)``) is made on `ledger` with the draft thrown away
    /// (as `invoice discard` would), and its lines in the draft's currency are compared with the draft's, key by key:
    /// the amount, the minutes charged and covered, and the tax rate. Other live invoices stay counted, so a later draft
    /// that already took a change into account leaves this one as it should be. The message names what changed
    /// (`priced.changes` that reach a differing line, else all of them, else the lines) and the fix.
    public static func staleness(of draft: Invoice, ledger: InvoiceLedger, priced: PricedNow) throws(DomainError) -> String? {
        guard let period = BillingPeriod(draft.period) else { return nil }
        let without = ledger.applying(.discarded(InvoiceDiscarded(invoice: draft.id, reason: "re-priced")))
        let now = try pendingLines(period: period, charges: priced.charges, ledger: without).filter { $0.charge.currency == draft.currency }
        struct Billed: Equatable {
            var amount: Int64
            var charged: Int
            var covered: Int
            var tax: TaxRate
        }
        func billed(_ line: InvoiceLine) -> Billed {
            Billed(amount: line.amount, charged: line.chargedMinutes, covered: line.coveredMinutes, tax: line.charge.taxRate)
        }
        let drafted = Dictionary(draft.lines.map { ($0.charge.key, $0) }, uniquingKeysWith: { first, _ in first })
        let current = Dictionary(now.map { ($0.charge.key, $0) }, uniquingKeysWith: { first, _ in first })
        let keys = Set(drafted.keys).union(current.keys).filter { key in drafted[key].map(billed) != current[key].map(billed) }.sorted()
        guard !keys.isEmpty else { return nil }
        var entries: Set<String> = []
        var contracts: Set<String> = []
        var invoices: Set<String> = []
        for key in keys {
            for line in [drafted[key], current[key]].compactMap({ $0 }) {
                entries.formUnion(line.charge.entries.map(\.entryId))
                contracts.insert(line.charge.contract)
                invoices.formUnion(line.previousInvoices)
            }
        }
        let reaching = priced.changes.filter { change in
            switch change.subject {
            case .entry(let id): entries.contains(id)
            case .contract(let id): contracts.contains(id)
            case .charge(let id): keys.contains("one-off:\(id)")
            case .invoice(let id): invoices.contains(id)
            case .other: false
            }
        }
        let named = (reaching.isEmpty ? priced.changes : reaching).map(\.description)
        let shown = named.prefix(3).joined(separator: ", ") + (named.count > 3 ? " and \(named.count - 3) more" : "")
        // A line re-priced under another key (an amendment) is the same work: lines are told by what they bill.
        let described = { (key: String) in (current[key] ?? drafted[key])?.charge.description ?? key }
        var order: [String] = []
        var sums: [String: (now: Int64, drafted: Int64)] = [:]
        for key in keys {
            let description = described(key)
            if sums[description] == nil { order.append(description) }
            sums[description, default: (0, 0)].now += current[key]?.amount ?? 0
            sums[description, default: (0, 0)].drafted += drafted[key]?.amount ?? 0
        }
        let moved = order.filter { sums[$0].map { $0.now != $0.drafted } ?? false }
        let money = { (amount: Int64) in "\(Money.format(amount, currency: draft.currency)) \(draft.currency)" }
        let lines =
            moved.isEmpty
            ? "\(order[0]): the same amount under other terms"
            : moved.prefix(2).map { "\($0): \(money(sums[$0]?.now ?? 0)) now, \(money(sums[$0]?.drafted ?? 0)) on the draft" }
                .joined(separator: "; ") + (moved.count > 2 ? "; and \(moved.count - 2) more line\(moved.count == 3 ? "" : "s")" : "")
        let what = named.isEmpty ? "" : "\(shown) since it was drafted, so "
        return "draft \(draft.id) is out of date: \(what)an invoice run would now bill otherwise (\(lines)); "
            + "re-price it: `docket invoice discard \(draft.id) --reason \"out of date\"`, then `docket invoice run --period "
            + "\(draft.period) --client \(draft.client)`"
    }
}
