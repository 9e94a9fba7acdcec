import DocketTime
import Domain
import EventLog
import ReadModelKit

/// Writes an SLA clock's progress (its timers with their intervals, the reached and recorded alarms) in the row format
/// of `RowWriter` — the same bytes, field for field — through a small buffer on the stack: each field is written
/// into the buffer with one check that it has room, and the buffer goes into the row in one append when it fills up
/// or the clock is written. `RowWriter` appends byte by byte, each append checking the array's uniqueness and
/// capacity; a clock is ~45 fields and ~500 bytes, and writing them that way was 7 % of an `sla` rebuild's
/// instructions (the queue's rows carry a clock too).
struct SLAClockWriter {
    /// The row so far, taken from the `RowWriter` for the time of the clock (`RowWriter.progress`) and given back.
    var bytes: [UInt8]
    /// The bytes written since the last append to `bytes`: `buffer[..<count]`.
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private var count = 0

    /// The most bytes a varint takes (`RowWriter.varintRoom`).
    private static let varintRoom = RowWriter.varintRoom
    /// The size of the stack buffer: room for every field but long strings, which go straight into `bytes`, and for
    /// a whole clock or summary nearly always (with 256 bytes a clock of ~500 went into the row in three appends).
    static let bufferSize = 1024

    /// A writer that appends to `bytes` through `buffer` (at least `varintRoom` bytes; `bufferSize` is what
    /// `RowWriter.progress` gives it).
    init(appendingTo bytes: [UInt8], through buffer: UnsafeMutableBufferPointer<UInt8>) {
        precondition(buffer.count >= Self.varintRoom, "a clock writer's buffer holds at least one varint")
        self.bytes = bytes
        self.buffer = buffer
    }

    /// Moves the buffered bytes to the end of `bytes` (the buffer is then empty).
    mutating func flush() {
        guard count > 0 else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        count = 0
    }

    /// Makes sure the buffer has room for `size` more bytes (`size` at most the buffer's size).
    @inline(__always) private mutating func makeRoom(_ size: Int) {
        if count + size > buffer.count { flush() }
    }

    // MARK: - Fields, as `RowWriter` writes them

    @inline(__always) mutating func uint(_ value: UInt64) {
        makeRoom(Self.varintRoom)
        // Through a local pointer: `count`, a stored property of an inout value, would be stored at every byte.
        let start = buffer.baseAddress.unsafelyUnwrapped + count
        count += RowWriter.write(varint: value, at: start) - start
    }

    /// A signed integer, zig-zag encoded.
    @inline(__always) mutating func int(_ value: Int64) { uint(RowWriter.zigZag(value)) }

    mutating func int(_ value: Int) { int(Int64(value)) }

    @inline(__always) mutating func byte(_ value: UInt8) {
        makeRoom(1)
        buffer.baseAddress.unsafelyUnwrapped[count] = value
        count += 1
    }

    mutating func bool(_ value: Bool) { byte(value ? 1 : 0) }

    /// A varint length and the UTF-8 bytes: into the buffer when they fit in it, else straight into `bytes`.
    mutating func string(_ value: String) {
        // Read where the string keeps them (inline for a short one, on the stack then): copying them from the UTF-8
        // view went through its iterator, retaining and releasing the string, ~160 instructions a field.
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { utf8(UnsafeRawBufferPointer($0)) }
        guard written == nil else { return }
        // A string that is not contiguous (bridged): read through a contiguous copy.
        var contiguous = value
        contiguous.withUTF8 { utf8(UnsafeRawBufferPointer($0)) }
    }

    /// A varint length and the bytes, as `string` writes them.
    @inline(__always) private mutating func utf8(_ value: UnsafeRawBufferPointer) {
        uint(UInt64(value.count))
        fixed(value)
    }

    /// A string enumeration's raw value as `string` writes it, from a constant: `encoded` is its varint length and its
    /// UTF-8 (`rawValue` made a string and read its bytes for each enumeration written).
    @inline(__always) private mutating func constant<E: RawRepresentable>(_ encoded: StaticString, of value: E)
    where E.RawValue == String {
        assert(encoded.utf8CodeUnitCount == value.rawValue.utf8.count + 1 && value.rawValue.utf8.count < 0x80)
        assert(value.rawValue.utf8.elementsEqual(UnsafeBufferPointer(start: encoded.utf8Start + 1, count: encoded.utf8CodeUnitCount - 1)))
        makeRoom(encoded.utf8CodeUnitCount)
        (buffer.baseAddress.unsafelyUnwrapped + count).update(from: encoded.utf8Start, count: encoded.utf8CodeUnitCount)
        count += encoded.utf8CodeUnitCount
    }

