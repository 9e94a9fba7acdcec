import DocketTime
import Domain
import EventLog
import Foundation
import ReadModelKit

/// What the queue and sla folds need of a ticket event, decoded once for both (and for billing, which reads every
/// `ticket.opened`): its `TicketChange` and, for a `ticket.sla-started`, the content digest of its frozen terms (see
/// `SLATerms`). `ReadModels` makes one and gives it to the three projections; the store applies each event to every
/// projection in turn (or folds them on several threads), so the later ones find the first one's decode in the memo. A `ticket.sla-started` whose terms were seen before (by digest) is not decoded
/// at all: only its priority and start instant are read (`SLATermsCache`); the commonest ticket events are read without
/// `JSONDecoder` (`FastPayloads`).
///
/// Queue and sla also fold each ticket's SLA clock once between them (`foldClock`): a ticket event that can move a
/// clock carries a `ClockStep`, in which the first of the two to fold it leaves the clock after it, for the other to
/// take when its clock has the same `ClockOrigin`; and they write a clock of one origin once (`encoded`).
final class TicketChanges: Sendable {
    private let memo = EventMemo<(change: TicketChange, terms: Digest?, share: ClockShare?)>()
    /// Guards every `ClockShare` this decoder hands out (one lock: a share is filled once and read once or twice).
    private let shareLock = NSLock()
    /// Decoded terms by content digest, shared by the folds and by the rows that read their terms back.
    let terms = SLATermsCache()

    init() {}

    /// Forgets the changes decoded in the transaction that ended (the memo holds one transaction's at most).
    func forget() { memo.forget() }

    /// `TicketChange(event)` with the terms' digest of a `ticket.sla-started` (nil otherwise, or when not shared), and
    /// what the clock folds of queue and sla share: for a `ticket.sla-started` the `ClockOrigin` of the clocks it
    /// starts, for a ticket event that can move a clock a `ClockStep`.
    func change(of event: RecordedEvent) throws -> (change: TicketChange, terms: Digest?, share: ClockShare?) {
        try memo.value(of: event) { event in
            guard event.type == TicketSLAStarted.descriptor.type else {
                let change: TicketChange =
                    if let fast = FastPayloads.ticketEvent(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload) {
                        .ticket(fast)
                    } else {
                        try TicketChange(event)
                    }
                let moves = change.ticketEvent.map(ClockStep.canMoveAClock) ?? false
                return (change, nil, moves ? .step(ClockStep()) : nil)
            }
            let (started, digest) = try terms.started(event)
            return (.sla(.started(started)), digest, .origin(ClockOrigin()))
        }
    }

    /// Folds `ticketEvent` (recorded as `event`) into `clock`, as `SLAClock.apply(_:at:)` does, computing it once for
    /// the models that share this decoder: when `step` already holds the clock after this event for a clock of the
    /// same `origin`, that clock is taken; otherwise the event is folded here and, if the step is empty, left in it.
    ///
    /// Why the origin and not the clocks' values: two folds with the same origin started their clocks from the same
    /// decode of one `ticket.sla-started` in this transaction, and have since folded the same events — every event of
    /// the ticket's stream — so their clocks are equal. Anything else (a clock read from the row stored before the
    /// transaction, one the queue started anew because another stream's `ticket.opened` named this ticket's number)
    /// has no origin, or another one, and is folded where it is.
    ///
    /// Not inlined, and the clock is only ever changed in place or replaced whole: inlined into the folds' closures
    /// (which change a row in place), it made the compiler copy the clock and the row around every call.
    @inline(never)
    func foldClock(_ clock: inout SLAClock?, origin: ClockOrigin?, _ ticketEvent: TicketEvent, at event: RecordedEvent, share: ClockShare?) {
        guard case .step(let step) = share, let origin, case .some = clock else {
            clock?.apply(ticketEvent, at: event.recordedAt)
            return
        }
        if let after = shareLock.withLock({ step.clock(from: origin) }) {
            clock = consume after
            return
        }
        clock?.apply(ticketEvent, at: event.recordedAt)
        guard case .some(let after) = clock else { return }
        shareLock.withLock { step.keep(consume after, from: origin) }
    }

    /// The bytes `RowWriter.clock` writes for `clock`, written once for the models whose clocks have `origin`: at the
    /// end of a transaction (a flush) two clocks of one origin have folded the same events, so they are equal. Nil when
    /// the clock cannot be written here (its terms are kept whole and do not encode): the row's codec writes it then.
    func encoded(_ clock: StoredSLAClock, origin: ClockOrigin) -> [UInt8]? {
        if let bytes = shareLock.withLock({ origin.encoded }) { return bytes }
        var writer = RowWriter()
        guard (try? writer.clock(clock)) != nil else { return nil }
        let bytes = writer.bytes
        shareLock.withLock { if origin.encoded == nil { origin.encoded = bytes } }
        return bytes
    }
}

/// What the clock folds of queue and sla share for one event (see `TicketChanges`).
enum ClockShare {
    /// A `ticket.sla-started`: the origin of the clocks it starts.
    case origin(ClockOrigin)
    /// A ticket event that can move a clock.
    case step(ClockStep)
}

/// Where a clock folded in the current write transaction comes from: the `ticket.sla-started` that started it in
/// that transaction, one object per decode of that event (kept in its memo entry), so the folds that started their
/// clocks from it hold the same object, and a clock read from a stored row holds none (see `TicketChanges.foldClock`).
/// It also keeps the clock's bytes once the first fold wrote them at the end of the transaction (`TicketChanges.encoded`).
final class ClockOrigin: Equatable, @unchecked Sendable {
    // @unchecked Sendable: `encoded` is only read and written under `TicketChanges.shareLock`.
    fileprivate var encoded: [UInt8]?

    /// The same object: one decode of one event.
    static func == (lhs: ClockOrigin, rhs: ClockOrigin) -> Bool { lhs === rhs }
}

/// The clock after one ticket event, left by the first fold of it for the others (see `TicketChanges.foldClock`).
final class ClockStep: @unchecked Sendable {
    // @unchecked Sendable: `origin` and `after` are only read and written under `TicketChanges.shareLock`.
    // Two properties, not one optional pair: reading the pair's origin copied the whole clock with it.
    private var origin: ClockOrigin?
    /// The clock after the event, folded from a clock of `origin`.
    private var after: SLAClock?

    /// The clock after the event, when a fold of a clock of `origin` left it.
    fileprivate func clock(from origin: ClockOrigin) -> SLAClock? {
        self.origin === origin ? after : nil
    }

    /// Keeps the first clock folded; a later one (of another origin) is not kept.
    fileprivate func keep(_ after: consuming SLAClock, from origin: ClockOrigin) {
        guard self.origin == nil else { return }
        self.origin = origin
        self.after = after
    }

    /// Whether `event` is of a kind that `SLAClock.apply(_:at:)` can change a clock with (public comments, status
    /// changes, closes, merges, reopens, priority changes). Only a step's worth deciding: a kind left out is folded
    /// by each model on its own, with the same result.
    static func canMoveAClock(_ event: TicketEvent) -> Bool {
        switch event {
        case .commented(let e): e.visibility == .public
        case .statusChanged, .closed, .merged, .reopened, .priorityChanged: true
        default: false
        }
    }
}
