import Domain
import EventLog
import Foundation
import LMDB

/// The `alerts` read model: for each alerting condition (fingerprint), the ticket it belongs to and
/// its last known state, so that repeats join the ticket instead of opening new ones.
///
/// Database `rm.alerts.conditions`: source ‖ 0x00 ‖ fingerprint → `AlertRecord` as canonical JSON.
public final class AlertsProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the only state is the database handle, set once when the store opens.
    public let name = "alerts"
    public let tables = ["conditions"]
    private var conditions: Database?

    public init() {}

    public func attach(_ tables: ReadModelTables) { conditions = tables["conditions"] }

    public func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.type == TicketAlertReceived.descriptor.type, let conditions,
            let number = TicketNumber(String(event.stream.dropFirst("ticket-".count)))
        else { return }
        guard case .received(let alert) = try TicketAlertEvent.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        else { return }
        let key = AlertsProjection.key(source: alert.source, fingerprint: alert.fingerprint)
        var record = try txn.get(conditions, key: key).flatMap { try? JSONDecoder().decode(AlertRecord.self, from: Data($0)) }
            ?? AlertRecord(ticket: number, status: alert.status, firstSeen: event.recordedAt.millisecondsSinceEpoch, lastSeen: 0, resolvedAt: nil, occurrences: 0)
        record.ticket = number
        record.status = alert.status
        record.lastSeen = event.recordedAt.millisecondsSinceEpoch
        if alert.status == "firing" {
            record.occurrences += 1
            record.resolvedAt = nil
        } else {
            record.resolvedAt = event.recordedAt.millisecondsSinceEpoch
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try txn.put(conditions, key: key, value: Array(try encoder.encode(record)))
    }

    static func key(source: String, fingerprint: String) -> [UInt8] {
        Array(source.utf8) + [0] + Array(fingerprint.utf8)
    }

    /// What is known about the condition `fingerprint` from `source`, if it was ever seen.
    public func record(source: String, fingerprint: String, in store: EventStore) throws -> AlertRecord? {
        guard let conditions else { return nil }
        return try store.readModels { txn in
            try txn.get(conditions, key: AlertsProjection.key(source: source, fingerprint: fingerprint))
                .map { try JSONDecoder().decode(AlertRecord.self, from: Data($0)) }
        }
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
