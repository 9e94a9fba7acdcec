import EventLog
import Foundation
import LMDB

/// The shape of the work both sides do: ~300-byte records, keyed by 8-byte big-endian positions.
enum Workload {
    /// The size of one raw LMDB value, and (by construction of `payload`) of one Docket record.
    static let recordSize = 300

    /// Docket's record overhead for the names below: 35 fixed bytes, four u16 length prefixes, a u32 payload
    /// length, the 32-byte hash, and the stream (15), type (16) and actor (6) names. See RecordCodec.swift.
    static let docketOverhead = 35 + 4 * 2 + 4 + 32 + 15 + 16 + 6

    /// A comment on a ticket as a JSON object, sized so that the Docket record is `recordSize` bytes.
    static let payload: [UInt8] = {
        let size = recordSize - docketOverhead
        let head = #"{"author":"u-0007","body":""#
        let tail = #"","ticket":"T-000042","visibility":"internal"}"#
        let sentence = "The printer on floor 3 jams on duplex jobs; replaced the pickup roller and ran a test page. "
        let fill = String(String(repeating: sentence, count: 4).prefix(size - head.utf8.count - tail.utf8.count))
        let bytes = Array((head + fill + tail).utf8)
        precondition(bytes.count == size, "payload is \(bytes.count) bytes, expected \(size)")
        return bytes
    }()

    static let eventType = "ticket.commented"
    static let actor = "u-0007"
    /// How many distinct streams the appends cycle through.
    static let streamCount = 10_000

    /// `ticket-T-000042`: always 15 bytes.
    static func stream(_ number: Int) -> String {
        let digits = String(number % streamCount)
        return "ticket-T-" + String(repeating: "0", count: 6 - digits.count) + digits
    }

    static func event() -> NewEvent {
        NewEvent(type: eventType, payload: payload)
    }

    /// `streams` requests of `eventsPerStream` events each, on consecutive streams starting at `firstStream`.
    static func requests(firstStream: Int, streams: Int, eventsPerStream: Int) -> [AppendRequest] {
        (0..<streams).map { offset in
            AppendRequest(
                stream: stream(firstStream + offset),
                events: (0..<eventsPerStream).map { _ in event() },
                actor: actor)
        }
    }

    /// Store options: durable (fsync on every commit) unless a benchmark only prepares data.
    static func options(durable: Bool) -> Environment.Options {
        var options = Environment.Options()
        options.durable = durable
        return options
    }
}

/// A fresh folder under /tmp, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init(_ label: String) throws {
        var template = Array("/tmp/docket-bench-\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "/tmp/docket-bench-\(label)"])
        }
        path = String(cString: made)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

// MARK: - Fixtures

/// A Docket store in its own temporary folder.
final class DocketFixture {
    let folder: TemporaryFolder
    private(set) var store: EventStore?
    /// The next stream number to append to, so successive iterations spread over `Workload.streamCount` streams.
    var nextStream = 0

    init(label: String, durable: Bool) throws {
        folder = try TemporaryFolder(label)
        store = try EventStore(path: folder.path, options: Workload.options(durable: durable), clock: SystemClock())
    }

    /// Appends `count` events in bulk transactions of 100 requests x 10 events.
    func fill(events count: Int) throws {
        guard let store else { return }
        var written = 0
        while written < count {
            let batch = Workload.requests(firstStream: nextStream, streams: 100, eventsPerStream: 10)
            nextStream += 100
            try store.append(batch)
            written += 1_000
        }
    }

    func close() {
        store = nil
        folder.remove()
    }
}

/// A raw LMDB environment with one database, in its own temporary folder: 300-byte values under 8-byte
/// big-endian keys, written with MDB_APPEND, with no encoding, hashing or secondary index.
final class RawFixture {
    let folder: TemporaryFolder
    private(set) var environment: Environment?
    let database: Database
    /// The last key written.
    var lastKey: UInt64 = 0
    /// An 8-byte key buffer and a 300-byte value buffer, allocated once.
    let key = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
    let value = UnsafeMutableRawBufferPointer.allocate(byteCount: Workload.recordSize, alignment: 8)

    init(label: String, durable: Bool) throws {
        folder = try TemporaryFolder(label)
        let environment = try Environment(path: folder.path, options: Workload.options(durable: durable))
        self.environment = environment
        database = try environment.openDatabase(named: "events")
        // The same bytes Docket stores as its payload, padded to a full record.
        value.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: " "))
        Workload.payload.withUnsafeBytes { value.copyMemory(from: $0) }
    }

    /// Writes `count` values in one write transaction.
    func put(count: Int) throws {
        guard let environment else { return }
        try environment.write { txn in
            for _ in 0..<count {
                lastKey += 1
                key.storeBytes(of: lastKey.bigEndian, as: UInt64.self)
                try txn.put(
                    database, key: UnsafeRawBufferPointer(key), value: UnsafeRawBufferPointer(value), options: .append)
            }
        }
    }

    /// Fills the database with `count` values in transactions of up to 100,000.
    func fill(values count: Int) throws {
        var left = count
        while left > 0 {
            let batch = min(left, 100_000)
            try put(count: batch)
            left -= batch
        }
    }

    func close() {
        environment = nil
        folder.remove()
        key.deallocate()
        value.deallocate()
    }
}

/// Holds a fixture between a benchmark's setup and teardown.
final class Slot<Fixture> {
    var fixture: Fixture?
}
