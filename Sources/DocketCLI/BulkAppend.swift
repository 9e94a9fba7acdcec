import DocketApp
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `docket event append --stdin`: NDJSON lines read in chunks of `chunkBytes`, in two passes so memory stays a few
/// chunks and batches whatever the input's size, and nothing is appended unless every line is good.
///
/// 1. Every line is checked (`BulkLine`: JSON, stream, type, payload, expected version, names, the trust rules) and
///    kept, already parsed, in a spool file (`AppendSpool`, unlinked, in the temporary folder), by threads that each
///    take the next batch of up to 1,000 lines, check it and write its records in the batches' order
///    (`checkAndSpool`, `checkingThreads`). A bad line stops the command with one line naming it (the first bad line of the input):
///    nothing was appended.
/// 2. Then the store is opened, the actor checked, and the spooled requests are appended `batch` to a transaction
///    (`BulkCommits`), each batch's records laid out (encoded, hashes chained) by the thread that reads the spool back
///    while the batch before is committed (`AppendPlanner`), `committed POSITION` printed for each once it is on the
///    disk (when the next one has committed, or at the end). What only the store can refuse (an expected version, a command id used on another stream) fails
///    its batch: the batches before it stay committed, and their `committed` lines say how far. Lines in a row on
///    one stream with neither command id nor expected version go in one request (the same events, one index
///    update).
struct BulkAppend {
    /// Bytes read from stdin at a time: a read takes a fraction of a millisecond, so the thread of pass 1 doing it (one
    /// batch is held ready for the other while it reads) keeps no other waiting (with 8 MiB, each read held it up).
    static let chunkBytes = 1 << 20

    let actor: String
    let repair: Bool
    let batch: Int
    /// How many threads check the lines in pass 1 (`checkAndSpool`): the processors available, at least two (one
    /// reads while the other checks) and at most four (the spool is written by one at a time).
    var checkingThreads = min(4, max(2, ProcessInfo.processInfo.activeProcessorCount))
    /// Called with a batch's number (from 0) before pass 1 checks it: tests hold a batch back here, to have a later one
    /// checked first.
    var willCheck: ((Int) -> Void)? = nil
    /// Called with a batch's number once pass 1 has checked it (before its turn to be written).
    var didCheck: ((Int) -> Void)? = nil

    /// Reads `chunks` (nil at the end) to the end, checking every line, then appends them to the store `open` gives.
    func run(chunks: () throws -> ArraySlice<UInt8>?, open: () throws -> LogService) throws {
        let spool = try AppendSpool()
        try checkAndSpool(chunks: chunks, into: spool)
        let store = try open()
        try store.requireAdmin(actor, to: "append raw events")
        try spool.rewind()
        // A batch is acknowledged once it is on the disk; whether the batches all went in or one failed, the last one
        // is flushed at the end (docs/security.md, "A bulk append").
        let commits = store.bulkCommits { position in Terminal.out("committed \(position)\n") }
        do {
            // The next batch is read back from the spool and laid out (its records encoded and hashed: `AppendPlanner`)
            // while this one is committed (`HandOff`).
            try HandOff.run { emit in
                try readBatches(from: spool) { try emit(commits.plan($0)) }
            } consume: { batch in
                try commits.append(batch)
            }
        } catch {
            try? commits.finish()
            throw error
        }
        try commits.finish()
    }

    /// The spooled lines as requests, `batch` lines to a batch, lines in a row on one stream joined (`continues`).
    private func readBatches(from spool: AppendSpool, emit: ([AppendRequest]) throws -> Void) throws {
        var requests: [AppendRequest] = []
        var lines = 0
        var ids = RandomUUIDs()
        while let line = try spool.next() {
            let eventId = ids.next()
            if let last = requests.indices.last, line.continues(requests[last]) {
                requests[last].events.append(NewEvent(type: line.type, payload: line.payload, eventId: eventId))
            } else {
                requests.append(line.request(actor: actor, eventId: eventId))
            }
            lines += 1
            if lines >= batch {
                try emit(requests)
                requests = []
                lines = 0
            }
        }
        if !requests.isEmpty { try emit(requests) }
    }

