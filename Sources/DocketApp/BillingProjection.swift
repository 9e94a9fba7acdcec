import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// The `billing` read model: every invoice as its billing stream tells it, the numbers that name invoices and
/// credit notes, and the client and category of every ticket (what an invoice run needs of tickets).
///
/// Databases (format 6, checkpoint `billing-v6`; format 5 had no bill-to in the status row, format 4 kept each ticket's client and category in two tables keyed
/// by client and by the ticket's bytes, format 3 kept a copy of each draft's payload, format 2 also stored the status
/// rows as canonical JSON):
/// - `rm.billing6.invoices`: `d:` ‖ invoice id (`acme-D3`) → the log position of its `invoice.drafted` event (8 bytes,
///   big-endian), whose payload is the invoice's body: read from the log when the invoice is read, never copied into
///   the model (a draft's lines were ~40 % of every read model's bytes); and `s:` ‖ invoice id → an
///   ``InvoiceStatusRow`` (status, number, credit note, bill-to) in the read-model kit's binary row format (`RowCodec`),
///   row format 2; a rebuild or a replay as of a moment reproduces both byte for byte;
/// - `rm.billing6.numbers`: `INV-2026-0001` or `CN-2026-0001` → invoice id;
/// - `rm.billing6.tickets`: ticket (`ShortlexUTF8`: its byte count, u32 BE, then its bytes, so tickets sort in number
///   order and a new ticket's row is appended at the end) → its client's byte count (u32 BE), the client, then the
///   category (UTF-8, empty for none).
public final class BillingProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the tables are set once when the store opens and guard their pending values themselves.
    public let name = "billing"
    /// Ticket and invoice streams only: `apply` passes over every other event.
    public let interest: EventInterest? = EventInterest(streamPrefixes: ["ticket-", "billing-"])
    /// Format 6 (the draft's log position plus binary status row, with the bill-to of `invoice.finalized`; one row per
    /// ticket); stores written with an older format build it anew on open.
    public let format = 6
    public var tables: [String] { all.map(\.name) }
    /// The fold keeps its puts in the tables' memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` seals the batch (`RawTable.seal`).
    public let sealsBatches = true
    private let invoices = RawTable("invoices")
    private let numbers = RawTable("numbers")
    private let tickets = RawTable("tickets")
    private var all: [RawTable] { [invoices, numbers, tickets] }
    /// The ticket events decoded once for this model, `queue` and `sla` (see `TicketChanges`): billing reads every
    /// `ticket.opened`, which they decode too.
    private let changes: TicketChanges

    /// A billing model with a decoder of its own (`ReadModels` shares one between queue, sla and billing).
    public convenience init() { self.init(changes: TicketChanges()) }

    init(changes: TicketChanges) { self.changes = changes }

    public func attach(_ tables: ReadModelTables) {
        for table in all { table.attach(tables) }
    }

    /// Decodes the batch's ticket events into the memo it shares with the other ticket models (`TicketChanges.prepare`).
    public func prepare(_ events: [RecordedEvent]) { changes.prepare(events) }

    /// Seals the batch folded so far in every table (`RawTable.seal`).
    public func prepareFlush() throws {
        for table in all { table.seal() }
        changes.sealed()
    }

    /// Writes what this transaction's folds put, each table in key order (see `RawTable`).
    public func flush(in txn: borrowing Transaction) throws {
        for table in all { try table.flush(in: txn) }
        changes.flushed()
    }

    public func discardPending() {
        for table in all { table.discard() }
        changes.forget()
    }

    /// The ticket events the fold reads, checked on every event of a ticket's stream.
    private static let ticketTypes = EventTypes([TicketOpened.descriptor.type, TicketCategoryChanged.descriptor.type])

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        if StreamName.stream(event.stream, hasPrefix: "ticket-") {
            guard Self.ticketTypes.contains(event.type) else { return }
            switch try changes.change(of: event).change.ticketEvent {
            case .opened(let opened)?:
                tickets.put(ShortlexUTF8.key(opened.number.description), Self.ticketRow(client: opened.client, category: opened.category ?? ""))
            case .categoryChanged(let changed)?:
                let key = ShortlexUTF8.key(String(event.stream.dropFirst("ticket-".count)))
                guard let row = try tickets.value(key, txn: txn), let client = Self.client(ofTicketRow: row) else { return }
                tickets.put(key, Self.ticketRow(client: client, category: changed.category))
            default:
                return
            }
            return
        }
        guard StreamName.stream(event.stream, hasPrefix: "billing-") else { return }
        let decoded: InvoiceEvent
        if event.type == InvoiceDrafted.descriptor.type {
            // The draft's payload is the invoice's body, read from the log by its position: no decode, no copy.
            let id = try Self.draftId(of: event.payload)
            invoices.put(Self.draftKey(id), OrderedKey.of(event.position))
            invoices.put(Self.statusKey(id), try Self.draftStatusRow ?? Self.statusRows.encode(InvoiceStatusRow(status: .draft)))
            return
        }
        decoded = try FastPayloads.invoiceEvent(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
            ?? InvoiceEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        let id: String
        var change: (inout InvoiceStatusRow) -> Void
        switch decoded {
        case .finalized(let e):
            id = e.invoice
            numbers.put(Array(e.number.utf8), Array(id.utf8))
            change = {
                $0.status = .final
                $0.number = e.number
                $0.finalizedAt = e.finalizedAt
                $0.billTo = e.billTo
            }
        case .voided(let e):
            id = e.invoice
            numbers.put(Array(e.creditNote.utf8), Array(id.utf8))
            change = {
                $0.status = .voided
                $0.creditNote = e.creditNote
                $0.reason = e.reason
                $0.closedAt = e.voidedAt
            }
        case .discarded(let e):
            id = e.invoice
            change = {
                $0.status = .discarded
                $0.reason = e.reason
            }
        case .drafted, .numberIssued:
            return
        }
        guard let raw = try invoices.value(Self.statusKey(id), txn: txn) else { return }
        // Most changes are to a draft, whose row is always the same bytes: known without decoding them.
        var row = raw == Self.draftStatusRow ? InvoiceStatusRow(status: .draft) : try raw.withUnsafeBytes { try Self.statusRows.decode($0) }
        change(&row)
        invoices.put(Self.statusKey(id), try Self.statusRows.encode(row))
    }

    /// A row of `rm.billing6.tickets`: the client's byte count (u32 BE), the client, the category.
    static func ticketRow(client: String, category: String) -> [UInt8] {
        var row = ShortlexUTF8.key(client)
        row.append(contentsOf: category.utf8)
        return row
    }

    /// The client of a `rm.billing6.tickets` row (nil for a damaged one).
    static func client(ofTicketRow row: [UInt8]) -> String? {
        row.withUnsafeBytes { ShortlexUTF8.read($0)?.text }
    }

    /// `d:acme-D3`: the position of the draft. `s:acme-D3`: the status row.
    static func draftKey(_ id: String) -> [UInt8] { Array("d:\(id)".utf8) }
    static func statusKey(_ id: String) -> [UInt8] { Array("s:\(id)".utf8) }

    /// The `invoice` member of a draft payload, found without parsing the lines. The payload is canonical JSON
    /// (keys sorted), so the top-level keys before `"invoice"` are `"client"`, `"currency"` and `"draftedAt"`, whose
    /// values (a slug, a currency code, a timestamp) cannot contain `"invoice":"`; its first occurrence is the key.
    /// Searched byte by byte (Foundation's generic `firstRange(of:)` cost 67,000 instructions a draft).
    static func draftId(of payload: [UInt8]) throws -> String {
        let id = payload.withUnsafeBufferPointer { bytes -> String? in
            let marker: StaticString = #""invoice":""#
            let count = marker.utf8CodeUnitCount
            guard bytes.count >= count else { return nil }
            let markerBytes = UnsafeBufferPointer(start: marker.utf8Start, count: count)
            var start = 0
            while start <= bytes.count - count {
                if bytes[start] == markerBytes[0], bytes[start..<(start + count)].elementsEqual(markerBytes) {
                    let open = start + count
                    guard let close = bytes[open...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                    return String(decoding: bytes[open..<close], as: UTF8.self)
                }
                start += 1
            }
            return nil
        }
        guard let id else { throw EventLogError(.corrupt, "an invoice.drafted payload has no invoice id; run `docket verify`") }
        return id
    }

    /// The status rows' codec (binary row format 1): written member by member (`BinaryRowEncoder.encodeStrings`: the
    /// bytes of `InvoiceStatusRow`'s `Codable` encoding, without an `Encoder`), read back through `Codable`.
    static let statusRows = RowCodec<InvoiceStatusRow>(format: 2, keys: ModelRowKeys.invoiceStatus) { row, writer in
        writer.bytes.append(contentsOf: BinaryRowEncoder(keys: ModelRowKeys.invoiceStatus).encodeStrings(row.members))
    }

    /// The status row of every new draft, encoded once.
    static let draftStatusRow = try? statusRows.encode(InvoiceStatusRow(status: .draft))

    /// An invoice's rows as the model keeps them: the log position of its draft and its status row.
    struct StoredInvoice {
        let id: String
        let draftPosition: UInt64
        let status: [UInt8]
    }

    /// The rows of invoice `id`, nil when the model has none.
    private func stored(_ id: String, txn: borrowing Transaction) throws -> StoredInvoice? {
        let invoices = invoices.database
        guard let draft = try txn.get(invoices, key: Self.draftKey(id)), let status = try txn.get(invoices, key: Self.statusKey(id)) else {
            return nil
        }
        guard draft.count == 8 else {
            throw EventLogError(.corrupt, "the billing row of invoice \(id) is damaged; run `docket rebuild billing`")
        }
        return StoredInvoice(id: id, draftPosition: draft.withUnsafeBytes { OrderedKey.uint64($0) }, status: status)
    }

    /// The invoice from its rows and its body: the `invoice.drafted` event at the row's position, read from the log
    /// (`store.event(at:)`: a linked replay's own log, which ends at its position).
    static func invoice(_ stored: StoredInvoice, in store: EventStore) throws -> Invoice {
        guard let event = try store.event(at: stored.draftPosition), event.type == InvoiceDrafted.descriptor.type,
            case .drafted(let e) = try InvoiceEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload),
            e.invoice == stored.id
        else {
            throw EventLogError(
                .corrupt,
                "the billing model has invoice \(stored.id) drafted at position \(stored.draftPosition), where its draft is not; "
                    + "run `docket rebuild billing`")
        }
        let row = try stored.status.withUnsafeBytes { try statusRows.decode($0) }
        return Invoice(
            id: e.invoice, client: e.client, period: e.period, currency: e.currency, status: row.status, number: row.number,
            creditNote: row.creditNote, lines: e.lines, subtotal: e.subtotal, taxes: e.taxes, total: e.total, draftedAt: e.draftedAt,
            finalizedAt: row.finalizedAt, closedAt: row.closedAt, reason: row.reason, timeZone: e.timeZone, billTo: row.billTo)
    }

    // MARK: - Queries

    /// The invoice named by its id (`acme-D3`), its number (`INV-2026-0001`) or its credit note (`CN-2026-0001`).
    public func invoice(_ reference: String, in store: EventStore) throws -> Invoice? {
        let numbers = numbers.database
        let found = try store.readModels { txn in
            let id = try txn.get(numbers, key: Array(reference.utf8)).map { String(decoding: $0, as: UTF8.self) } ?? reference
            return try stored(id, txn: txn)
        }
        return try found.map { try Self.invoice($0, in: store) }
    }

    /// The raw rows of an invoice (the draft's position, then the status row), for byte-for-byte comparisons.
    public func invoiceRow(_ id: String, in store: EventStore) throws -> [UInt8]? {
        try store.readModels { txn in try stored(id, txn: txn).map { OrderedKey.of($0.draftPosition) + [0] + $0.status } }
    }

    /// Every invoice, by id.
    public func allInvoices(in store: EventStore) throws -> [Invoice] {
        let invoices = invoices.database
        let prefix = Array("d:".utf8)
        let rows = try store.readModels { txn in
            var rows: [StoredInvoice] = []
            try txn.withCursor(invoices) { cursor in
                var entry = try cursor.seek(atLeast: prefix)
                while let current = entry, current.key.starts(with: prefix) {
                    let id = String(decoding: current.key.dropFirst(prefix.count), as: UTF8.self)
                    guard let row = try stored(id, txn: txn) else { break }
                    rows.append(row)
                    entry = try cursor.seek(atLeast: Self.draftKey(id) + [0])
                }
            }
            return rows
        }
        return try rows.map { try Self.invoice($0, in: store) }
    }

    /// The tickets of every client: client → ticket number → billing facts.
    public func tickets(in store: EventStore) throws -> [String: [String: BillableTicket]] {
        let tickets = tickets.database
        return try store.readModels { txn in
            var result: [String: [String: BillableTicket]] = [:]
            try txn.withCursor(tickets) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    // A damaged entry (shorter than its counts say) is passed over, as a row of no ticket.
                    if let number = ShortlexUTF8.read(current.key), number.end == current.key.count,
                        let client = ShortlexUTF8.read(current.value)
                    {
                        let category = String(decoding: current.value[client.end...], as: UTF8.self)
                        result[client.text, default: [:]][number.text] = BillableTicket(
                            number: number.text, client: client.text, category: category.isEmpty ? nil : category)
                    }
                    entry = try cursor.next()
                }
            }
            return result
        }
    }
}

