import Domain

/// A line of a draft or final invoice that bills a time entry, in whole or in part: the entry is among the entries of
/// the line's charge and was not billed as it stands by an earlier live invoice's line of the same key. A corrected
/// entry is on the line that first billed it and on the line that adjusts it; the entries of that key left as they
/// were are not on the adjustment.
public struct EntryBilling: Codable, Sendable, Equatable {
    /// The invoice's number once final (`INV-2026-0001`), else its draft id (`acme-D2`).
    public var document: String
    /// The draft id, `acme-D2`.
    public var invoice: String
    /// `draft` or `final`: voided and discarded invoices bill nothing.
    public var status: Invoice.Status
    /// The line, from 1, as `docket invoice show` numbers them.
    public var line: Int

    /// `INV-2026-0001 line 3`, `acme-D2 line 1 (draft)`.
    public var text: String { "\(document) line \(line)" + (status == .draft ? " (draft)" : "") }
}

/// A time entry as `docket time list` and `GET /v1/time` give it: the entry's fields and `billedOn`, the lines of draft
/// and final invoices that bill it, oldest invoice first (empty when none does: not billed yet, non-billable, voided,
/// held back or covered by nothing). Operators answering "why was this client charged 3.5 hours on 12 October?" list
/// the day's entries and read the lines to audit (`docket audit invoice`).
public struct TimeListRow: Encodable, Sendable, Equatable {
    public var entry: TimeEntryState
    public var billedOn: [EntryBilling]

    private enum Keys: String, CodingKey { case billedOn }

    public func encode(to encoder: any Encoder) throws {
        try entry.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(billedOn, forKey: .billedOn)
    }

    /// `entries` with the lines of `invoices` that bill each: only draft and final invoices count.
    public static func rows(_ entries: [TimeEntryState], invoices: [Invoice]) -> [TimeListRow] {
        let wanted = Set(entries.map(\.entryId))
        var billing: [String: [EntryBilling]] = [:]
        let live = invoices.filter { $0.status == .draft || $0.status == .final }
            .sorted { ($0.client, ChargeCalculator.entryNumber($0.id)) < ($1.client, ChargeCalculator.entryNumber($1.id)) }
        // Per charge key, each entry's log position as the latest live line of that key billed it.
        var billedAs: [String: [String: UInt64]] = [:]
        for invoice in live {
            for (index, line) in invoice.lines.enumerated() {
                let earlier = billedAs[line.charge.key] ?? [:]
                for entry in line.charge.entries where wanted.contains(entry.entryId) && earlier[entry.entryId] != entry.position {
                    billing[entry.entryId, default: []].append(
                        EntryBilling(document: invoice.number ?? invoice.id, invoice: invoice.id, status: invoice.status, line: index + 1))
                }
                billedAs[line.charge.key] = Dictionary(line.charge.entries.map { ($0.entryId, $0.position) }) { _, last in last }
            }
        }
        return entries.map { TimeListRow(entry: $0, billedOn: billing[$0.entryId] ?? []) }
    }
}
