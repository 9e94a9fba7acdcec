import DocketTime
import Domain
import EventLog
import ReadModelKit
import Testing

@testable import DocketApp

/// `SLAClockWriter` writes a clock's progress through a stack buffer: its bytes must be those of writing each field
/// with `RowWriter` (the row format of `sla` 6 and `queue` 7: a clock's enumerations and reasons as the codes of
/// `referenceCode`), whatever the values and wherever the buffer fills up.
@Suite struct SLAClockWriterTests {
    /// Random progresses — extreme instants and amounts, empty, long and non-ASCII strings (some longer than the
    /// buffer, some ending right at its end), every alarm kind — give `RowWriter`'s bytes field for field, after
    /// bytes already in the row, and read back equal.
    @Test func writesRowWriterBytesAndReadsBack() throws {
        var random = SeededRandom(seed: 2026_12_04)
        for round in 0..<400 {
            let progress = Self.progress(&random)
            let prefix = (0..<Int(random.next() % 300)).map { UInt8(truncatingIfNeeded: $0) }
            var expected = RowWriter(format: 7)
            expected.bytes += prefix
            expected.referenceProgress(progress)
            var written = RowWriter(format: 7)
            written.bytes += prefix
            written.progress(progress)
            #expect(written.bytes == expected.bytes, "round \(round)")
            let back = try written.bytes.withUnsafeBytes { bytes in
                var reader = RowReader(bytes, offset: 1 + prefix.count)
                let progress = try reader.progress()
                try reader.finish()
                return progress
            }
            #expect(back == progress, "round \(round)")
        }
    }

    /// Alarms of every kind and escalation action read back (the random histories of other tests may not reach them).
    @Test(arguments: [
        SLAAlarm.Kind.warning(percent: 75), .breach, .escalation(rule: "r", action: .notifyDispatchers),
        .escalation(rule: "r2", action: .assign(login: "tia")), .escalation(rule: "r3", action: .raisePriority),
        .escalation(rule: "r4", action: .page(channel: "oncall")),
    ])
    func everyAlarmKindReadsBack(kind: SLAAlarm.Kind) throws {
        let alarm = SLAAlarm(clock: .resolution, kind: kind, dueAt: Timestamp(millisecondsSinceEpoch: -5))
        let timer = SLATimer(
            kind: .response, targetSeconds: 60, bankedMilliseconds: 0, runningSince: nil, metAt: nil,
            targetSince: Timestamp(millisecondsSinceEpoch: 0), breachedAt: nil, intervals: [])
        let progress = SLAClockProgress(
            priority: .p1, response: timer, resolution: timer, isWaitingOnClient: false, isClosed: true, reached: [alarm],
            recorded: [alarm, alarm])
        var writer = RowWriter(format: 9)
        writer.progress(progress)
        let back = try writer.bytes.withUnsafeBytes { bytes in
            var reader = RowReader(bytes)
            let progress = try reader.progress()
            try reader.finish()
            return progress
        }
        #expect(back == progress)
    }