    mutating func priority(_ value: Priority) {
        switch value {
        case .p1: constant("\u{2}P1", of: value)
        case .p2: constant("\u{2}P2", of: value)
        case .p3: constant("\u{2}P3", of: value)
        case .p4: constant("\u{2}P4", of: value)
        }
    }

    mutating func kind(_ value: SLAClockKind) {
        switch value {
        case .response: constant("\u{8}response", of: value)
        case .resolution: constant("\u{A}resolution", of: value)
        }
    }

    // A clock's enumerations and its stretches' reasons are one byte each (`SLAClockCodes`): as raw values they were
    // about 110 of a clock's ~300 bytes, in the rows of both `sla` and `queue`.

    @inline(__always) mutating func kindCode(_ value: SLAClockKind) { byte(SLAClockCodes.code(of: value)) }

    @inline(__always) mutating func modeCode(_ value: SLAIntervalMode) { byte(SLAClockCodes.code(of: value)) }

    @inline(__always) mutating func priorityCode(_ value: Priority) { byte(SLAClockCodes.code(of: value)) }

    @inline(__always) mutating func instant(_ value: Timestamp) { int(value.millisecondsSinceEpoch) }

    /// A "present" byte, then the instant when there is one.
    @inline(__always) mutating func instant(_ value: Timestamp?) {
        guard let value else { return byte(0) }
        byte(1)
        instant(value)
    }

    /// Bytes of a length both sides know (a digest), as they are: into the buffer when they fit in it, else straight
    /// into `bytes`.
    mutating func fixed(_ value: UnsafeRawBufferPointer) {
        if value.count > buffer.count - count {
            flush()
            if value.count > buffer.count { return bytes.append(contentsOf: value) }
        }
        guard let source = value.baseAddress else { return }
        UnsafeMutableRawPointer(buffer.baseAddress.unsafelyUnwrapped + count).copyMemory(from: source, byteCount: value.count)
        count += value.count
    }

    /// A varint length, then the bytes.
    mutating func blob(_ value: [UInt8]) {
        uint(UInt64(value.count))
        value.withUnsafeBytes { fixed($0) }
    }

    /// A "present" byte, then the string when there is one.
    mutating func string(_ value: String?) {
        guard let value else { return byte(0) }
        byte(1)
        string(value)
    }

    /// A "present" byte, then the integer when there is one.
    mutating func int(_ value: Int64?) {
        guard let value else { return byte(0) }
        byte(1)
        int(value)
    }

    // MARK: - The queue's summary (the order of the calls is the row format: `RowReader.summary` reads it)

    /// A queue row's `TicketSummary`, field for field as `RowWriter` wrote it (a varint, string or byte each: about 25
    /// fields a row, each an append of its own through `RowWriter`).
    mutating func summary(_ row: TicketSummary) {
        int(row.number.value)
        string(row.client)
        string(row.contact)
        string(row.category)
        priority(row.priority)
        string(row.source.rawValue)
        string(row.subject)
        string(row.status.rawValue)
        string(row.assignee)
        uint(UInt64(row.watchers.count))
        row.watchers.withUnsafeBufferPointer { watchers in
            for index in watchers.indices { string(watchers[index]) }
        }
        int(row.openedAt)
        uint(row.openedPosition)
        int(row.updatedAt)
        uint(row.updatedPosition)
        int(row.publicComments)
        int(row.internalComments)
        string(row.resolution)
        int(row.mergedInto.map { Int64($0.value) })
        uint(UInt64(row.mergedFrom.count))
        for number in row.mergedFrom { int(number.value) }
        if let sla = row.sla {
            byte(1)
            int(sla.dueAt)
            if let clock = sla.clock {
                byte(1)
                kind(clock)
            } else {
                byte(0)
            }
            bool(sla.paused)
        } else {
            byte(0)
        }
        int(row.dueDate)
        uint(row.version)
    }

    // MARK: - The clock's parts (the order of the calls is the row format: `RowReader.clock` reads it)

