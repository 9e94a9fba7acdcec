import DocketTime
import Domain
import EventLog
import ReadModelKit

/// The hand-written row formats of `sla` (format 6) and `queue` (format 7): each field in a fixed order, instants as
/// zig-zag varints of milliseconds, digests as their 32 bytes, a clock's enumerations and reasons as one-byte codes
/// (`SLAClockCodes`), the summary's string enumerations by raw value, no field names (`RowWriter`). The order of the
/// calls below is the format: change it only with the model's format number.
enum SLARowCodecs {
    /// `rm.sla8.tickets`: a `StoredSLARow`.
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

    /// `rm.queue10.tickets`: a `QueueRow` (row format 2 added the ticket's version after `dueDate`).
    static let queue = RowCodec<QueueRow>(
        format: 2,
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
        let startPriority = try SLAClockCodes.priority(try byte())
        let started = try optional { r in try BinaryRowDecoder().decode(TicketSLAStarted.self, from: try r.blob()) }
        return StoredSLAClock(
            terms: terms, startedAt: startedAt, startPriority: startPriority, started: started, progress: try progress())
    }

    /// A clock's progress, as `SLAClockWriter.progress` writes it.
    mutating func progress() throws -> SLAClockProgress {
        SLAClockProgress(
            priority: try SLAClockCodes.priority(try byte()), response: try timer(), resolution: try timer(),
            isWaitingOnClient: try bool(),
            isClosed: try bool(), reached: try array { try $0.alarm() }, recorded: try array { try $0.alarm() })
    }

    mutating func timer() throws -> SLATimer {
        SLATimer(
            kind: try SLAClockCodes.kind(try byte()), targetSeconds: try int(), bankedMilliseconds: try int(),
            runningSince: try optional { try $0.instant() }, metAt: try optional { try $0.instant() },
            targetSince: try instant(), breachedAt: try optional { try $0.instant() },
            intervals: try array { r in
                SLAInterval(
                    start: try r.instant(), end: try r.optional { try $0.instant() }, mode: try SLAClockCodes.mode(try r.byte()),
                    reason: try r.reason(), targetSeconds: try r.int(), countedMilliseconds: try r.optional { try $0.int() })
            })
    }

    /// A stretch's reason, as `SLAClockWriter.timer` writes it: its code, or 0 and the text.
    mutating func reason() throws -> String {
        let code = try byte()
        return code == 0 ? try string() : try SLAClockCodes.reason(code)
    }

    mutating func alarm() throws -> SLAAlarm {
        let clock = try SLAClockCodes.kind(try byte())
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
            case 3: action = .page(channel: try string())
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
            dueDate: optional { try $0.int() }, version: uint())
    }
}

/// The one-byte codes of a stored clock's enumerations and of the reasons `SLAClock` gives its stretches (a reason
/// of its own, e.g. `priority P3→P1`, is code 0 and its text). Part of the row formats of `sla` and `queue`: a code
/// never changes meaning without their format numbers.
enum SLAClockCodes {
    static func code(of kind: SLAClockKind) -> UInt8 {
        switch kind {
        case .response: 0
        case .resolution: 1
        }
    }

    static func kind(_ code: UInt8) throws -> SLAClockKind {
        switch code {
        case 0: .response
        case 1: .resolution
        default: throw RowReader.damaged("\(code) is not an SLA clock")
        }
    }

    static func code(of mode: SLAIntervalMode) -> UInt8 {
        switch mode {
        case .running: 0
        case .paused: 1
        case .met: 2
        }
    }

    static func mode(_ code: UInt8) throws -> SLAIntervalMode {
        switch code {
        case 0: .running
        case 1: .paused
        case 2: .met
        default: throw RowReader.damaged("\(code) is not an SLA stretch's mode")
        }
    }

    static func code(of priority: Priority) -> UInt8 {
        switch priority {
        case .p1: 1
        case .p2: 2
        case .p3: 3
        case .p4: 4
        }
    }

    static func priority(_ code: UInt8) throws -> Priority {
        switch code {
        case 1: .p1
        case 2: .p2
        case 3: .p3
        case 4: .p4
        default: throw RowReader.damaged("\(code) is not a priority")
        }
    }

    /// The reasons `SLAClock` gives, by code (1 on); the index of a reason is its code minus 1.
    static let reasons: [StaticString] = [
        "opened", "first public reply", "waiting on client", "resumed", "closed", "merged", "reopened",
    ]

    /// The code of `reason`, 0 when it is not one of `reasons` (or not stored contiguously, which a clock's never
    /// is): its UTF-8 against theirs, length first, byte by byte (comparing `String`s went through the standard
    /// library's general comparison and cost a rebuild 1 % more instructions).
    static func code(ofReason reason: String) -> UInt8 {
        reason.utf8.withContiguousStorageIfAvailable { bytes -> UInt8 in
            for index in reasons.indices where reasons[index].utf8CodeUnitCount == bytes.count {
                let candidate = reasons[index].utf8Start
                var offset = 0
                while offset < bytes.count, candidate[offset] == bytes[offset] { offset += 1 }
                if offset == bytes.count { return UInt8(index + 1) }
            }
            return 0
        } ?? 0
    }

    static func reason(_ code: UInt8) throws -> String {
        guard code >= 1, Int(code) <= reasons.count else { throw RowReader.damaged("\(code) is not an SLA stretch's reason") }
        return reasons[Int(code) - 1].description
    }
}
