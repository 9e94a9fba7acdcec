import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// The `alerts` read model: for each alerting condition (a client's fingerprint), the ticket it belongs to and
/// its last known state, so that repeats join the ticket instead of opening new ones.
///
/// Database (format 3, checkpoint `alerts-v3`): `rm.alerts3.conditions`: source ‖ 0x00 ‖ client ‖ 0x00 ‖ fingerprint ‖
/// 0x00 (`OrderedKey`) → `AlertRecord` in the binary row format (a `RowTable` of the read-model kit), row format 1.
/// The client is the `client` of `ticket.alert-received`; events written before it was recorded (format 2 keyed
/// conditions by source and fingerprint alone, so two clients' same alert id shared one) have the empty client:
/// intake trusts such a row only for its ticket's client. Format 1 stored canonical JSON in `rm.alerts.conditions`.
public final class AlertsProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the database handles are set once when the store opens; `rows` guards itself.
    public let name = "alerts"
    /// Received alerts only: `apply` passes over every other type (on any stream).
    public var interest: EventInterest? { EventInterest(types: Self.received) }
    public let format = 3
    public var tables: [String] { rows.tableNames }
    /// The fold keeps its rows in memory until `flush` and only reads through the transaction.
    public let foldsInMemory = true
    /// `prepareFlush` seals the batch (`RowTable.prepareFlush`).
    public let sealsBatches = true
    private let rows = RowTable<KeyPair<String, KeyPair<String, String>>, AlertRecord, AlertRecord>(
        "conditions", format: 1, keys: ModelRowKeys.alerts, store: { $0 }, load: { stored, _, _ in stored })

    public init() {}

    public func attach(_ tables: ReadModelTables) { rows.attach(tables) }

    /// The one type the fold reads, checked on every event of the log.
    private static let received = EventTypes([TicketAlertReceived.descriptor.type])

    /// The fold: the condition's record after a delivery of it.
    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard Self.received.contains(event.type),
            let number = TicketNumber(String(event.stream.dropFirst("ticket-".count)))
        else { return }
        guard case .received(let alert) = try TicketAlertEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        else { return }
        let key = Self.key(source: alert.source, client: alert.client ?? "", fingerprint: alert.fingerprint)
        let at = event.recordedAt.millisecondsSinceEpoch
        var found = try rows.row(key, txn: txn)
        if found == nil, alert.client != nil, let unkeyed = try rows.row(Self.key(source: alert.source, client: "", fingerprint: alert.fingerprint), txn: txn),
            unkeyed.ticket == number
        {
            found = unkeyed  // the same condition, recorded before events named the client: its counts go on
        }
        var record = found ?? AlertRecord(ticket: number, status: alert.status, firstSeen: at, lastSeen: 0, resolvedAt: nil, occurrences: 0)
        record.ticket = number
        record.status = alert.status
        record.lastSeen = at
        if alert.status == "firing" {
            record.occurrences += 1
            record.resolvedAt = nil
        } else {
            record.resolvedAt = at
        }
        rows.set(key, record)
    }

    public func prepareFlush() throws { try rows.prepareFlush() }

    public func flush(in txn: borrowing Transaction) throws { try rows.flush(in: txn) }

    public func discardPending() { rows.discard() }

    /// What is known about `client`'s condition `fingerprint` from `source`, if it was ever seen. The empty client
    /// reads what events that named no client recorded (see the type's summary).
    public func record(source: String, client: String, fingerprint: String, in store: EventStore) throws -> AlertRecord? {
        try store.readModels { txn in try rows.read(Self.key(source: source, client: client, fingerprint: fingerprint), txn: txn) }
    }

    /// Every condition ever seen, in key order (source, client, fingerprint).
    public func conditions(in store: EventStore) throws -> [AlertCondition] {
        try store.readModels { txn in
            try txn.withCursor(rows.database) { cursor in
                var conditions: [AlertCondition] = []
                var entry = try cursor.first()
                while let found = entry {
                    // The key: source, client and fingerprint, each its UTF-8 and a 0x00 (`OrderedKey`).
                    let parts = found.key.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                    if parts.count >= 3 {
                        conditions.append(
                            AlertCondition(source: parts[0], client: parts[1], fingerprint: parts[2], record: try rows.decodeStored(found.value)))
                    }
                    entry = try cursor.next()
                }
                return conditions
            }
        }
    }

    private static func key(source: String, client: String, fingerprint: String) -> KeyPair<String, KeyPair<String, String>> {
        KeyPair(source, KeyPair(client, fingerprint))
    }
}

/// One alerting condition as the `alerts` read model knows it.
public struct AlertRecord: Codable, Sendable, Equatable {
    public var ticket: TicketNumber
    /// `firing` or `resolved`.
    public var status: String
    /// When it was first and last delivered (ms since the epoch), and when it last resolved.
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var resolvedAt: Int64?
    /// How many firing deliveries it has had.
    public var occurrences: Int
}

/// One row of the `alerts` read model with its key: a client's alerting condition from one source.
public struct AlertCondition: Sendable, Equatable {
    /// `alertmanager` or `generic`.
    public var source: String
    /// The client whose condition it is; empty for conditions recorded before events named the client.
    public var client: String
    /// The condition's identity at its source.
    public var fingerprint: String
    /// What the model knows of it.
    public var record: AlertRecord
}
