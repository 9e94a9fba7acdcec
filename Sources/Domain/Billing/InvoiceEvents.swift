/// Invoice events. A client's invoices live on its billing stream (`billing-<client>`), so runs for one client
/// are serialised by the stream version; numbers are issued on yearly sequence streams
/// (`invoice-numbers-2026`, `credit-note-numbers-2026`) whose versions make them gapless.
public enum InvoiceEvent: Sendable, Equatable {
    /// See ``InvoiceDrafted``.
    case drafted(InvoiceDrafted)
    /// See ``InvoiceFinalized``.
    case finalized(InvoiceFinalized)
    /// See ``InvoiceDiscarded``.
    case discarded(InvoiceDiscarded)
    /// See ``InvoiceVoided``.
    case voided(InvoiceVoided)
    /// See ``InvoiceNumberIssued``.
    case numberIssued(InvoiceNumberIssued)
}

/// One line of an invoice: what is billed now under a charge key, and what earlier invoices billed under it.
public struct InvoiceLine: Codable, Sendable, Equatable {
    /// The charge as computed at the run: the full value of its key, with the entries and terms behind it.
    public var charge: Charge
    /// Minutes billed at the rate by live invoices before this one, under the same key.
    public var previousChargedMinutes: Int
    /// Minutes covered before this one, under the same key.
    public var previousCoveredMinutes: Int
    /// Minor units billed before this one, under the same key.
    public var previousAmount: Int64
    /// The invoices (ids) that billed the key before.
    public var previousInvoices: [String]
    /// True when the key was already billed on a finalized invoice: this line corrects it.
    public var adjustment: Bool

    public init(
        charge: Charge, previousChargedMinutes: Int, previousCoveredMinutes: Int, previousAmount: Int64, previousInvoices: [String],
        adjustment: Bool
    ) {
        self.charge = charge
        self.previousChargedMinutes = previousChargedMinutes
        self.previousCoveredMinutes = previousCoveredMinutes
        self.previousAmount = previousAmount
        self.previousInvoices = previousInvoices
        self.adjustment = adjustment
    }

    /// Minutes billed at the rate by this line (negative for a reduction).
    public var chargedMinutes: Int { charge.chargedMinutes - previousChargedMinutes }
    /// Minutes covered by this line.
    public var coveredMinutes: Int { charge.coveredMinutes - previousCoveredMinutes }
    /// Minor units billed by this line (negative for a reduction).
    public var amount: Int64 { charge.amount - previousAmount }
}

/// Tax at one rate on an invoice.
public struct TaxLine: Codable, Sendable, Equatable {
    /// The rate in whole basis points, rounded down when `millionths` is present.
    public var basisPoints: Int
    /// The exact rate in millionths, present only when it is not a whole number of basis points.
    public var millionths: Int?
    /// The sum of the lines at this rate.
    public var base: Int64
    public var tax: Int64

    /// A tax line at a rate of whole basis points.
    public init(basisPoints: Int, base: Int64, tax: Int64) {
        self.init(rate: TaxRate(basisPoints: basisPoints), base: base, tax: tax)
    }

    /// A tax line at `rate`.
    public init(rate: TaxRate, base: Int64, tax: Int64) {
        basisPoints = rate.wholeBasisPoints
        millionths = rate.fractionalMillionths
        self.base = base
        self.tax = tax
    }

    /// The rate of this line.
    public var rate: TaxRate { TaxRate(basisPoints: basisPoints, exactMillionths: millionths) }

    /// Tax lines of `lines`, one per rate, in rate order (Money rule 3); nil when a base or a tax does not fit in `Int64`.
    public static func of(_ lines: [InvoiceLine]) -> [TaxLine]? {
        var bases: [TaxRate: Int64] = [:]
        for line in lines {
            let (base, overflow) = bases[line.charge.taxRate, default: 0].addingReportingOverflow(line.amount)
            guard !overflow else { return nil }
            bases[line.charge.taxRate] = base
        }
        var taxLines: [TaxLine] = []
        for rate in bases.keys.sorted() {
            guard rate.millionths > 0, let base = bases[rate] else { continue }
            guard let tax = Money.tax(on: base, rate: rate) else { return nil }
            taxLines.append(TaxLine(rate: rate, base: base, tax: tax))
        }
        return taxLines
    }
}

