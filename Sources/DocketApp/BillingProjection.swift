import Domain
import EventLog
import Foundation
import LMDB

/// The `billing` read model: every invoice as its billing stream tells it, the numbers that name invoices and
/// credit notes, and the client and category of every ticket (what an invoice run needs of tickets).
///
/// Databases:
/// - `rm.billing.invoices`: invoice id (`acme-D3`) → ``Invoice`` as canonical JSON (sorted keys), so a rebuild or a
///   replay as of a moment reproduces every invoice byte for byte;
/// - `rm.billing.numbers`: `INV-2026-0001` or `CN-2026-0001` → invoice id;
/// - `rm.billing.tickets`: client ‖ 0x00 ‖ ticket → category (UTF-8, empty for none);
/// - `rm.billing.ticket-clients`: ticket → client.
public final class BillingProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the only state is the database handles, set once when the store opens.
    public let name = "billing"
    public let databaseNames = ["rm.billing.invoices", "rm.billing.numbers", "rm.billing.tickets", "rm.billing.ticket-clients"]
    private var invoices: Database?
    private var numbers: Database?
    private var tickets: Database?
    private var ticketClients: Database?

    public init() {}

    public func attach(_ databases: [Database]) {
        guard databases.count == 4 else { return }
        (invoices, numbers, tickets, ticketClients) = (databases[0], databases[1], databases[2], databases[3])
    }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard let invoices, let numbers, let tickets, let ticketClients else { return }
        if event.stream.hasPrefix("ticket-") {
            guard event.type == TicketOpened.descriptor.type || event.type == TicketCategoryChanged.descriptor.type else { return }
            switch try TicketEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload) {
            case .opened(let opened):
                try txn.put(ticketClients, key: Array(opened.number.description.utf8), value: Array(opened.client.utf8))
                try txn.put(tickets, key: Self.ticketKey(client: opened.client, ticket: opened.number.description), value: Array((opened.category ?? "").utf8))
            case .categoryChanged(let changed):
                let number = String(event.stream.dropFirst("ticket-".count))
                guard let client = try txn.get(ticketClients, key: Array(number.utf8)).map({ String(decoding: $0, as: UTF8.self) }) else { return }
                try txn.put(tickets, key: Self.ticketKey(client: client, ticket: number), value: Array(changed.category.utf8))
            default:
                return
            }
            return
        }
        guard event.stream.hasPrefix("billing-") else { return }
        let decoded = try InvoiceEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        let id: String
        switch decoded {
        case .drafted(let e): id = e.invoice
        case .finalized(let e):
            id = e.invoice
            try txn.put(numbers, key: Array(e.number.utf8), value: Array(id.utf8))
        case .voided(let e):
            id = e.invoice
            try txn.put(numbers, key: Array(e.creditNote.utf8), value: Array(id.utf8))
        case .discarded(let e): id = e.invoice
        case .numberIssued: return
        }
        let current = try txn.get(invoices, key: Array(id.utf8)).map { try JSONDecoder().decode(Invoice.self, from: Data($0)) }
        let ledger = InvoiceLedger(invoices: current.map { [$0] } ?? []).applying(decoded)
        guard let updated = ledger.invoice(id) else { return }
        try txn.put(invoices, key: Array(id.utf8), value: Self.encode(updated))
    }

    static func ticketKey(client: String, ticket: String) -> [UInt8] {
        Array(client.utf8) + [0] + Array(ticket.utf8)
    }

    static func encode(_ invoice: Invoice) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(invoice))
    }

    // MARK: - Queries

    /// The invoice named by its id (`acme-D3`), its number (`INV-2026-0001`) or its credit note (`CN-2026-0001`).
    public func invoice(_ reference: String, in store: EventStore) throws -> Invoice? {
        guard let invoices, let numbers else { return nil }
        return try store.readModels { txn in
            let id = try txn.get(numbers, key: Array(reference.utf8)).map { String(decoding: $0, as: UTF8.self) } ?? reference
            return try txn.get(invoices, key: Array(id.utf8)).map { try JSONDecoder().decode(Invoice.self, from: Data($0)) }
        }
    }

    /// The raw row of an invoice (canonical JSON), for byte-for-byte comparisons.
    public func invoiceRow(_ id: String, in store: EventStore) throws -> [UInt8]? {
        guard let invoices else { return nil }
        return try store.readModels { txn in try txn.get(invoices, key: Array(id.utf8)) }
    }

    /// Every invoice, by id.
    public func allInvoices(in store: EventStore) throws -> [Invoice] {
        guard let invoices else { return [] }
        return try store.readModels { txn in
            var result: [Invoice] = []
            try txn.withCursor(invoices) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    result.append(try JSONDecoder().decode(Invoice.self, from: Data(current.value)))
                    entry = try cursor.next()
                }
            }
            return result
        }
    }

    /// The tickets of every client: client → ticket number → billing facts.
    public func tickets(in store: EventStore) throws -> [String: [String: BillableTicket]] {
        guard let tickets else { return [:] }
        return try store.readModels { txn in
            var result: [String: [String: BillableTicket]] = [:]
            try txn.withCursor(tickets) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let key = Array(current.key)
                    if let split = key.firstIndex(of: 0) {
                        let client = String(decoding: key[..<split], as: UTF8.self)
                        let number = String(decoding: key[(split + 1)...], as: UTF8.self)
                        let category = String(decoding: current.value, as: UTF8.self)
                        result[client, default: [:]][number] = BillableTicket(
                            number: number, client: client, category: category.isEmpty ? nil : category)
                    }
                    entry = try cursor.next()
                }
            }
            return result
        }
    }
}
