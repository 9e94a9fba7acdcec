import Domain
import EventLog
import Foundation
import ReadModelKit

/// What the queue and sla folds need of a ticket event, decoded once for both (and for billing, which reads every
/// `ticket.opened`): its `TicketChange` and, for a `ticket.sla-started`, the content digest of its frozen terms (see
/// `SLATerms`). `ReadModels` makes one and gives it to the three projections; the store applies each event to every
/// projection in turn (or folds them on several threads), so the later ones find the first one's decode in the memo. A `ticket.sla-started` whose terms were seen before (by digest) is not decoded
/// at all: only its priority and start instant are read (`SLATermsCache`); the commonest ticket events are read without
/// `JSONDecoder` (`FastPayloads`), without the free texts no fold reads: a `ticket.opened`'s description and a
/// `ticket.commented`'s text are empty (its mail subject nil) in the changes kept here (the slow path, for payloads the fast one does not
/// answer for, keeps them). A `ticket.status-changed` or a `ticket.commented` read that way holds no string: its change
/// is one of a few boxes made once (`Decoded.shared`).
final class TicketChanges: Sendable {
    private let memo = EventMemo<Decoded>()
    /// Decoded terms by content digest, shared by the folds and by the rows that read their terms back.
    let terms = SLATermsCache()

    /// Called with each chunk of a batch being prepared (`prepare`) on the thread about to decode it: tests hold a thread
    /// at a chunk here.
    private let willDecodeChunk: (@Sendable (Range<Int>) -> Void)?

    init(willDecodeChunk: (@Sendable (Range<Int>) -> Void)? = nil) { self.willDecodeChunk = willDecodeChunk }

    /// What the memo keeps of an event, boxed: the memo copies and destroys its values through the runtime's generic
    /// value witnesses (merged code), which for a `TicketChange` walk every case (a tuple of it cost 1 % of a rebuild),
    /// and for a reference only retain or release. A fold that only reads the change reads it in the box
    /// (`decoded(of:)`): copying it out retained every field of its payload and released them again (~800
    /// instructions per event).
    final class Decoded: Sendable {
        let change: TicketChange
        /// The content digest of a `ticket.sla-started`'s frozen terms (nil for other events, or terms not shared).
        let terms: Digest?

        init(change: TicketChange, terms: Digest?) { (self.change, self.terms) = (change, terms) }

        /// The change of a `ticket.status-changed`, boxed once for each pair of statuses (it holds nothing else): not
        /// a `TicketEvent` made, an allocation and a free per event.
        static func shared(_ changed: TicketStatusChanged) -> Decoded {
            statusChanges[index(changed.status) * statusCount + index(changed.previousStatus)]
        }

        /// The change of a `ticket.commented` with its text left empty (no fold reads it), boxed once per visibility
        /// and author (the client's, ``TicketCommented/isFromClient``, or the MSP's).
        static func shared(_ visibility: CommentVisibility, fromClient: Bool) -> Decoded {
            switch (visibility, fromClient) {
            case (.public, false): publicComment
            case (.internal, false): internalComment
            case (.public, true): clientPublicComment
            case (.internal, true): clientInternalComment
            }
        }

        private static let statusCount = TicketStatus.allCases.count

        /// Every status change, at `index(status) * statusCount + index(previousStatus)`.
        private static let statusChanges: [Decoded] = {
            let statuses = TicketStatus.allCases
            var changes = [Decoded?](repeating: nil, count: statuses.count * statuses.count)
            for status in statuses {
                for previous in statuses {
                    changes[index(status) * statuses.count + index(previous)] = Decoded(
                        change: .ticket(.statusChanged(TicketStatusChanged(status: status, previousStatus: previous))), terms: nil)
                }
            }
            return changes.compactMap { $0 }
        }()

        private static let publicComment = Decoded(change: .ticket(.commented(TicketCommented(text: "", visibility: .public))), terms: nil)
        private static let internalComment = Decoded(
            change: .ticket(.commented(TicketCommented(text: "", visibility: .internal))), terms: nil)
        private static let clientPublicComment = Decoded(
            change: .ticket(.commented(TicketCommented(text: "", visibility: .public, isFromClient: true))), terms: nil)
        private static let clientInternalComment = Decoded(
            change: .ticket(.commented(TicketCommented(text: "", visibility: .internal, isFromClient: true))), terms: nil)

        /// A status's place in `statusChanges` (a switch: `allCases.firstIndex(of:)` made the array of cases each time).
        private static func index(_ status: TicketStatus) -> Int {
            switch status {
            case .new: 0
            case .inProgress: 1
            case .waitingOnClient: 2
            case .closed: 3
            }
        }
    }

    /// The last position of the batches projections have sealed (`sealed()`), nil when none has since the memo was
    /// last emptied. Only touched under `sealing` (a condition: `prepare` waits on it for a batch being prepared).
    private let sealing = NSCondition()
    nonisolated(unsafe) private var sealedThrough: UInt64?

    /// Called by a projection that seals a batch (`Projection.prepareFlush`, a pipelined bulk fold): every change held
    /// then is of that batch or before it, since the next batch's folds start only when every projection has sealed.
    ///
    /// What it seals is the oldest batch prepared and not written yet (`preparedEnds`): the batch after it may be
    /// prepared already (`FoldTasks.prepareUpcoming`), and its changes must outlive this one's flush. Without a
    /// prepared batch, every change held.
    func sealed() {
        let through = sealing.withLock { preparedEnds.first } ?? memo.highestPosition
        sealing.withLock { sealedThrough = max(sealedThrough ?? 0, through) }
    }