    /// Random queue summaries (absent and present optionals, long and non-ASCII strings, many watchers) and clock starts
    /// (with and without terms, with a blob longer than the buffer) give `RowWriter`'s bytes field for field, after
    /// bytes already in the row, and the summaries read back equal.
    @Test func summariesAndClockStartsWriteRowWriterBytes() throws {
        var random = SeededRandom(seed: 2026_12_05)
        for round in 0..<400 {
            let summary = Self.summary(&random)
            let terms = random.next() % 2 == 0 ? nil : Digest(hex: String(repeating: String(random.next() % 10), count: 64))
            let startedAt = Self.number(&random)
            let priority = Priority.allCases[Int(random.next() % 4)]
            let started = Self.maybe(&random) { random in (0..<Int(random.next() % 600)).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
            let prefix = (0..<Int(random.next() % 300)).map { UInt8(truncatingIfNeeded: $0) }
            var expected = RowWriter(format: 7)
            expected.bytes += prefix
            expected.referenceSummary(summary)
            expected.referenceClockStart(terms: terms, startedAt: startedAt, startPriority: priority, started: started)
            var written = RowWriter(format: 7)
            written.bytes += prefix
            written.summary(summary)
            written.withClockWriter { $0.clockStart(terms: terms, startedAt: startedAt, startPriority: priority, started: started) }
            #expect(written.bytes == expected.bytes, "round \(round)")
            let back = try written.bytes.withUnsafeBytes { bytes in
                var reader = RowReader(bytes, offset: 1 + prefix.count)
                return try reader.summary()
            }
            #expect(back == summary, "round \(round)")
        }
    }

    static func summary(_ random: inout SeededRandom) -> TicketSummary {
        func number(_ random: inout SeededRandom) -> TicketNumber { TicketNumber(Int(random.next() % 1_000_000) + 1)! }
        var row = TicketSummary(
            number: number(&random), client: text(&random), contact: maybe(&random) { text(&$0) },
            category: maybe(&random) { text(&$0) }, priority: Priority.allCases[Int(random.next() % 4)],
            source: TicketSource.allCases[Int(random.next() % UInt64(TicketSource.allCases.count))], subject: text(&random),
            status: TicketStatus.allCases[Int(random.next() % UInt64(TicketStatus.allCases.count))],
            assignee: maybe(&random) { text(&$0) }, watchers: (0..<Int(random.next() % 5)).map { _ in text(&random) },
            openedAt: Self.number(&random), openedPosition: random.next() >> (random.next() % 64), updatedAt: Self.number(&random),
            updatedPosition: random.next() >> (random.next() % 64), publicComments: Int(Self.number(&random)),
            internalComments: Int(Self.number(&random)), resolution: maybe(&random) { text(&$0) },
            mergedInto: maybe(&random) { number(&$0) }, mergedFrom: (0..<Int(random.next() % 4)).map { _ in number(&random) },
            sla: maybe(&random) { random in
                QueueSLA(
                    dueAt: maybe(&random) { Self.number(&$0) }, clock: maybe(&random) { $0.next() % 2 == 0 ? .response : .resolution },
                    paused: random.next() % 2 == 0)
            },
            dueDate: maybe(&random) { Self.number(&$0) })
        row.version = random.next() >> (random.next() % 64)
        return row
    }

    // MARK: - Random progresses

    static func progress(_ random: inout SeededRandom) -> SLAClockProgress {
        SLAClockProgress(
            priority: Priority.allCases[Int(random.next() % 4)], response: timer(.response, &random),
            resolution: timer(.resolution, &random), isWaitingOnClient: random.next() % 2 == 0,
            isClosed: random.next() % 2 == 0, reached: alarms(&random), recorded: alarms(&random))
    }

    static func timer(_ kind: SLAClockKind, _ random: inout SeededRandom) -> SLATimer {
        SLATimer(
            kind: kind, targetSeconds: number(&random), bankedMilliseconds: number(&random),
            runningSince: maybe(&random) { instant(&$0) }, metAt: maybe(&random) { instant(&$0) },
            targetSince: instant(&random), breachedAt: maybe(&random) { instant(&$0) },
            intervals: (0..<Int(random.next() % 6)).map { _ in
                SLAInterval(
                    start: instant(&random), end: maybe(&random) { instant(&$0) },
                    mode: [SLAIntervalMode.running, .paused, .met][Int(random.next() % 3)], reason: text(&random),
                    targetSeconds: number(&random), countedMilliseconds: maybe(&random) { number(&$0) })
            })
    }

    static func alarms(_ random: inout SeededRandom) -> [SLAAlarm] {
        (0..<Int(random.next() % 4)).map { _ in
            let kind: SLAAlarm.Kind
            switch random.next() % 5 {
            case 0: kind = .warning(percent: Int(number(&random) % 1000))
            case 1: kind = .breach
            case 2: kind = .escalation(rule: text(&random), action: .notifyDispatchers)
            case 3: kind = .escalation(rule: text(&random), action: .assign(login: text(&random)))
            default: kind = .escalation(rule: text(&random), action: .raisePriority)
            }
            return SLAAlarm(clock: random.next() % 2 == 0 ? .response : .resolution, kind: kind, dueAt: instant(&random))
        }
    }

    /// Small, large, negative and extreme values (each varint length from 1 to 10 bytes).
    static func number(_ random: inout SeededRandom) -> Int64 {
        switch random.next() % 6 {
        case 0: 0
        case 1: Int64(random.next() % 100)
        case 2: -Int64(random.next() % 100_000)
        case 3: [Int64.min, .max, .min + 1, .max - 1][Int(random.next() % 4)]
        default: Int64(bitPattern: random.next()) >> (random.next() % 64)
        }
    }

    static func instant(_ random: inout SeededRandom) -> Timestamp { Timestamp(millisecondsSinceEpoch: number(&random)) }

    /// Empty, short, non-ASCII, and long enough to fill or pass the writer's buffer (`SLAClockWriter.bufferSize`).
    static func text(_ random: inout SeededRandom) -> String {
        switch random.next() % 6 {
        case 0: ""
        case 1: ["opened", "waiting on client", "first public reply", "reopened"][Int(random.next() % 4)]
        case 2: "priority P3→P1, earlier deadline kept"
        case 3: String(repeating: "é", count: Int(random.next() % 200))
        case 4: String(repeating: "x", count: SLAClockWriter.bufferSize - 20 + Int(random.next() % 40))
        default: String(repeating: "long ", count: Int(random.next() % 300))
        }
    }

    static func maybe<T>(_ random: inout SeededRandom, _ value: (inout SeededRandom) -> T) -> T? {
        random.next() % 3 == 0 ? nil : value(&random)
    }
}

/// The row format of a clock's progress as it was first written, field by field with `RowWriter`: the reference
/// `SLAClockWriter` must match byte for byte.
extension RowWriter {
    /// A queue row's summary as `RowWriter` wrote it (queue format 6).
    fileprivate mutating func referenceSummary(_ row: TicketSummary) {
        int(row.number.value)
        string(row.client)
        optional(row.contact) { $0.string($1) }
        optional(row.category) { $0.string($1) }
        rawValue(row.priority)
        rawValue(row.source)
        string(row.subject)
        rawValue(row.status)
        optional(row.assignee) { $0.string($1) }
        array(row.watchers) { $0.string($1) }
        int(row.openedAt)
        uint(row.openedPosition)
        int(row.updatedAt)
        uint(row.updatedPosition)
        int(row.publicComments)
        int(row.internalComments)
        optional(row.resolution) { $0.string($1) }
        optional(row.mergedInto) { $0.int($1.value) }
        array(row.mergedFrom) { $0.int($1.value) }
        optional(row.sla) { w, sla in
            w.optional(sla.dueAt) { $0.int($1) }
            w.optional(sla.clock) { $0.rawValue($1) }
            w.bool(sla.paused)
        }
        optional(row.dueDate) { $0.int($1) }
        uint(row.version)
    }

