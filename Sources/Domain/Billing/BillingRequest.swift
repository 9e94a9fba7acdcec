/// What a billing command with a command id asks for: a retry of the same request with the same id answers with
/// what the first attempt did; the id given again for another request is refused (docs/cli.md, "Retries").
public enum BillingRequest: Sendable, Equatable, CustomStringConvertible {
    /// An invoice run's draft for one client through `period`.
    case draft(period: BillingPeriod)
    case finalize(invoice: String)
    case discard(invoice: String)
    case void(invoice: String)

    /// Whether `earlier`, the invoice events a command id appended before, answer this request: a draft through
    /// the same period, the finalization, discard or void of the same invoice.
    public func isAnswered(by earlier: [InvoiceEvent]) -> Bool {
        earlier.contains { event in
            switch (self, event) {
            case (.draft(let period), .drafted(let e)): e.period == period.description
            case (.finalize(let invoice), .finalized(let e)): e.invoice == invoice
            case (.discard(let invoice), .discarded(let e)): e.invoice == invoice
            case (.void(let invoice), .voided(let e)): e.invoice == invoice
            default: false
            }
        }
    }

    /// What `earlier` (the events a command id appended) did, for a refusal: `to finalize acme-D1`; nil when they
    /// are no billing request's.
    public static func describe(_ earlier: [InvoiceEvent]) -> String? {
        for event in earlier {
            switch event {
            case .drafted(let e): return "to draft \(e.invoice) through \(e.period)"
            case .finalized(let e): return "to finalize \(e.invoice)"
            case .discarded(let e): return "to discard \(e.invoice)"
            case .voided(let e): return "to void \(e.number)"
            case .numberIssued: continue
            }
        }
        return nil
    }

    /// `finalize beta-D1`.
    public var description: String {
        switch self {
        case .draft(let period): "draft through \(period)"
        case .finalize(let invoice): "finalize \(invoice)"
        case .discard(let invoice): "discard \(invoice)"
        case .void(let invoice): "void \(invoice)"
        }
    }
}
