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
/// function of the event's type, schema version and payload. A hit requires the same position, the very same payload
/// buffer (the array's reference, compared and never followed: see `Slot`) and the same chained hash: the folds of one
/// batch are handed the same decoded events, and a position names one event for as long as the memo holds it (the log
/// is append-only, and no slot outlives the fold that filled it), so the same event decoded again is only a miss,
/// derived again; a buffer freed and made again at the same address for another event has another hash. The memo
/// holds no reference to the event: a slot kept its type and payload, and letting go of them at `forget` (released on another thread than the one that
/// decoded them, some shared by every event of a type) was 7 % of a bulk fold's writer thread. It holds the last
/// `capacity` events by position (more than a bulk batch), until the projections call `forget()` when their transaction
/// ends, or `forget(through:)` in a pipelined bulk fold, whose next batch may have begun before this one is written.
public final class EventMemo<Value>: @unchecked Sendable {
    // @unchecked Sendable: a slot and its stripe's `used` are only touched under the stripe's lock.
    // @inlinable (with what it touches @usableFromInline) so the user's module specializes it for its `Value`.
    /// Slot `position % capacity` holds the event at that position, when it was the last one there. The slots live in
    /// memory of their own, allocated once: values are kept inline (a class instance per event was an allocation per
    /// event) and read in place (no exclusivity or uniqueness check of an array property on every look-up).
    @usableFromInline let slots: UnsafeMutablePointer<Slot>
    @usableFromInline let capacity: Int
    /// Adaptive pthread mutexes (`AdaptiveLocks`, each on a cache line of its own), each for the slots of 64
    /// consecutive positions in turn (`stripe(of:)`): the fold threads take one a few times per ticket event, each for a
    /// few instructions. (`NSLock` went through `NSCondition` to `pthread_mutex_lock`, some 20 instructions more a lock
    /// and unlock; a plain mutex put a waiting thread to sleep.) With one mutex for the whole memo, two threads folding
    /// `queue` and `sla` of one batch at once (`BulkFold`'s tasks) moved its cache line between the cores for nearly
    /// every lookup: 9 % of a 10M replay's samples were in the mutex calls. Striped by runs of positions, a thread
    /// going through a batch keeps one stripe's line for 64 events, and the other thread, elsewhere in the batch, holds
    /// another (striped by single positions, both threads went through every stripe and nothing was gained).
    @usableFromInline let locks = AdaptiveLocks(count: EventMemo.stripes)
    @usableFromInline static var stripes: Int { 64 }
    /// The slots filled since the last `forget()`, by stripe. Only touched under their stripe's lock: their accesses
    /// are not checked at run time for overlap as well (`swift_beginAccess` and `swift_endAccess` on every derived
    /// value, ~90 instructions).
    @exclusivity(unchecked) @usableFromInline var used: [[Int]] = Array(repeating: [], count: EventMemo.stripes)

    /// An event's value with what identifies the event (`value` nil: the slot is empty).
    @usableFromInline struct Slot {
        @usableFromInline var position: UInt64
        /// The event's payload buffer, by its reference (`buffer(of:)`): compared, never followed.
        @usableFromInline var payload: UInt
        /// The event's chained hash (held in the event itself, beside its position).
        @usableFromInline var hash: Digest
        @usableFromInline var value: Value?

        @inlinable static var empty: Slot { Slot(position: 0, payload: 0, hash: .zero, value: nil) }

        @inlinable init(position: UInt64, payload: UInt, hash: Digest, value: Value?) {
            (self.position, self.payload, self.hash, self.value) = (position, payload, hash, value)
        }

        /// A slot for `event` (whose payload buffer is `payload`).
        @inlinable init(_ event: RecordedEvent, payload: UInt, value: Value?) {
            self.init(position: event.position, payload: payload, hash: event.hash, value: value)
        }

        /// The value kept for `event` (whose payload buffer is `payload`), if this slot holds that event.
        @inlinable func value(for event: RecordedEvent, payload: UInt) -> Value? {
            guard position == event.position, self.payload == payload, hash == event.hash else { return nil }
            return value
        }
    }