    /// A stored clock's terms and start: `started` is the frozen terms in the kit's Codable row format, when they are
    /// not shared (rare: see `SLATerms`).
    mutating func clockStart(terms: Digest?, startedAt: Int64, startPriority: Priority, started: [UInt8]?) {
        if let terms {
            byte(1)
            withUnsafeBytes(of: terms) { fixed($0) }
        } else {
            byte(0)
        }
        int(startedAt)
        priorityCode(startPriority)
        if let started {
            byte(1)
            blob(started)
        } else {
            byte(0)
        }
    }

    mutating func progress(_ progress: SLAClockProgress) {
        self.progress(
            priority: progress.priority, response: progress.response, resolution: progress.resolution,
            isWaitingOnClient: progress.isWaitingOnClient, isClosed: progress.isClosed, reached: progress.reached,
            recorded: progress.recorded)
    }

    /// `progress(clock.progress)`, read from the clock in place (`SLAClock.progress` copied both timers and both alarm
    /// lists, retaining each).
    mutating func progress(of clock: SLAClock) {
        self.progress(
            priority: clock.priority, response: clock.response, resolution: clock.resolution,
            isWaitingOnClient: clock.isWaitingOnClient, isClosed: clock.isClosed, reached: clock.reached,
            recorded: clock.recorded)
    }

    private mutating func progress(
        priority: Priority, response: SLATimer, resolution: SLATimer, isWaitingOnClient: Bool, isClosed: Bool,
        reached: [SLAAlarm], recorded: [SLAAlarm]
    ) {
        priorityCode(priority)
        timer(response)
        timer(resolution)
        bool(isWaitingOnClient)
        bool(isClosed)
        alarms(reached)
        alarms(recorded)
    }

    mutating func timer(_ timer: SLATimer) {
        kindCode(timer.kind)
        int(timer.targetSeconds)
        int(timer.bankedMilliseconds)
        instant(timer.runningSince)
        instant(timer.metAt)
        instant(timer.targetSince)
        instant(timer.breachedAt)
        uint(UInt64(timer.intervals.count))
        // Each interval's fields read in place: a copy of the interval retained and released its reason.
        timer.intervals.withUnsafeBufferPointer { intervals in
            for index in intervals.indices {
                instant(intervals[index].start)
                instant(intervals[index].end)
                modeCode(intervals[index].mode)
                // The reason: its code when it is one the clock gives, else 0 and the text. The code is told by a
                // function that writes nothing, the text read again only when there is no code: handed to a method of
                // the writer, the interval was copied (its reason retained) to outlive the writes, and released.
                let code = SLAClockCodes.code(ofReason: intervals[index].reason)
                byte(code)
                if code == 0 { string(intervals[index].reason) }
                int(intervals[index].targetSeconds)
                if let counted = intervals[index].countedMilliseconds {
                    byte(1)
                    int(counted)
                } else {
                    byte(0)
                }
            }
        }
    }

    /// A count, then each alarm, read in place.
    mutating func alarms(_ alarms: [SLAAlarm]) {
        uint(UInt64(alarms.count))
        alarms.withUnsafeBufferPointer { alarms in
            for index in alarms.indices { alarm(alarms[index]) }
        }
    }

    mutating func alarm(_ alarm: SLAAlarm) {
        kindCode(alarm.clock)
        instant(alarm.dueAt)
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

extension RowWriter {
    /// Writes `progress` through an `SLAClockWriter` (the bytes `RowReader.progress` reads).
    mutating func progress(_ progress: SLAClockProgress) {
        withClockWriter { $0.progress(progress) }
    }

    /// Writes `clock.progress` through an `SLAClockWriter`, read from the clock in place.
    mutating func progress(of clock: SLAClock) {
        withClockWriter { $0.progress(of: clock) }
    }

    /// Writes through an `SLAClockWriter` on a stack buffer of `SLAClockWriter.bufferSize` bytes.
    mutating func withClockWriter(_ body: (inout SLAClockWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SLAClockWriter.bufferSize) { buffer in
            var writer = SLAClockWriter(appendingTo: [], through: buffer)
            // The row's bytes move into the clock writer and back (no copy of the array).
            swap(&writer.bytes, &bytes)
            body(&writer)
            writer.flush()
            swap(&writer.bytes, &bytes)
        }
    }
}
