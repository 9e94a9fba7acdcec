import Domain

/// How a time line's minutes read on the client's document (docs/billing.md, "The client's document"): the minutes
/// billed at the rate as h:mm beside the decimal hours (0.17 h is 0:10, and 10 minutes × the rate / 60 is the amount),
/// and, when rounding up or the per-ticket minimum raised the logged time, a note saying by how much.
public struct LineTime: Sendable {
    /// The line's minutes billed at the rate, as h:mm (`0:10`; `-0:15` on a line that takes time back); empty on a
    /// fee's line.
    public let billedTime: String
    /// The charge the line bills: minutes logged, added by rounding up, added to reach the ticket's minimum.
    public let loggedMinutes: Int
    public let roundingMinutes: Int
    public let minimumMinutes: Int
    /// Minutes of the charge billed (at the rate or covered) by earlier invoices: the line bills the rest.
    public let previouslyBilledMinutes: Int

    /// The time of `line`, negated when `sign` is -1 (a credit note's rows).
    public init(_ line: InvoiceLine, sign: Int = 1) {
        billedTime = line.charge.kind == .time ? Self.clock(sign * line.chargedMinutes) : ""
        loggedMinutes = sign * line.charge.loggedMinutes
        roundingMinutes = sign * line.charge.roundingMinutes
        minimumMinutes = sign * line.charge.minimumMinutes
        previouslyBilledMinutes = sign * (line.previousChargedMinutes + line.previousCoveredMinutes)
    }

    /// What raised the time, when something did: `0:10 logged + 0:05 rounding up to the contract's increment = 0:15`,
    /// then, on a line adjusting earlier invoices, how much of it they billed. Nil when nothing was added.
    public var note: String? {
        guard roundingMinutes != 0 || minimumMinutes != 0 else { return nil }
        if loggedMinutes == 0, roundingMinutes == 0 {
            // Only a top-up at the business-hours rate has no logged time (terms with `minimumTopUp` `business-hours`).
            return "\(Self.clock(minimumMinutes)) to reach the ticket's minimum for the month, at the business-hours rate "
                + "(the month's work on the ticket was after hours)"
                + (previouslyBilledMinutes != 0 ? " (\(Self.clock(previouslyBilledMinutes)) of it billed before: this line bills the difference)" : "")
        }
        var parts = ["\(Self.clock(loggedMinutes)) logged"]
        if roundingMinutes != 0 { parts.append("\(Self.clock(roundingMinutes)) rounding up to the contract's increment") }
        if minimumMinutes != 0 { parts.append("\(Self.clock(minimumMinutes)) to reach the ticket's minimum for the month") }
        var text = parts.joined(separator: " + ") + " = \(Self.clock(loggedMinutes + roundingMinutes + minimumMinutes))"
        if previouslyBilledMinutes != 0 { text += " (\(Self.clock(previouslyBilledMinutes)) of it billed before: this line bills the difference)" }
        return text
    }

    /// `minutes` as h:mm: `0:10`, `12:05`, `-1:30`.
    public static func clock(_ minutes: Int) -> String {
        let magnitude = minutes.magnitude
        let fraction = magnitude % 60
        return (minutes < 0 ? "-" : "") + "\(magnitude / 60):" + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}

/// `invoice show --json` and `GET /v1/invoices/{invoice}`: the invoice as its events tell it, `type: "invoice"` (as
/// its row of `invoice list --json`; a credit note is `"credit-note"`: ``CreditNoteDocumentJSON``), each line with what
/// the client's document shows beside it (added keys, none renamed): `chargedMinutes`, `coveredMinutes` and `amount` of
/// the line itself, `billedTime` (h:mm), and `timeNote` (what rounding up or the ticket's minimum added; null when
/// nothing was).
public struct InvoiceDocumentJSON: Encodable, Sendable {
    /// The invoice shown.
    public let invoice: Invoice

    public init(_ invoice: Invoice) { self.invoice = invoice }

    private enum Keys: String, CodingKey { case lines, type }

    public func encode(to encoder: any Encoder) throws {
        try invoice.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(invoice.lines.map(Line.init), forKey: .lines)
        try container.encode("invoice", forKey: .type)
    }

    /// One line with the added keys.
    public struct Line: Encodable, Sendable {
        /// The line as the invoice records it.
        public let line: InvoiceLine

        private enum Keys: String, CodingKey { case chargedMinutes, coveredMinutes, amount, billedTime, timeNote }

        public func encode(to encoder: any Encoder) throws {
            try line.encode(to: encoder)
            let time = LineTime(line)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(line.chargedMinutes, forKey: .chargedMinutes)
            try container.encode(line.coveredMinutes, forKey: .coveredMinutes)
            try container.encode(line.amount, forKey: .amount)
            try container.encode(time.billedTime, forKey: .billedTime)
            try container.encode(time.note, forKey: .timeNote)  // null rather than absent: every line has the same keys
        }
    }
}

/// `invoice show CN-… --json`, `GET /v1/invoices/CN-…` and a credit note's row of `invoice list --json`: the credit
/// note's fields, `type: "credit-note"`, `id` (its number, which no invoice has), and on each line `billedTime`, the
/// minutes credited at the rate as h:mm (`-3:30`; empty on a fee's line), as an invoice's lines have it.
public struct CreditNoteDocumentJSON: Encodable, Sendable {
    /// The credit note shown.
    public let note: CreditNote
    /// Its lines' times, in order: the voided invoice's lines', negated.
    private let times: [LineTime]

    /// The credit note that voided `invoice`; nil when it was not voided.
    public init?(_ invoice: Invoice) {
        guard let note = invoice.creditNoteDocument else { return nil }
        self.note = note
        times = invoice.lines.map { LineTime($0, sign: -1) }
    }

    private enum Keys: String, CodingKey { case type, id, lines }

    public func encode(to encoder: any Encoder) throws {
        try note.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("credit-note", forKey: .type)
        try container.encode(note.number, forKey: .id)
        try container.encode(zip(note.lines, times).map { Line(line: $0, time: $1) }, forKey: .lines)
    }

    /// One line with the added key.
    struct Line: Encodable {
        let line: CreditNote.Line
        let time: LineTime

        private enum Keys: String, CodingKey { case billedTime }

        func encode(to encoder: any Encoder) throws {
            try line.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(time.billedTime, forKey: .billedTime)
        }
    }
}

/// A row of `invoice list --json` and `GET /v1/invoices`, as the table lists them: an invoice (every field as before,
/// and `type: "invoice"`), then, after an invoice a credit note voided, the credit note (as `invoice show CN-…`
/// prints it: ``CreditNoteDocumentJSON``).
public enum InvoiceListRow: Encodable, Sendable {
    case invoice(Invoice)
    case creditNote(CreditNoteDocumentJSON)

    /// The rows of `invoices`, in their order: each invoice, then its credit note when it has one.
    public static func rows(_ invoices: [Invoice]) -> [InvoiceListRow] {
        invoices.flatMap { invoice in [.invoice(invoice)] + (CreditNoteDocumentJSON(invoice).map { [.creditNote($0)] } ?? []) }
    }

    private enum Keys: String, CodingKey { case type }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .invoice(let invoice):
            try invoice.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("invoice", forKey: .type)
        case .creditNote(let document):
            try document.encode(to: encoder)
        }
    }
}