    /// Line `number` parsed and checked, its record added to `records`; nothing for a blank line. A line the scanner
    /// reads (`BulkLine.scan`) is read where it lies and its payload copied once, into its record; any other is parsed
    /// by Foundation (`BulkLine(parsing:number:)`).
    func check(_ line: ArraySlice<UInt8>, number: Int, into records: inout AppendSpool.Records) throws {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0d }) { return }
        try line.withUnsafeBufferPointer { bytes in
            guard bytes.count <= NDJSONLine.maxLineBytes, let scanned = BulkLine.scan(bytes) else {
                let parsed = try BulkLine(parsing: Array(line), number: number)
                try check(parsed.stream, parsed.type, commandId: parsed.commandId, payload: parsed.payload, number: number)
                records.append(parsed)
                return
            }
            let payload = scanned.payload(in: bytes)
            try check(scanned.stream, scanned.type, commandId: scanned.commandId, payload: Array(payload), number: number)
            records.append(
                stream: scanned.stream, type: scanned.type, payload: payload, commandId: scanned.commandId,
                expectedVersion: scanned.expectedVersion)
        }
    }

    /// The names of line `number` and the trust rules (`payload` made only in repair mode, which reads it).
    private func check(
        _ stream: String, _ type: String, commandId: String?, payload: @autoclosure () -> [UInt8], number: Int
    ) throws {
        if let problem = LogService.identifierProblem(stream, "stream")
            ?? LogService.identifierProblem(type, "type")
            ?? commandId.flatMap({ LogService.identifierProblem($0, "command id") })
        {
            throw CLIError.badInput("line \(number): " + problem + "; nothing was appended")
        }
        try TrustRules.checkRawAppend(
            stream: stream, type: type, schemaVersion: 1, payload: payload(), repair: repair, where: "line \(number): ")
    }

}

/// One NDJSON line of `event append --stdin`:
/// `{"stream":"…","type":"…","payload":{…},"commandId":"…","expectedVersion":3}` (payload, commandId and
/// expectedVersion optional; the payload stored canonically: sorted keys, no spaces; schema version 1).
struct BulkLine: Equatable {
    var stream: String
    var type: String
    var payload: [UInt8]
    var commandId: String?
    var expectedVersion: ExpectedVersion

    /// Whether this line may join `request` as its next event with the same outcome as a request of its own: the
    /// same stream, and neither carries a command id (whose index names its request's positions) nor does the line
    /// expect a version (the stream's version before it is the one the request leaves).
    func continues(_ request: AppendRequest) -> Bool {
        commandId == nil && expectedVersion == .any && request.commandId == nil && request.stream == stream
    }

    /// The request appending it as `actor`'s, as event `eventId` (a fresh random one).
    func request(actor: String, eventId: UUID) -> AppendRequest {
        AppendRequest(
            stream: stream, expectedVersion: expectedVersion, events: [NewEvent(type: type, payload: payload, eventId: eventId)],
            commandId: commandId, actor: actor)
    }

    init(stream: String, type: String, payload: [UInt8], commandId: String?, expectedVersion: ExpectedVersion) {
        (self.stream, self.type, self.payload, self.commandId, self.expectedVersion) = (stream, type, payload, commandId, expectedVersion)
    }

    /// The fields a line may hold.
    static let fields: Set<String> = ["stream", "type", "payload", "commandId", "expectedVersion"]

