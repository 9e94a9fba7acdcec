import DocketTime
import Domain
import EventLog
import Foundation

/// A ticket as the queue and `docket ticket list` show it: one row of the `queue` read model.
public struct TicketSummary: Codable, Sendable, Equatable {
    public var number: TicketNumber
    public var client: String
    public var contact: String?
    public var category: String?
    public var priority: Priority
    public var source: TicketSource
    public var subject: String
    public var status: TicketStatus
    public var assignee: String?
    public var watchers: [String]
    /// When it was opened (milliseconds since the epoch) and at which position.
    public var openedAt: Int64
    public var openedPosition: UInt64
    /// The last event that changed it.
    public var updatedAt: Int64
    public var updatedPosition: UInt64
    public var publicComments: Int
    public var internalComments: Int
    public var resolution: String?
    public var mergedInto: TicketNumber?
    public var mergedFrom: [TicketNumber]
    /// What the queue needs of the SLA (its due time orders the queue), when the ticket was opened under a
    /// contract with an SLA policy. The whole clock is in the `sla` read model.
    public var sla: QueueSLA?
    /// When a dispatcher said the ticket is due (milliseconds since the epoch); nil when no date is set.
    public var dueDate: Int64?
    /// The ticket's version: its stream's after the last event folded (every event on the stream counts, the SLA's,
    /// mail's and alerts' too), as `ticket show` prints it; pass it as `--expect-version` or `If-Match`.
    public var version: UInt64 = 0
    /// The whole clock, kept while a write transaction folds events into the row (not part of its JSON; the
    /// stored row keeps it as a `StoredSLAClock`, the frozen terms once per content in `rm.queue3.sla-terms`).
    var clock: SLAClock? = nil
    /// The content digest of the clock's frozen terms (see `SLATerms`), kept with `clock`.
    var slaTerms: Digest? = nil

    enum CodingKeys: String, CodingKey {
        case number, client, contact, category, priority, source, subject, status, assignee, watchers, openedAt,
            openedPosition, updatedAt, updatedPosition, publicComments, internalComments, resolution, mergedInto,
            mergedFrom, sla, dueDate, version
    }

    /// Whether the row has a clock, told from the optional's case: `clock == nil` chose the `==` of two `SLAClock?`
    /// (the clock is `Equatable`), which copied the clock (~300 bytes, a retain of each of its references) to compare
    /// it with nil, and released the copy.
    var hasClock: Bool {
        if case .some = clock { true } else { false }
    }

    /// Open means on somebody's queue: not closed and not merged away.
    public var isOpen: Bool { status != .closed && mergedInto == nil }

    /// The ticket as a fresh row from its opening event, recorded at `recordedAt` and `position`.
    init(opened: borrowing TicketOpened, at recordedAt: Timestamp, position: UInt64) {
        number = opened.number
        client = opened.client
        contact = opened.contact
        category = opened.category
        priority = opened.priority
        source = opened.source
        subject = opened.subject
        status = .new
        assignee = nil
        watchers = []
        openedAt = recordedAt.millisecondsSinceEpoch
        openedPosition = position
        updatedAt = openedAt
        updatedPosition = position
        publicComments = 0
        internalComments = 0
        resolution = nil
        mergedInto = nil
        mergedFrom = []
        sla = nil
    }

    /// Derives `sla` from the clock. `sla` depends only on the clock, so a fold derives it once per row, after the
    /// row's last event (the queue at `flush`), not after every event.
    /// The clock is read where the row keeps it (`SLAClock.dueInstants()`): `clock.map(QueueSLA.init)` copied it,
    /// retaining each of its references, and released the copy (more instructions than `QueueSLA` itself).
    mutating func deriveQueueSLA() { sla = clock?.queueSLA() }

    /// The row with `sla` derived from its clock (`deriveQueueSLA()`).
    func withQueueSLA() -> TicketSummary {
        var row = self
        row.deriveQueueSLA()
        return row
    }

    /// Folds one more event of the ticket's stream, recorded at `recordedAt` and `position`, into the row: the ticket's
    /// own (`apply(_:at:position:)`) or its SLA clock's (`apply(_:at:)`), whose `ticket.sla-started` starts the clock
    /// with `terms`, the content digest of its frozen terms, unless one is running; other changes leave the row as it
    /// was. Returns whether it started the clock. `change` is borrowed: a fold reads it where it is kept.
    @discardableResult
    mutating func apply(_ change: borrowing TicketChange, terms: Digest?, at recordedAt: Timestamp, position: UInt64) -> Bool {
        switch change {
        case .ticket(let ticketEvent):
            apply(ticketEvent, at: recordedAt, position: position)
        case .sla(let slaEvent):
            let starting = !hasClock
            apply(slaEvent, at: recordedAt)
            if starting, hasClock {
                slaTerms = terms
                return true
            }
        case .alert, .mail, .attachment, .outbox, .other:
            break
        }
        return false
    }

    /// Folds an SLA event of the ticket's stream, recorded at `recordedAt`, into the row (`sla` is left as it was:
    /// see `withQueueSLA()`).
    mutating func apply(_ slaEvent: TicketSLAEvent, at recordedAt: Timestamp) {
        if case .started(let started) = slaEvent {
            if !hasClock { clock = SLAClock.start(started) }
        } else {
            clock?.apply(slaEvent, at: recordedAt)
        }
    }

