import DocketTime
import Domain
import EventLog
import ReadModelKit

/// The hand-written row formats of `sla` (format 5) and `queue` (format 6): each field in a fixed order, instants as
/// zig-zag varints of milliseconds, digests as their 32 bytes, string enumerations by raw value, no field names
/// (`RowWriter`). The order of the calls below is the format: change it only with the model's format number.
enum SLARowCodecs {
    /// `rm.sla5.tickets`: a `StoredSLARow`.
    static let sla = RowCodec<StoredSLARow>(
        format: 1,
        write: { row, w in
            w.slaRowStart(number: row.number, client: row.client, assignee: row.assignee, openedAt: row.openedAt, isOpen: row.isOpen)
            try w.optional(row.clock) { try $0.clock($1) }
        },
        read: { r in
            StoredSLARow(
                number: try r.ticketNumber(), client: try r.string(), assignee: try r.optional { try $0.string() },
                openedAt: try r.int(), isOpen: try r.bool(), clock: try r.optional { try $0.clock() })
        })

    /// The fields of a folded sla row's `StoredSLARow` — its clock as `StoredSLAClock(clock, terms: entry.terms)` — as
    /// `sla` writes them, taken from the row itself (the sla table writes its rows with it: no stored form is made).
    @Sendable static func writeSLA(_ entry: SLAProjection.SLAEntry, _ w: inout RowWriter) throws {
        w.slaRowStart(
            number: entry.row.number, client: entry.row.client, assignee: entry.row.assignee, openedAt: entry.row.openedAt,
            isOpen: entry.row.isOpen)
        try w.optional(entry.row.clock) { w, clock in try w.clock(clock, terms: entry.terms) }
    }

    /// `rm.queue6.tickets`: a `QueueRow`.
    static let queue = RowCodec<QueueRow>(
        format: 1,
        write: { row, w in
            w.summary(row.ticket)
            try w.optional(row.clock) { try $0.clock($1) }
        },
        read: { r in QueueRow(ticket: try r.summary(), clock: try r.optional { try $0.clock() }) })

    /// The fields of a folded queue row's `QueueRow` — its summary and `StoredSLAClock(clock, terms: slaTerms)` — as
    /// `queue` writes them, taken from the row itself (the queue's table writes its rows with it).
    @Sendable static func writeQueue(_ row: TicketSummary, _ w: inout RowWriter) throws {
        w.summary(row)
        try w.optional(row.clock) { w, clock in try w.clock(clock, terms: row.slaTerms) }
    }
}

extension RowWriter {
    /// An sla row's fields before its clock, in the format's order (one place for the stored form's writer and the
    /// folded row's).
    mutating func slaRowStart(number: TicketNumber, client: String, assignee: String?, openedAt: Int64, isOpen: Bool) {
        int(number.value)
        string(client)
        optional(assignee) { $0.string($1) }
        int(openedAt)
        bool(isOpen)
    }

    /// A stored clock: its terms and start, then its progress, through an `SLAClockWriter`.
    mutating func clock(_ clock: StoredSLAClock) throws {
        // Terms that are not shared (rare: see `SLATerms`) are kept whole, in the kit's Codable row format.
        let started = try clock.started.map { try BinaryRowEncoder().encode($0) }
        withClockWriter { w in
            w.clockStart(terms: clock.terms, startedAt: clock.startedAt, startPriority: clock.startPriority, started: started)
            w.progress(clock.progress)
        }
    }

    /// The bytes of `clock(StoredSLAClock(clock, terms: terms))`, read from the clock (no `StoredSLAClock` made: that
    /// copied the clock's terms and progress, retaining every field of them).
    mutating func clock(_ clock: SLAClock, terms: Digest?) throws {
        let started = try terms == nil ? BinaryRowEncoder().encode(clock.started) : nil
        withClockWriter { w in
            w.clockStart(
                terms: terms, startedAt: clock.started.startedAt.millisecondsSinceEpoch, startPriority: clock.started.priority,
                started: started)
            w.progress(of: clock)
        }
    }