    /// Line `number` read by Foundation, its payload canonicalized, or a one-line error naming it: the lines the scanner
    /// leaves (`scan`; it bounds the nesting itself, the separate depth pass here is for the lines it leaves).
    init(parsing line: [UInt8], number: Int) throws {
        try BoundedInput.checkJSON(line, limit: NDJSONLine.maxLineBytes, what: "line \(number)")
        guard let fields = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw CLIError.badInput("line \(number): not a JSON object; nothing was appended")
        }
        try refuseDuplicateKeys(line, where: "line \(number)")
        if let unknown = fields.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            let known = Self.fields.sorted().joined(separator: ", ")
            throw CLIError.badInput("line \(number): unknown field '\(unknown)'; a line holds only \(known); nothing was appended")
        }
        guard let stream = fields["stream"] as? String, let type = fields["type"] as? String else {
            throw CLIError.badInput("line \(number): 'stream' and 'type' must be strings; nothing was appended")
        }
        let payload = fields["payload"] ?? [String: Any]()
        guard payload is [String: Any],
            let bytes = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])
        else { throw CLIError.badInput("line \(number): 'payload' must be a JSON object; nothing was appended") }
        var expected = ExpectedVersion.any
        if let version = fields["expectedVersion"] {
            guard let value = version as? Int, value >= 0 else {
                throw CLIError.badInput("line \(number): 'expectedVersion' must be a whole number; nothing was appended")
            }
            expected = value == 0 ? .noStream : .exact(UInt64(value))
        }
        self.init(
            stream: stream, type: type, payload: Array(bytes), commandId: fields["commandId"] as? String, expectedVersion: expected)
    }

    /// A line read by `scan`: its fields, the payload as the range of the line's bytes it is stored as (nil: the line
    /// has none, stored as `{}`).
    struct Scanned {
        let stream: String
        let type: String
        let commandId: String?
        let expectedVersion: ExpectedVersion
        let payloadRange: Range<Int>?

        /// The payload's bytes in the line `bytes` it was read from.
        func payload(in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeRawBufferPointer {
            guard let payloadRange else {
                let empty: StaticString = "{}"
                return UnsafeRawBufferPointer(start: empty.utf8Start, count: empty.utf8CodeUnitCount)
            }
            return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[payloadRange])
        }
    }

    /// The line in `bytes` read with `JSONScanner`, when its payload is already canonical (as `JSONSerialization` would
    /// write it), its strings need no unescaping and it nests no deeper than `JSONBounds.maxDepth`. Nil for anything
    /// else: the line is then parsed and its payload canonicalized by Foundation (`init(parsing:number:)`), with the
    /// same result or the same error.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scanned? {
        guard let members = JSONScanner.members(bytes, maxDepth: JSONBounds.maxDepth, canonical: "payload") else { return nil }
        var stream: String?
        var type: String?
        var commandId: String?
        var expected = ExpectedVersion.any
        var payload: Range<Int>?
        for member in members {
            switch member.key {
            case "stream": stream = JSONScanner.plainString(bytes, member.value)
            case "type": type = JSONScanner.plainString(bytes, member.value)
            case "commandId":
                guard let text = JSONScanner.plainString(bytes, member.value) else { return nil }
                commandId = text
            case "expectedVersion":
                guard let number = JSONScanner.plainInteger(bytes, member.value) else { return nil }
                expected = number == 0 ? .noStream : .exact(UInt64(number))
            case "payload":
                guard bytes[member.value.lowerBound] == UInt8(ascii: "{"), member.isCanonical else { return nil }
                payload = member.value
            // Another field is refused, by `init(parsing:number:)`.
            default: return nil
            }
        }
        guard let stream, let type else { return nil }
        return Scanned(stream: stream, type: type, commandId: commandId, expectedVersion: expected, payloadRange: payload)
    }
}

/// Checked lines kept between the two passes of `BulkAppend`, in an unlinked file of the temporary folder (`TMPDIR`;
/// mode 0600, gone when the process ends): written a batch of records at a time (`Records`, encoded by the thread that
/// checked the lines), read back through a buffer of `bufferBytes`.
///
/// A record: its length after this field (u32, little-endian); stream, type, payload and command id (each a u32
/// length, then the bytes; a missing command id has length 0xFFFF_FFFF), then the expected version (u8 0 any, 1 none,
/// 2 exact, then a u64). Read back a record at a time from the buffer's bytes (its length says whether it is all
/// there), its fields without a check of the buffer each.
final class AppendSpool {
    static let bufferBytes = 1 << 20