    /// Folds one more event of the ticket's stream, recorded at `recordedAt` and `position`, into the row: the same
    /// row and event always give the same row. Like the other `apply`, it leaves `sla` as it was: call
    /// `withQueueSLA()` after the last event. The row's fields change in place.
    mutating func apply(_ ticketEvent: TicketEvent, at recordedAt: Timestamp, position: UInt64) {
        clock?.apply(ticketEvent, at: recordedAt)
        updatedAt = recordedAt.millisecondsSinceEpoch
        updatedPosition = position
        switch ticketEvent {
        case .opened: break
        case .assigned(let e): assignee = e.assignee
        case .unassigned: assignee = nil
        case .priorityChanged(let e): priority = e.priority
        case .categoryChanged(let e): category = e.category
        case .watcherAdded(let e):
            // The watchers stay sorted and unique: the new login goes where sorting them would put it.
            if !watchers.contains(e.login) {
                watchers.insert(e.login, at: watchers.firstIndex { e.login < $0 } ?? watchers.endIndex)
            }
        case .watcherRemoved(let e): watchers.removeAll { $0 == e.login }
        case .commented(let e):
            if e.visibility == .public { publicComments += 1 } else { internalComments += 1 }
        case .statusChanged(let e): status = e.status
        case .merged(let e):
            mergedInto = e.into
            status = .closed
        case .mergeReceived(let e): mergedFrom.append(e.from)
        case .closed(let e):
            status = .closed
            resolution = e.resolution
        case .reopened:
            status = .inProgress
            resolution = nil
        case .dueDateSet(let e): dueDate = e.dueAt?.millisecondsSinceEpoch
        case .contactSet(let e): contact = e.contact
        case .participantAdded, .participantRemoved, .followUpSent, .linked, .unlinked, .surveySent, .rated: break
        }
    }
}

/// The SLA as the queue keeps it: the instant that orders the ticket, the clock it belongs to, and whether the
/// clocks are paused. Derived from the ticket's `SLAClock` (`TicketSummary.withQueueSLA()`); depends only on the clock.
public struct QueueSLA: Codable, Sendable, Equatable {
    /// When the earliest unmet, running clock is due (its breach instant once breached), milliseconds since
    /// the epoch; nil when every clock is met or paused.
    public var dueAt: Int64?
    /// Which clock `dueAt` belongs to (response or resolution); nil with `dueAt`.
    public var clock: SLAClockKind?
    /// Waiting on client: the unmet clocks are paused.
    public var paused: Bool

    init(_ clock: SLAClock) {
        self.init(response: clock.dueAt(.response), resolution: clock.dueAt(.resolution), paused: clock.isWaitingOnClient)
    }

    /// From a clock's due instants (`SLAClock.dueAt`) and whether it waits on the client.
    init(response: Timestamp?, resolution: Timestamp?, paused: Bool) {
        // The earlier of the two due instants; the response clock's when they are equal.
        let due: (at: Timestamp, clock: SLAClockKind)? =
            switch (response, resolution) {
            case (let r?, let s?): s < r ? (s, .resolution) : (r, .response)
            case (let r?, nil): (r, .response)
            case (nil, let s?): (s, .resolution)
            case (nil, nil): nil
            }
        dueAt = due?.at.millisecondsSinceEpoch
        self.clock = due?.clock
        self.paused = paused
    }
}

extension TicketSummary {
    /// A row with every stored field given (read back by `SLARowCodecs.queue`).
    init(
        number: TicketNumber, client: String, contact: String?, category: String?, priority: Priority, source: TicketSource,
        subject: String, status: TicketStatus, assignee: String?, watchers: [String], openedAt: Int64, openedPosition: UInt64,
        updatedAt: Int64, updatedPosition: UInt64, publicComments: Int, internalComments: Int, resolution: String?,
        mergedInto: TicketNumber?, mergedFrom: [TicketNumber], sla: QueueSLA?, dueDate: Int64?, version: UInt64 = 0
    ) {
        (self.number, self.client, self.contact, self.category) = (number, client, contact, category)
        (self.priority, self.source, self.subject, self.status) = (priority, source, subject, status)
        (self.assignee, self.watchers, self.openedAt, self.openedPosition) = (assignee, watchers, openedAt, openedPosition)
        (self.updatedAt, self.updatedPosition) = (updatedAt, updatedPosition)
        (self.publicComments, self.internalComments, self.resolution) = (publicComments, internalComments, resolution)
        (self.mergedInto, self.mergedFrom, self.sla, self.dueDate) = (mergedInto, mergedFrom, sla, dueDate)
        self.version = version
    }
}

extension SLAClock {
    /// What the queue keeps of this clock (`QueueSLA.init(_:)`), read in place (`dueInstants()`, whose `mutating` this
    /// passes on: it changes nothing).
    mutating func queueSLA() -> QueueSLA {
        let due = dueInstants()
        return QueueSLA(response: due.response, resolution: due.resolution, paused: isWaitingOnClient)
    }
}

extension QueueSLA {
    init(dueAt: Int64?, clock: SLAClockKind?, paused: Bool) {
        self.dueAt = dueAt
        self.clock = clock
        self.paused = paused
    }
}

/// A `queue` row as stored (`SLARowCodecs.queue`): the summary and the clock's state without its frozen terms.
struct QueueRow {
    var ticket: TicketSummary
    var clock: StoredSLAClock?
}