/// What changes on an invoice after its draft: the status, the numbers, and whom it was addressed to when finalized.
struct InvoiceStatusRow: Codable, Equatable {
    var status: Invoice.Status
    var number: String?
    var creditNote: String?
    var finalizedAt: String?
    var closedAt: String?
    var reason: String?
    /// The bill-to of `invoice.finalized`, member by member (row format 2): the name, the address's lines and the
    /// purchase orders each joined by a line feed (neither holds one: ``ClientDecider`` and ``BillingTerms`` refuse
    /// control characters), the tax id.
    var billToName: String?
    var billToAddress: String?
    var billToTaxId: String?
    var billToPurchaseOrders: String?

    init(status: Invoice.Status) { self.status = status }

    /// The bill-to the row records, nil when the invoice was not finalized with one.
    var billTo: BillTo? {
        get {
            billToName.map {
                BillTo(
                    name: $0, address: billToAddress.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) },
                    taxId: billToTaxId,
                    purchaseOrders: billToPurchaseOrders.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) })
            }
        }
        set {
            billToName = newValue?.name
            billToAddress = newValue?.address.flatMap { $0.isEmpty ? nil : $0.joined(separator: "\n") }
            billToTaxId = newValue?.taxId
            billToPurchaseOrders = newValue?.purchaseOrders.flatMap { $0.isEmpty ? nil : $0.joined(separator: "\n") }
        }
    }

    /// The members as the synthesized `encode(to:)` writes them: by name, the status as its raw value, nil left out.
    var members: [(name: String, value: String?)] {
        [("status", status.rawValue), ("number", number), ("creditNote", creditNote), ("finalizedAt", finalizedAt),
         ("closedAt", closedAt), ("reason", reason), ("billToName", billToName), ("billToAddress", billToAddress),
         ("billToTaxId", billToTaxId), ("billToPurchaseOrders", billToPurchaseOrders)]
    }
}
