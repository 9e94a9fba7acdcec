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
/// take when its clock has the same `ClockOrigin`.
final class TicketChanges: Sendable {
    private let memo = EventMemo<(change: TicketChange, terms: Digest?, step: ClockStep?)>()
    /// Guards every `ClockStep` this decoder hands out (one lock: a step is filled once and read once or twice).
    private let stepLock = NSLock()
    /// Decoded terms by content digest, shared by the folds and by the rows that read their terms back.
    let terms = SLATermsCache()

    init() {}

    /// Forgets the changes decoded in the transaction that ended (the memo holds one transaction's at most).
    func forget() { memo.forget() }

    /// `TicketChange(event)` with the terms' digest of a `ticket.sla-started` (nil otherwise, or when not shared), and
    /// for a ticket event that can move an SLA clock, the step the clock folds share.
    func change(of event: RecordedEvent) throws -> (change: TicketChange, terms: Digest?, step: ClockStep?) {
        try memo.value(of: event) { event in
            guard event.type == TicketSLAStarted.descriptor.type else {
                let change: TicketChange =
                    if let fast = FastPayloads.ticketEvent(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload) {
                        .ticket(fast)
                    } else {
                        try TicketChange(event)
                    }
                return (change, nil, change.ticketEvent.flatMap { ClockStep.canMoveAClock($0) ? ClockStep() : nil })
            }
            let (started, digest) = try terms.started(event)
            return (.sla(.started(started)), digest, nil)
        }
    }

    /// Folds `ticketEvent` (recorded as `event`) into `clock`, as `SLAClock.apply(_:at:)` does, computing it once for
    /// the models that share this decoder: when `step` already holds the clock after this event for a clock of the
    /// same `origin`, that clock is taken; otherwise the event is folded here and, if the step is empty, left in it.
    ///
    /// Why the origin and not the clocks' values: two folds with the same origin started their clocks from the same
    /// `ticket.sla-started` (the same position) in this transaction, and have since folded the same events — every
    /// event of the ticket's stream — so their clocks are equal. Anything else (a clock read from the row stored
    /// before the transaction, one the queue started anew because another stream's `ticket.opened` named this
    /// ticket's number) has no origin, or another one, and is folded where it is.
    func foldClock(_ clock: inout SLAClock?, origin: ClockOrigin?, _ ticketEvent: TicketEvent, at event: RecordedEvent, step: ClockStep?) {
        guard clock != nil else { return }
        guard let step, let origin else {
            clock?.apply(ticketEvent, at: event.recordedAt)
            return
        }
        if let after = stepLock.withLock({ step.clock(from: origin) }) {
            clock = after
            return
        }
        clock?.apply(ticketEvent, at: event.recordedAt)
        guard let after = clock else { return }
        stepLock.withLock { step.keep(after, from: origin) }
    }
}

/// Where a clock folded in the current write transaction comes from: the position of the `ticket.sla-started` that
/// started it in that transaction (see `TicketChanges.foldClock`). A clock read from a stored row has none.
struct ClockOrigin: Equatable, Sendable {
    let position: UInt64
}

/// The clock after one ticket event, left by the first fold of it for the others (see `TicketChanges.foldClock`);
/// touched only under the lock of the `TicketChanges` that made it.
final class ClockStep: @unchecked Sendable {
    // @unchecked Sendable: `folded` is only read and written under `TicketChanges.stepLock`.
    private var folded: (origin: ClockOrigin, after: SLAClock)?

    /// The clock after the event, when a fold of a clock with `origin` left it.
    func clock(from origin: ClockOrigin) -> SLAClock? {
        guard let folded, folded.origin == origin else { return nil }
        return folded.after
    }

    /// Keeps the first clock folded; a later one (of another origin) is not kept.
    func keep(_ after: SLAClock, from origin: ClockOrigin) {
        if folded == nil { folded = (origin, after) }
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
