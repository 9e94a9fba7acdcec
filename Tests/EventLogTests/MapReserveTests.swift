@testable import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// A catch-up grows the map before its first batch by what the log holds after its checkpoint
/// (`EventStore.reserveMap`), and an import of a known size by that size, so no batch fills the map midway and is
/// folded or written twice.
@Suite struct MapReserveTests {
    let folder = TemporaryFolder()

    /// A store of 3,000 events of ~1 KB, written with a map that started at 64 KiB (it grew as the appends filled it).
    func filledStore(options: Environment.Options) throws -> String {
        let path = folder.child("store")
        let store = try EventStore(path: path, options: options, clock: ManualClock(), projections: [])
        let pad = String(repeating: "x", count: 1_000)
        for batch in 0..<30 {
            let events = (0..<100).map { n in
                NewEvent(type: "test.happened", payload: Array("{\"n\":\(batch * 100 + n),\"pad\":\"\(pad)\"}".utf8))
            }
            try store.append(AppendRequest(stream: "thing-\(batch)", events: events, actor: "ann"))
        }
        return path
    }

    @Test func aCatchUpAndARebuildFoldEachBatchOnce() throws {
        var options = Environment.Options()
        options.initialMapSize = 64 << 10
        let path = try filledStore(options: options)
        // Reopened with a model as large as the log: the first catch-up writes as many bytes again.
        let copy = PayloadCopy()
        let store = try EventStore(path: path, options: options, clock: ManualClock(), projections: [copy])
        let before = store.environment.redoneWrites
        try store.catchUpProjections()
        #expect(store.environment.redoneWrites == before)
        #expect(copy.applied == 3_000)
        try store.rebuild(["copy"])
        #expect(store.environment.redoneWrites == before)
        #expect(copy.applied == 6_000)
        #expect(try store.checkpoint(of: "copy") == 3_000)
    }

    /// An import told the export's size grows the map by as much first: no batch of its log is written twice.
    @Test func anImportOfAKnownSizeWritesEachBatchOnce() throws {
        var options = Environment.Options()
        options.initialMapSize = 64 << 10
        var export: [UInt8] = []
        do {
            let store = try EventStore(path: try filledStore(options: options), clock: ManualClock())
            try store.export { export += Array($0.utf8) }
        }
        let imported = try EventStore(path: folder.child("imported"), options: options, clock: ManualClock())
        #expect(try imported.importLog(export) == 3_000)
        #expect(imported.environment.redoneWrites == 0)
        // Streamed, the size unknown, the same import fills the map on its way.
        let streamed = try EventStore(path: folder.child("streamed"), options: options, clock: ManualClock())
        var given = false
        let chunks = { () -> ArraySlice<UInt8>? in
            defer { given = true }
            return given ? nil : export[...]
        }
        #expect(try streamed.importLog(chunks: chunks) == 3_000)
        #expect(streamed.environment.redoneWrites > 0)
    }
}

/// Each event's payload under its position, written as it is applied: a read model as large as the log.
private final class PayloadCopy: Projection, @unchecked Sendable {
    // @unchecked Sendable: `count` is only touched under `lock`.
    let name = "copy"
    let tables = ["payloads"]
    private var payloads: Database?
    private let lock = NSLock()
    private var count = 0

    /// The events applied so far, folds done twice included.
    var applied: Int { lock.withLock { count } }

    func attach(_ tables: ReadModelTables) { payloads = tables["payloads"] }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        lock.withLock { count += 1 }
        guard let payloads else { return }
        try txn.put(payloads, key: withUnsafeBytes(of: event.position.bigEndian) { Array($0) }, value: event.payload)
    }
}
