import EventLog
import Foundation

/// What one fold derived from an event, kept for the other folds of the same event in the same write transaction:
/// two models that decode an event the same way (queue and sla both read a ticket's change) share one decode when
/// both hold the same memo — whether the store applies each event to every projection in turn (an append) or folds
/// each projection over a whole batch, on several threads at once (`BulkFold`).
///
/// A memo is an instance given to the projections that share it when they are made (`ReadModels` makes one per
/// store), never a global: two stores folding at the same time do not see each other's events. `derive` must be a pure
/// function of the event's type, schema version and payload; a hit requires the same position and all three to be
/// equal (the payload comparison is a pointer check when it is the same event). The projections call `forget()` when
/// their transaction ends (`flush`, `discardPending`), so a memo holds one transaction's events at most, and never more
/// than `capacity`.
public final class EventMemo<Value>: @unchecked Sendable {
    // @unchecked Sendable: every access to `values` takes `lock`.
    // @inlinable (with what it touches @usableFromInline) so the user's module specializes it for its `Value`.
    @usableFromInline let lock = NSLock()
    @usableFromInline var values: [UInt64: Entry] = [:]
    @usableFromInline let capacity: Int

    @usableFromInline struct Entry {
        @usableFromInline let type: String
        @usableFromInline let schemaVersion: UInt16
        @usableFromInline let payload: [UInt8]
        @usableFromInline let value: Value

        @inlinable init(type: String, schemaVersion: UInt16, payload: [UInt8], value: Value) {
            (self.type, self.schemaVersion, self.payload, self.value) = (type, schemaVersion, payload, value)
        }
    }

    /// A memo that starts afresh when it holds `capacity` events (more than a bulk batch: 20k events).
    public init(capacity: Int = 1 << 16) { self.capacity = capacity }

    /// `derive(event)`, computed at most once per event while the memo holds it (two threads asking for the same event
    /// at the same moment may both compute it: it is pure).
    @inlinable public func value(of event: RecordedEvent, _ derive: (RecordedEvent) throws -> Value) rethrows -> Value {
        let hit = lock.withLock { () -> Value? in
            guard let entry = values[event.position], entry.schemaVersion == event.schemaVersion, entry.type == event.type,
                entry.payload == event.payload
            else { return nil }
            return entry.value
        }
        if let hit { return hit }
        let value = try derive(event)
        lock.withLock {
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[event.position] = Entry(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload, value: value)
        }
        return value
    }

    /// Forgets every event (the transaction that folded them has ended).
    public func forget() {
        lock.withLock { values.removeAll() }
    }
}