    private let descriptor: Int32
    /// The records read from the file (`filled` bytes of it); at least `bufferBytes`, more for a longer record.
    private var buffer = [UInt8](repeating: 0, count: AppendSpool.bufferBytes)
    /// How many of the buffer's bytes hold records read from the file.
    private var filled = 0
    /// Reading: the offset of the next record in `buffer`, and whether the file is read to its end.
    private var offset = 0
    private var atEnd = false

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/docket-append-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw CLIError.badInput("cannot make a spool file in \(NSTemporaryDirectory()) (errno \(errno)); set TMPDIR to a writable folder")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Records in the spool's format, encoded by the thread that checked their lines and written by `write(_:)` as they
    /// are (pass 1's lines go to the spool with one copy: into their records). Each record is written into room made for
    /// it once, field by field with plain stores: appended to an array a field at a time (seven calls a line, each
    /// checking the array's room and owner), they were a sixth of a bulk append's first pass.
    struct Records: ~Copyable {
        private var base: UnsafeMutableRawPointer?
        private var capacity = 0
        /// How many bytes the records take.
        private var count = 0

        init() {}

        deinit { base?.deallocate() }

        /// No records, the room kept for the next batch's.
        mutating func removeAll() { count = 0 }

        /// Calls `body` with the records' bytes.
        func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
            try body(UnsafeRawBufferPointer(start: base, count: count))
        }

        /// Adds a line's record, its payload `payload`'s bytes.
        mutating func append(
            stream: String, type: String, payload: UnsafeRawBufferPointer, commandId: String?, expectedVersion: ExpectedVersion
        ) {
            var length = 4 * 4 + stream.utf8.count + type.utf8.count + payload.count + 1
            if let commandId { length += commandId.utf8.count }
            if case .exact = expectedVersion { length += 8 }
            let start = room(for: 4 + length)
            var writer = RecordWriter(at: start)
            writer.put(UInt32(length))
            writer.put(stream)
            writer.put(type)
            writer.put(payload)
            if let commandId { writer.put(commandId) } else { writer.put(UInt32.max) }
            switch expectedVersion {
            case .any: writer.put(UInt8(0))
            case .noStream: writer.put(UInt8(1))
            case .exact(let version):
                writer.put(UInt8(2))
                writer.put(version)
            }
            assert(writer.at - start == 4 + length)
            count += 4 + length
        }

        /// Stores a record's fields one after the other from `at` (a struct: nested functions moving a captured pointer
        /// boxed it and checked exclusive access at every call, three times a line).
        private struct RecordWriter {
            var at: UnsafeMutableRawPointer

            mutating func put<T: FixedWidthInteger>(_ value: T) {
                at.storeBytes(of: value.littleEndian, as: T.self)
                at += MemoryLayout<T>.size
            }

            /// The bytes' count (four bytes), then the bytes.
            mutating func put(_ bytes: UnsafeRawBufferPointer) {
                put(UInt32(bytes.count))
                if let source = bytes.baseAddress { at.copyMemory(from: source, byteCount: bytes.count) }
                at += bytes.count
            }

            mutating func put(_ text: String) {
                var text = text
                text.withUTF8 { put(UnsafeRawBufferPointer($0)) }
            }
        }

        /// Adds `line`'s record.
        mutating func append(_ line: BulkLine) {
            line.payload.withUnsafeBytes {
                append(stream: line.stream, type: line.type, payload: $0, commandId: line.commandId, expectedVersion: line.expectedVersion)
            }
        }