    /// `event`'s payload buffer, by its reference: the one word an array holds, read where the event lies. Its address
    /// or count are read through that reference, in the buffer's header, which was made by the thread that read the
    /// batch and is long out of this core's cache when a fold looks an event up: that one load was 5 % of a 1M
    /// rebuild's samples (the queue and sla folds look up every ticket event).
    @inlinable static func buffer(of event: RecordedEvent) -> UInt {
        unsafeBitCast(event.payload, to: UInt.self)
    }

    /// A memo of up to `capacity` events by position.
    ///
    /// The slots' memory is handed out zeroed (`calloc`), and when `Value` is a class an empty slot is all zero bits
    /// (position 0, no buffer, a zero hash, a nil reference): the slots are then not written at all, and their pages are
    /// touched only when a fold fills them — not by every command that makes the read models (and this memo) and folds
    /// nothing, which paid ~1.2 ms to write 32k empty slots. Other values are written empty as before.
    public init(capacity: Int = 1 << 15) {
        self.capacity = max(1, capacity)
        precondition(MemoryLayout<Slot>.alignment <= 16, "calloc's alignment")
        guard let zeroed = calloc(self.capacity, MemoryLayout<Slot>.stride) else { fatalError("out of memory") }
        slots = zeroed.bindMemory(to: Slot.self, capacity: self.capacity)
        if !(Value.self is AnyObject.Type) { slots.initialize(repeating: .empty, count: self.capacity) }
    }

    /// The stripe of slot `slot` (its mutex in `locks`, its list in `used`): the slots of 64 consecutive positions
    /// share one.
    @inlinable static func stripe(of slot: Int) -> Int { (slot >> 6) % stripes }

    deinit {
        slots.deinitialize(count: capacity)
        free(slots)
    }

    /// `derive(event)`, computed once for the folds that ask while the memo holds the event (two threads asking for
    /// the same event at the same moment may both compute it: it is pure).
    @inlinable public func value(of event: RecordedEvent, _ derive: (RecordedEvent) throws -> Value) rethrows -> Value {
        let slot = Int(event.position % UInt64(capacity))
        let stripe = EventMemo.stripe(of: slot)
        let payload = EventMemo.buffer(of: event)
        if let value = locks.withLock(stripe, { slots[slot].value(for: event, payload: payload) }) { return value }
        let value = try derive(event)
        locks.withLock(stripe) {
            if slots[slot].value == nil { used[stripe].append(slot) }
            slots[slot] = Slot(event, payload: payload, value: value)
        }
        return value
    }

    /// Forgets every event held (the transaction that folded them has ended), so that none outlives its batch.
    /// @inlinable, as `value(of:)` is: unspecialized, emptying a slot went through the generic value witnesses.
    @inlinable public func forget() {
        for stripe in 0..<EventMemo.stripes {
            locks.withLock(stripe) {
                for slot in used[stripe] { slots[slot] = .empty }
                used[stripe].removeAll(keepingCapacity: true)
            }
        }
    }

    /// The highest position held, 0 when none is.
    @inlinable public var highestPosition: UInt64 {
        (0..<EventMemo.stripes).reduce(0) { highest, stripe in
            locks.withLock(stripe) { used[stripe].reduce(highest) { max($0, slots[$1].position) } }
        }
    }

    /// Forgets the events held at `position` or before, and keeps those after it: a pipelined bulk fold forgets a
    /// batch once it is written while the next batch's folds, begun meanwhile, keep what they derived.
    @inlinable public func forget(through position: UInt64) {
        for stripe in 0..<EventMemo.stripes {
            locks.withLock(stripe) {
                var kept = 0
                for index in used[stripe].indices {
                    let slot = used[stripe][index]
                    if slots[slot].position <= position {
                        slots[slot] = .empty
                    } else {
                        used[stripe][kept] = slot
                        kept += 1
                    }
                }
                used[stripe].removeSubrange(kept...)
            }
        }
    }
}