    /// A stored clock's terms and start as `RowWriter` wrote them (`started`: the frozen terms' encoded bytes).
    fileprivate mutating func referenceClockStart(terms: Digest?, startedAt: Int64, startPriority: Priority, started: [UInt8]?) {
        optional(terms) { w, digest in withUnsafeBytes(of: digest) { w.fixed($0) } }
        int(startedAt)
        byte(Self.referenceCode(startPriority))
        optional(started) { $0.blob($1) }
    }

    /// The codes of the row format, written out here rather than taken from `SLAClockCodes`.
    static func referenceCode(_ priority: Priority) -> UInt8 { ["P1": 1, "P2": 2, "P3": 3, "P4": 4][priority.rawValue]! }
    static func referenceCode(_ kind: SLAClockKind) -> UInt8 { ["response": 0, "resolution": 1][kind.rawValue]! }
    static func referenceCode(_ mode: SLAIntervalMode) -> UInt8 { ["running": 0, "paused": 1, "met": 2][mode.rawValue]! }
    static let referenceReasons: [String: UInt8] = [
        "opened": 1, "first public reply": 2, "waiting on client": 3, "resumed": 4, "closed": 5, "merged": 6, "reopened": 7,
    ]

    fileprivate mutating func referenceProgress(_ progress: SLAClockProgress) {
        byte(Self.referenceCode(progress.priority))
        referenceTimer(progress.response)
        referenceTimer(progress.resolution)
        bool(progress.isWaitingOnClient)
        bool(progress.isClosed)
        array(progress.reached) { $0.referenceAlarm($1) }
        array(progress.recorded) { $0.referenceAlarm($1) }
    }

    private mutating func referenceTimer(_ timer: SLATimer) {
        byte(Self.referenceCode(timer.kind))
        int(timer.targetSeconds)
        int(timer.bankedMilliseconds)
        optional(timer.runningSince) { $0.int($1.millisecondsSinceEpoch) }
        optional(timer.metAt) { $0.int($1.millisecondsSinceEpoch) }
        int(timer.targetSince.millisecondsSinceEpoch)
        optional(timer.breachedAt) { $0.int($1.millisecondsSinceEpoch) }
        array(timer.intervals) { w, interval in
            w.int(interval.start.millisecondsSinceEpoch)
            w.optional(interval.end) { $0.int($1.millisecondsSinceEpoch) }
            w.byte(Self.referenceCode(interval.mode))
            if let code = Self.referenceReasons[interval.reason] {
                w.byte(code)
            } else {
                w.byte(0)
                w.string(interval.reason)
            }
            w.int(interval.targetSeconds)
            w.optional(interval.countedMilliseconds) { $0.int($1) }
        }
    }

    private mutating func referenceAlarm(_ alarm: SLAAlarm) {
        byte(Self.referenceCode(alarm.clock))
        int(alarm.dueAt.millisecondsSinceEpoch)
        switch alarm.kind {
        case .warning(let percent):
            byte(0)
            int(percent)
        case .breach:
            byte(1)
        case .escalation(let rule, let action):
            byte(2)
            string(rule)
            switch action {
            case .notifyDispatchers: byte(0)
            case .assign(let login):
                byte(1)
                string(login)
            case .raisePriority: byte(2)
            case .page(let channel):
                byte(3)
                string(channel)
            }
        }
    }
}