        /// Where `bytes` more bytes go after the records, grown (doubled at least) when there is not room.
        private mutating func room(for bytes: Int) -> UnsafeMutableRawPointer {
            if count + bytes > capacity {
                let grown = max(2 * capacity, count + bytes, 1 << 16)
                let moved = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
                if let base {
                    moved.copyMemory(from: base, byteCount: count)
                    base.deallocate()
                }
                (base, capacity) = (moved, grown)
            }
            return base! + count
        }
    }

    /// Adds `records` at the end.
    func write(_ records: borrowing Records) throws {
        try records.withBytes { bytes in
            var written = 0
            while written < bytes.count {
                let count = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
                guard count > 0 else {
                    throw CLIError.badInput("cannot write the spool file in \(NSTemporaryDirectory()) (errno \(errno)); is the disk full?")
                }
                written += count
            }
        }
    }

    /// Goes back to the first record.
    func rewind() throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw CLIError.badInput("cannot read back the spool file (errno \(errno))") }
        (offset, filled, atEnd) = (0, 0, false)
    }

    /// The next line, or nil after the last.
    func next() throws -> BulkLine? {
        guard try available(4) else { return nil }
        let length = Int(buffer.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) })
        guard try available(4 + length) else { throw AppendSpool.damaged }
        let start = offset + 4
        offset = start + length
        return try buffer.withUnsafeBytes { bytes in
            var record = Record(record: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]))
            let stream = try record.text()
            let type = try record.text()
            let payload = Array(try record.field())
            let commandId = try record.optionalText()
            let expected: ExpectedVersion
            switch try record.integer() as UInt8 {
            case 0: expected = .any
            case 1: expected = .noStream
            default: expected = .exact(try record.integer())
            }
            guard record.atEnd else { throw AppendSpool.damaged }
            return BulkLine(stream: stream, type: type, payload: payload, commandId: commandId, expectedVersion: expected)
        }
    }

    static let damaged = CLIError.badInput("the spool file ends inside a record")

    /// The fields of one record, read in turn, each checked to end inside it.
    private struct Record {
        let record: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == record.count }

        mutating func integer<T: FixedWidthInteger>() throws -> T {
            guard MemoryLayout<T>.size <= record.count - at else { throw AppendSpool.damaged }
            defer { at += MemoryLayout<T>.size }
            return T(littleEndian: record.loadUnaligned(fromByteOffset: at, as: T.self))
        }

        mutating func field(count: Int) throws -> UnsafeBufferPointer<UInt8> {
            guard count <= record.count - at else { throw AppendSpool.damaged }
            defer { at += count }
            return UnsafeRawBufferPointer(rebasing: record[at..<(at + count)]).bindMemory(to: UInt8.self)
        }

        mutating func field() throws -> UnsafeBufferPointer<UInt8> { try field(count: Int(try integer() as UInt32)) }

        mutating func text() throws -> String { String(decoding: try field(), as: UTF8.self) }

        mutating func optionalText() throws -> String? {
            let count: UInt32 = try integer()
            guard count != UInt32.max else { return nil }
            return String(decoding: try field(count: Int(count)), as: UTF8.self)
        }
    }

    // MARK: - Reading

    /// Whether `count` more bytes are buffered, reading the file as needed: the bytes not read yet move to the start of
    /// the buffer and the file is read into the rest of it (the buffer grows only for a record larger than it).
    private func available(_ count: Int) throws -> Bool {
        while filled - offset < count, !atEnd {
            let left = filled - offset
            buffer.withUnsafeMutableBytes { bytes in
                if left > 0, offset > 0 { bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: left) }
            }
            (offset, filled) = (0, left)
            if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
            let got = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + left, $0.count - left) }
            guard got >= 0 else { throw CLIError.badInput("cannot read back the spool file (errno \(errno))") }
            filled += got
            if got == 0 { atEnd = true }
        }
        return filled - offset >= count
    }
}

/// `write(2)` and `read(2)`, named apart from `AppendSpool`'s own methods.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int { write(descriptor, bytes, count) }
private func systemRead(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(descriptor, bytes, count) }
