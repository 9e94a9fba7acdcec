import Domain

/// An invoice or a credit note as a billing contact reads it in the portal.
public struct PortalInvoice: Sendable, Equatable {
    /// `INV-2026-0007` or `CN-2026-0002`.
    public var number: String
    public var isCreditNote: Bool
    public var period: String
    /// When it was finalized (a credit note: issued), RFC 3339 UTC.
    public var issuedAt: String
    /// For a voided invoice, the credit note that cancels it; for a credit note, the invoice it credits.
    public var related: String?
    /// Why a credit note was issued.
    public var reason: String?
    public var document: ClientDocument
}

extension PortalService {
    /// The client's final and voided invoices, newest first, each voided one followed by its credit note, for a billing
    /// contact (drafts and discarded drafts are the MSP's own). Another contact gets the same not-found as a missing page.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func clientInvoices(for signedIn: SignedIn) throws -> [PortalInvoice] {
        try requireBilling(signedIn)
        let issued = try billing.invoices(InvoiceFilter(client: signedIn.client)).filter { $0.number != nil && ($0.status == .final || $0.status == .voided) }
        let numbers = try billing.invoiceNumbers(client: signedIn.client)
        var documents: [PortalInvoice] = []
        for invoice in issued.sorted(by: { ($0.finalizedAt ?? "", $0.number ?? "") > ($1.finalizedAt ?? "", $1.number ?? "") }) {
            documents.append(Self.portalInvoice(invoice, numbers: numbers))
            if let note = invoice.creditNoteDocument { documents.append(Self.portalInvoice(note)) }
        }
        return documents
    }

    /// The final or voided invoice `INV-…`, or the credit note `CN-…`, of the contact's client, for a billing contact.
    /// A draft, another client's document, a missing one and any document for a contact who is not a billing contact
    /// give the same ``DomainError/Code/notFound``, so numbers cannot be probed.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func invoice(_ number: String, for signedIn: SignedIn) throws -> PortalInvoice {
        let missing = DomainError(.notFound, "there is no invoice \(number) for you; see your invoices")
        guard signedIn.billing, number.hasPrefix("INV-") || number.hasPrefix("CN-") else { throw missing }
        let invoice: Invoice
        do {
            invoice = try billing.invoice(number)
        } catch let error as DomainError where error.code == .notFound {
            throw missing
        }
        guard invoice.client == signedIn.client, invoice.number != nil else { throw missing }
        if number.hasPrefix("CN-") {
            guard let note = invoice.creditNoteDocument, note.number == number else { throw missing }
            return Self.portalInvoice(note)
        }
        guard invoice.number == number else { throw missing }
        return Self.portalInvoice(invoice, numbers: try billing.invoiceNumbers(client: signedIn.client))
    }

    private func requireBilling(_ signedIn: SignedIn) throws {
        guard signedIn.billing else {
            throw DomainError(.notFound, "invoices are shown to your company's billing contacts; ask us to make you one")
        }
    }

    private static func portalInvoice(_ invoice: Invoice, numbers: [String: String]) -> PortalInvoice {
        PortalInvoice(
            number: invoice.number ?? invoice.id, isCreditNote: false, period: invoice.period, issuedAt: invoice.finalizedAt ?? "",
            related: invoice.creditNote, reason: nil, document: ClientDocument(invoice, numbers: numbers))
    }

    private static func portalInvoice(_ note: CreditNote) -> PortalInvoice {
        PortalInvoice(
            number: note.number, isCreditNote: true, period: note.period, issuedAt: note.issuedAt, related: note.credits, reason: note.reason,
            document: ClientDocument(note))
    }
}
