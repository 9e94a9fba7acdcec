import EventLog
import Foundation

/// What one fold derived from an event, kept for the next fold of the same event: the store applies each event to
/// every projection in turn, so two models that decode an event the same way (queue and sla both read a ticket's
/// change) share one decode when both hold the same memo.
///
/// A memo is an instance given to the projections that share it when they are made (`ReadModels` makes one per
/// store), never a global: two stores folding at the same time do not see each other's events. `derive` must be a pure
/// function of the event's type, schema version and payload; a hit requires all three to be equal (the payload
/// comparison is a pointer check when it is the same event).
public final class EventMemo<Value>: @unchecked Sendable {
    // @unchecked Sendable: every access to `last` takes `lock`.
    // @inlinable (with what it touches @usableFromInline) so the user's module specializes it for its `Value`.
    @usableFromInline let lock = NSLock()
    @usableFromInline var last: (type: String, schemaVersion: UInt16, payload: [UInt8], value: Value)?

    public init() {}

    /// `derive(event)`, computed at most once for consecutive calls with the same event.
    @inlinable public func value(of event: RecordedEvent, _ derive: (RecordedEvent) throws -> Value) rethrows -> Value {
        let hit = lock.withLock { () -> Value? in
            guard let last, last.schemaVersion == event.schemaVersion, last.type == event.type, last.payload == event.payload
            else { return nil }
            return last.value
        }
        if let hit { return hit }
        let value = try derive(event)
        lock.withLock { last = (event.type, event.schemaVersion, event.payload, value) }
        return value
    }
}