/// `invoice.drafted.v1`: an invoice run drafted an invoice for a client.
public struct InvoiceDrafted: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "invoice", type: "invoice.drafted", schemaVersion: 1,
        summary: "An invoice run drafted an invoice: every line with the charge behind it and what earlier invoices billed.")
    /// `acme-D3`: the client and the draft's number among the client's drafts.
    public var invoice: String
    public var client: String
    /// `2026-11`.
    public var period: String
    public var currency: String
    public var lines: [InvoiceLine]
    public var subtotal: Int64
    public var taxes: [TaxLine]
    public var total: Int64
    /// RFC 3339.
    public var draftedAt: String
    /// The IANA zone of the client's billing months this invoice fixes (docs/billing.md, "Billing months");
    /// invoices drafted before months followed the client's zone have none: their months are UTC months.
    public var timeZone: String?

    public init(
        invoice: String, client: String, period: String, currency: String, lines: [InvoiceLine], subtotal: Int64, taxes: [TaxLine],
        total: Int64, draftedAt: String, timeZone: String? = nil
    ) {
        self.invoice = invoice
        self.client = client
        self.period = period
        self.currency = currency
        self.lines = lines
        self.subtotal = subtotal
        self.taxes = taxes
        self.total = total
        self.draftedAt = draftedAt
        self.timeZone = timeZone
    }
}

/// `invoice.finalized.v1`: a draft became final under a gapless number; it never changes again.
public struct InvoiceFinalized: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "invoice", type: "invoice.finalized", schemaVersion: 1,
        summary: "A draft invoice was finalized under a gapless number (INV-2026-0001); it is immutable from now on.")
    public var invoice: String
    /// `INV-2026-0001`.
    public var number: String
    /// RFC 3339.
    public var finalizedAt: String
    /// Whom the invoice is addressed to, as the client and its contracts stood when it was finalized: the invoice shows
    /// these ever after. Absent on invoices finalized before bill-to details existed.
    public var billTo: BillTo?

    public init(invoice: String, number: String, finalizedAt: String, billTo: BillTo? = nil) {
        self.invoice = invoice
        self.number = number
        self.finalizedAt = finalizedAt
        self.billTo = billTo
    }
}

/// `invoice.discarded.v1`: a draft was thrown away; its time and fees are unbilled again.
public struct InvoiceDiscarded: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "invoice", type: "invoice.discarded", schemaVersion: 1,
        summary: "A draft invoice was discarded; what it billed is unbilled again and goes on the next run.")
    public var invoice: String
    public var reason: String

    public init(invoice: String, reason: String) {
        self.invoice = invoice
        self.reason = reason
    }
}

/// `invoice.voided.v1`: a final invoice was cancelled by a credit note for its whole amount.
public struct InvoiceVoided: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "invoice", type: "invoice.voided", schemaVersion: 1,
        summary: "A final invoice was voided by a credit note (CN-2026-0001) for its whole amount; its time goes on the next run.")
    public var invoice: String
    public var number: String
    /// `CN-2026-0001`.
    public var creditNote: String
    public var reason: String
    /// RFC 3339.
    public var voidedAt: String

    public init(invoice: String, number: String, creditNote: String, reason: String, voidedAt: String) {
        self.invoice = invoice
        self.number = number
        self.creditNote = creditNote
        self.reason = reason
        self.voidedAt = voidedAt
    }
}

/// `invoice.number-issued.v1`: the next number of a yearly sequence (stream `invoice-numbers-2026` or
/// `credit-note-numbers-2026`) was given to an invoice; the stream version is the number.
public struct InvoiceNumberIssued: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "invoice", type: "invoice.number-issued", schemaVersion: 1,
        summary: "The next number of a yearly invoice or credit-note sequence was issued; the sequence has no gaps.")
    /// `INV-2026-0001` or `CN-2026-0001`.
    public var number: String
    public var invoice: String
    public var client: String

    public init(number: String, invoice: String, client: String) {
        self.number = number
        self.invoice = invoice
        self.client = client
    }
}

extension InvoiceEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<InvoiceEvent>] = [
        .init(InvoiceDrafted.self) { .drafted($0) },
        .init(InvoiceFinalized.self) { .finalized($0) },
        .init(InvoiceDiscarded.self) { .discarded($0) },
        .init(InvoiceVoided.self) { .voided($0) },
        .init(InvoiceNumberIssued.self) { .numberIssued($0) },
    ]
}
