import Foundation
import LMDB

/// A stored event seen in place, for scans that must not allocate per event (reports over the whole log).
///
/// Its buffers point into LMDB's map and are valid only during the callback that receives them (rule 3 in
/// docs/architecture.md): decode or copy what you keep. The hash is not checked (that is `docket verify`'s job).
public struct RawEventView {
    /// The global position.
    public let position: UInt64
    /// The recorded-at time, milliseconds since the epoch.
    public let recordedAtMilliseconds: Int64
    /// The payload's schema version.
    public let schemaVersion: UInt16
    /// The stream name, UTF-8.
    public let stream: UnsafeRawBufferPointer
    /// The type string, UTF-8.
    public let type: UnsafeRawBufferPointer
    /// The actor's login, UTF-8.
    public let actor: UnsafeRawBufferPointer
    /// The payload, canonical JSON.
    public let payload: UnsafeRawBufferPointer

    /// A view over buffers the caller keeps alive (tests, tools).
    public init(
        position: UInt64, recordedAtMilliseconds: Int64, schemaVersion: UInt16, stream: UnsafeRawBufferPointer,
        type: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) {
        self.position = position
        self.recordedAtMilliseconds = recordedAtMilliseconds
        self.schemaVersion = schemaVersion
        self.stream = stream
        self.type = type
        self.actor = actor
        self.payload = payload
    }

    /// Whether the type string is exactly `text` (ASCII compare, no allocation).
    public func typeIs(_ text: StaticString) -> Bool {
        RawEventView.equal(type, text)
    }

    /// Whether the stream name starts with `prefix`.
    public func streamHasPrefix(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard stream.count >= count else { return false }
        return memcmp(stream.baseAddress!, prefix.utf8Start, count) == 0
    }

    static func equal(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        return count == 0 || memcmp(bytes.baseAddress!, text.utf8Start, count) == 0
    }
}

extension EventStore {
    /// Calls `body` with a view of every event from `first` through `last` (clamped to the head), in order,
    /// without decoding the envelope into Swift values. Reads in bounded transactions of `batchSize` events,
    /// like ``scan(from:through:batchSize:_:)``; `body` returns false to stop early.
    public func scanRaw(
        from first: UInt64 = 1, through last: UInt64 = .max, batchSize: Int = 50_000,
        _ body: (RawEventView) throws -> Bool
    ) throws {
        let last = min(last, readLimit)
        var next = max(first, 1)
        var going = true
        while going, next <= last {
            let batchEnd = next &+ UInt64(batchSize - 1)
            let (count, stopped) = try logEnvironment.read { txn -> (UInt64, Bool) in
                try txn.withCursor(db.events) { cursor in
                    var count: UInt64 = 0
                    var prefetch = PagePrefetch()
                    var entry = try cursor.seek(atLeast: Key.u64(next))
                    while let found = entry {
                        prefetch.landed(on: found.value)
                        let position = Key.u64(found.key)
                        guard position <= last, position <= batchEnd else { break }
                        count += 1
                        guard let view = RawRecord.view(position: position, record: found.value) else {
                            throw EventLogError(.corrupt, "the event at position \(position) is damaged; run docket verify")
                        }
                        if try !body(view) { return (count, true) }
                        entry = try cursor.next()
                    }
                    return (count, false)
                }
            }
            going = !stopped && count == UInt64(batchSize)
            next += count
        }
    }
}

/// Slices a stored record (layout in ``RecordCodec``) into a ``RawEventView``; nil when it is malformed.
enum RawRecord {
    static func view(position: UInt64, record: UnsafeRawBufferPointer) -> RawEventView? {
        let end = record.count - 32
        guard end >= RecordCodec.fixedBodySize, record.load(as: UInt8.self) == RecordCodec.format else { return nil }
        let recordedAt = Int64(littleEndian: record.loadUnaligned(fromByteOffset: 9, as: Int64.self))
        let schemaVersion = UInt16(littleEndian: record.loadUnaligned(fromByteOffset: 17, as: UInt16.self))
        var reader = RecordCodec.Reader(bytes: UnsafeRawBufferPointer(rebasing: record[..<end]), offset: RecordCodec.fixedBodySize)
        guard let stream = try? reader.bytes(Int(reader.u16())), let type = try? reader.bytes(Int(reader.u16())),
            (try? reader.skip(Int(reader.u16()))) != nil, let actor = try? reader.bytes(Int(reader.u16())),
            let payload = try? reader.bytes(Int(reader.u32())), reader.atEnd
        else { return nil }
        return RawEventView(
            position: position, recordedAtMilliseconds: recordedAt, schemaVersion: schemaVersion, stream: stream, type: type,
            actor: actor, payload: payload)
    }
}
