import EventLog
import Foundation

/// What one fold derived from an event, kept for the other folds of the same event in the same write transaction:
/// two models that decode an event the same way (queue and sla both read a ticket's change) share one decode when both
/// hold the same memo — whether the store applies each event to every projection in turn (an append) or folds them on
/// several threads, each over the whole batch (`BulkFold`): a fold that comes after another, on any thread, finds its
/// value.
///
/// A memo is an instance given to the projections that share it when they are made (`ReadModels` makes one per
/// store), never a global: two stores folding at the same time do not see each other's events. `derive` must be a pure
/// function of the event's type, schema version and payload; a hit requires the same position and all three to be
/// equal (the payload comparison is a pointer check when it is the same event). It holds the last `capacity` events
/// by position (more than a bulk batch), until the projections call `forget()` when their transaction ends.
public final class EventMemo<Value>: @unchecked Sendable {
    // @unchecked Sendable: `slots` and `used` are only touched under `lock` (one lock: the array is one value, so two
    // threads may not change two of its elements under two locks).
    // @inlinable (with what it touches @usableFromInline) so the user's module specializes it for its `Value`.
    /// Slot `position % slots.count` holds the event at that position, when it was the last one there.
    @usableFromInline var slots: [Entry?]
    @usableFromInline let lock = NSLock()
    /// The slots filled since the last `forget()`.
    @usableFromInline var used: [Int] = []

    /// An event's value, boxed: a slot holds a reference, not the value inline.
    @usableFromInline final class Entry {
        @usableFromInline let position: UInt64
        @usableFromInline let type: String
        @usableFromInline let schemaVersion: UInt16
        @usableFromInline let payload: [UInt8]
        @usableFromInline let value: Value

        @inlinable init(position: UInt64, type: String, schemaVersion: UInt16, payload: [UInt8], value: Value) {
            (self.position, self.type, self.schemaVersion, self.payload, self.value) = (position, type, schemaVersion, payload, value)
        }
    }

    /// A memo of up to `capacity` events by position.
    public init(capacity: Int = 1 << 15) {
        slots = Array(repeating: nil, count: max(1, capacity))
    }

    /// `derive(event)`, computed once for the folds that ask while the memo holds the event (two threads asking for
    /// the same event at the same moment may both compute it: it is pure).
    @inlinable public func value(of event: RecordedEvent, _ derive: (RecordedEvent) throws -> Value) rethrows -> Value {
        let slot = Int(event.position % UInt64(slots.count))
        if let entry = lock.withLock({ slots[slot] }), entry.position == event.position, entry.schemaVersion == event.schemaVersion,
            entry.type == event.type, entry.payload == event.payload
        {
            return entry.value
        }
        let value = try derive(event)
        let entry = Entry(position: event.position, type: event.type, schemaVersion: event.schemaVersion, payload: event.payload, value: value)
        lock.withLock {
            if slots[slot] == nil { used.append(slot) }
            slots[slot] = entry
        }
        return value
    }

    /// Forgets every event held (the transaction that folded them has ended), so that none outlives its batch.
    public func forget() {
        lock.withLock {
            for slot in used { slots[slot] = nil }
            used.removeAll(keepingCapacity: true)
        }
    }
}