    /// Called when a transaction's rows are written. With batches sealed, the next batch's folds may have begun (on
    /// another thread) and derived changes of their own: only the changes of the batches sealed are forgotten (emptying
    /// the whole memo made the models of the writer's group decode the next batch's events again: a quarter of a 1M
    /// rebuild's ticket events were decoded twice). Else every change is.
    func flushed() {
        let through = sealing.withLock { () -> UInt64? in
            if let sealedThrough { preparedEnds.removeAll { $0 <= sealedThrough } }
            return sealedThrough
        }
        if let through {
            memo.forget(through: through)
        } else {
            memo.forget()
        }
    }

    /// Forgets every change decoded (the fold has ended, or dropped what it kept).
    func forget() {
        sealing.withLock { (sealedThrough, preparedThrough, preparedEnds) = (nil, 0, []) }
        memo.forget()
    }

    /// The last position of the last batch prepared (`prepare`), 0 when none is since the memo was last emptied. Only
    /// touched under `sealing`.
    nonisolated(unsafe) private var preparedThrough: UInt64 = 0
    /// The last positions of the batches prepared and not forgotten yet, oldest first. Only touched under `sealing`.
    nonisolated(unsafe) private var preparedEnds: [UInt64] = []
    /// The batches being prepared now, oldest first. Only touched under `sealing`.
    nonisolated(unsafe) private var preparations: [Preparation] = []

    /// A batch being prepared: its events are decoded a chunk at a time by every thread that asks to prepare it. Only
    /// touched under `sealing`.
    private final class Preparation {
        let events: [RecordedEvent]
        let last: UInt64
        /// The first event no thread has taken yet.
        var next = 0
        /// How many chunks threads are decoding now.
        var working = 0

        init(events: [RecordedEvent], last: UInt64) { (self.events, self.last) = (events, last) }

        var isDone: Bool { next == events.count && working == 0 }
    }

    /// Events of a batch a thread decodes between two looks at its preparation (a few hundred microseconds' work).
    static let preparedChunk = 256

    /// Decodes every event of a ticket's stream in `events` (a bulk fold's batch, `Projection.prepare`) into the memo,
    /// once for the three models that read them: folded as tasks, `queue` and `sla` go through a batch at the same time
    /// on two threads, and both decoded an event the other had not stored yet — a 1M rebuild derived 1.02M changes for
    /// 752k ticket events (one thread: 752k). An event that does not decode is left for `apply` to meet.
    ///
    /// Every thread that asks while the batch is being prepared helps: the events are decoded a chunk at a time
    /// (`preparedChunk`) by whichever thread takes the next, and each returns once the whole batch is decoded. (The
    /// batch after a fold's is begun by the thread of the fold that ran out of tasks, `FoldTasks.prepareUpcoming`, and
    /// the next batch's threads come to it while it is under way: when they waited for it to end, a 1M rebuild's
    /// threads were blocked ~140 ms in all, one core idle for much of it.)
    func prepare(_ events: [RecordedEvent]) {
        guard let last = events.last?.position else { return }
        let preparation = sealing.withLock { () -> Preparation? in
            guard last > preparedThrough else { return preparations.first { $0.last == last } }
            preparedThrough = last
            preparedEnds.append(last)
            let started = Preparation(events: events, last: last)
            preparations.append(started)
            return started
        }
        guard let preparation else { return }
        while let chunk = take(of: preparation) {
            willDecodeChunk?(chunk)
            preparation.events.forEachInPlace(in: chunk) { event in
                guard StreamName.stream(event.stream, hasPrefix: "ticket-") else { return }
                _ = try? decoded(of: event)
            }
            sealing.withLock {
                preparation.working -= 1
                if preparation.isDone {
                    preparations.removeAll { $0 === preparation }
                    sealing.broadcast()
                }
            }
        }
        sealing.withLock { while !preparation.isDone { sealing.wait() } }
    }

    /// The next chunk of `preparation`'s events for this thread to decode, nil when every one is taken.
    private func take(of preparation: Preparation) -> Range<Int>? {
        sealing.withLock {
            guard preparation.next < preparation.events.count else { return nil }
            let chunk = preparation.next..<min(preparation.events.count, preparation.next + TicketChanges.preparedChunk)
            preparation.next = chunk.upperBound
            preparation.working += 1
            return chunk
        }
    }

    /// `TicketChange(event)` with the terms' digest of a `ticket.sla-started` (nil otherwise, or when not shared).
    func change(of event: RecordedEvent) throws -> (change: TicketChange, terms: Digest?) {
        let decoded = try decoded(of: event)
        return (decoded.change, decoded.terms)
    }

    /// The event's change and terms' digest as the memo keeps them, to be read in place (see `Decoded`).
    func decoded(of event: RecordedEvent) throws -> Decoded {
        try memo.value(of: event) { event in
            // The type told by its bytes once; the texts no fold reads (a description, a comment's text) left empty.
            let type = FastPayloads.TicketType(event.type)
            switch type {
            case .statusChanged:
                if let changed = FastPayloads.statusChange(schemaVersion: event.schemaVersion, payload: event.payload) {
                    return Decoded.shared(changed)
                }
            case .commented:
                if let visibility = FastPayloads.commentVisibility(schemaVersion: event.schemaVersion, payload: event.payload) {
                    // The fast reader answers only for a payload without `fromClient`: the actor tells older comments.
                    return Decoded.shared(visibility, fromClient: Actor.isClientContact(event.actor))
                }
            default: break
            }
            guard type == .slaStarted else {
                if let fast = FastPayloads.ticketEvent(type, schemaVersion: event.schemaVersion, payload: event.payload, texts: .skip) {
                    return Decoded(change: .ticket(fast.attributed(to: event.actor)), terms: nil)
                }
                return Decoded(change: try TicketChange(event), terms: nil)
            }
            let (started, digest) = try terms.started(event)
            return Decoded(change: .sla(.started(started)), terms: digest)
        }
    }
}