    /// A queue row's summary, through an `SLAClockWriter` (`SLAClockWriter.summary`).
    mutating func summary(_ row: TicketSummary) {
        withClockWriter { $0.summary(row) }
    }
}

extension RowReader {
    mutating func instant() throws -> Timestamp { Timestamp(millisecondsSinceEpoch: try int()) }

    mutating func ticketNumber() throws -> TicketNumber {
        let value: Int = try int()
        guard let number = TicketNumber(value) else { throw RowReader.damaged("\(value) is not a ticket number") }
        return number
    }

    mutating func clock() throws -> StoredSLAClock {
        let terms = try optional { r in try r.fixed(32).loadUnaligned(as: Digest.self) }
        let startedAt: Int64 = try int()
        let startPriority: Priority = try rawValue()
        let started = try optional { r in try BinaryRowDecoder().decode(TicketSLAStarted.self, from: try r.blob()) }
        return StoredSLAClock(
            terms: terms, startedAt: startedAt, startPriority: startPriority, started: started, progress: try progress())
    }

    /// A clock's progress, as `SLAClockWriter.progress` writes it.
    mutating func progress() throws -> SLAClockProgress {
        SLAClockProgress(
            priority: try rawValue(), response: try timer(), resolution: try timer(), isWaitingOnClient: try bool(),
            isClosed: try bool(), reached: try array { try $0.alarm() }, recorded: try array { try $0.alarm() })
    }

    mutating func timer() throws -> SLATimer {
        SLATimer(
            kind: try rawValue(), targetSeconds: try int(), bankedMilliseconds: try int(),
            runningSince: try optional { try $0.instant() }, metAt: try optional { try $0.instant() },
            targetSince: try instant(), breachedAt: try optional { try $0.instant() },
            intervals: try array { r in
                SLAInterval(
                    start: try r.instant(), end: try r.optional { try $0.instant() }, mode: try r.rawValue(),
                    reason: try r.string(), targetSeconds: try r.int(), countedMilliseconds: try r.optional { try $0.int() })
            })
    }

    mutating func alarm() throws -> SLAAlarm {
        let clock: SLAClockKind = try rawValue()
        let dueAt = try instant()
        let kind: SLAAlarm.Kind
        switch try byte() {
        case 0: kind = .warning(percent: try int())
        case 1: kind = .breach
        case 2:
            let rule = try string()
            let action: EscalationAction
            switch try byte() {
            case 0: action = .notifyDispatchers
            case 1: action = .assign(login: try string())
            case 2: action = .raisePriority
            case let other: throw RowReader.damaged("\(other) is not an escalation action")
            }
            kind = .escalation(rule: rule, action: action)
        case let other: throw RowReader.damaged("\(other) is not an SLA alarm kind")
        }
        return SLAAlarm(clock: clock, kind: kind, dueAt: dueAt)
    }

    mutating func summary() throws -> TicketSummary {
        try TicketSummary(
            number: ticketNumber(), client: string(), contact: optional { try $0.string() },
            category: optional { try $0.string() }, priority: rawValue(), source: rawValue(), subject: string(),
            status: rawValue(), assignee: optional { try $0.string() }, watchers: array { try $0.string() },
            openedAt: int(), openedPosition: uint(), updatedAt: int(), updatedPosition: uint(), publicComments: int(),
            internalComments: int(), resolution: optional { try $0.string() },
            mergedInto: optional { try $0.ticketNumber() }, mergedFrom: array { try $0.ticketNumber() },
            sla: optional { r in
                QueueSLA(dueAt: try r.optional { try $0.int() }, clock: try r.optional { try $0.rawValue() }, paused: try r.bool())
            },
            dueDate: optional { try $0.int() })
    }
}
