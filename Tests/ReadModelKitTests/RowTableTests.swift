import EventLog
import Foundation
import LMDB
import ReadModelKit
import TestSupport
import Testing

/// A count per key with a label derived from the count at flush (`settle`), and an index by label.
struct Tally: Equatable {
    var key: UInt64
    var count: Int
    /// "even" or "odd" once settled; whatever it was until then.
    var label: String
}

/// A `Tally` as stored: the same fields (a stored form of its own, for the table made with `store:`).
struct StoredTally {
    var key: UInt64
    var count: Int
    var label: String
}

/// A model of tallies: each `test.happened` event counts one more for the key `n % 7` of its payload. Made with the
/// table written straight from the row (`write:`) or through a stored form (`store:`); it seals its batches
/// (`RowTable.prepareFlush`), as the app's models do.
final class TallyProjection: Projection {
    let name: String
    let format = 1
    var tables: [String] { rows.tableNames }
    let foldsInMemory = true
    let sealsBatches = true
    let rows: RowTable<UInt64, Tally, StoredTally>

    static let codec = RowCodec<StoredTally>(
        format: 1, write: { row, w in TallyProjection.write(row.key, row.count, row.label, &w) },
        read: { r in StoredTally(key: try r.uint(), count: try r.int(), label: try r.string()) })

    static func write(_ key: UInt64, _ count: Int, _ label: String, _ w: inout RowWriter) {
        w.uint(key)
        w.int(count)
        w.string(label)
    }

    init(_ name: String, direct: Bool) {
        self.name = name
        let index = RowIndex<Tally>("\(name)-by-label") { [OrderedKey.of($0.label, $0.key)] }
        let load: (StoredTally, ReadModelTables, borrowing Transaction) throws -> Tally = { stored, _, _ in
            Tally(key: stored.key, count: stored.count, label: stored.label)
        }
        let settle: (inout Tally) -> Void = { $0.label = $0.count % 2 == 0 ? "even" : "odd" }
        rows =
            direct
            ? RowTable(
                "\(name)-rows", codec: Self.codec, indexes: [index], write: { row, w in Self.write(row.key, row.count, row.label, &w) },
                load: load, settle: settle)
            : RowTable(
                "\(name)-rows", codec: Self.codec, indexes: [index], store: { StoredTally(key: $0.key, count: $0.count, label: $0.label) },
                load: load, settle: settle)
    }

    func attach(_ tables: ReadModelTables) { rows.attach(tables) }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.type == "test.happened" else { return }
        let text = String(decoding: event.payload, as: UTF8.self).filter(\.isNumber)
        let key = UInt64(Int(text) ?? 0) % 7
        if try !rows.update(key, txn: txn, { $0.count += 1; return true }) { rows.set(key, Tally(key: key, count: 1, label: "new")) }
    }

    func prepareFlush() throws { try rows.prepareFlush() }
    func flush(in txn: borrowing Transaction) throws { try rows.flush(in: txn) }
    func discardPending() { rows.discard() }
}

@Suite struct RowTableTests {
    /// Every key and value of `database`, in order.
    static func contents(_ database: Database, _ txn: borrowing Transaction) throws -> [[UInt8]] {
        try txn.withCursor(database) { cursor in
            var all: [[UInt8]] = []
            var entry = try cursor.first()
            while let found = entry {
                all.append(Array(found.key))
                all.append(Array(found.value))
                entry = try cursor.next()
            }
            return all
        }
    }

    /// A table written straight from its rows stores the bytes of one written through a stored form, appended in
    /// transactions of one and several events and rebuilt in batches of 1, 5 and all (sealed, and the next batch
    /// folded while one is written); its rows are settled where they are kept, and the index follows the settled rows.
    @Test(arguments: [1, 5, 20_000])
    func rowsWrittenStraightAreTheRowsOfTheirStoredForm(batchSize: Int) throws {
        let folder = TemporaryFolder()
        let direct = TallyProjection("direct", direct: true)
        let stored = TallyProjection("stored", direct: false)
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [direct, stored])
        var n = 0
        for size in [1, 4, 1, 9, 2, 13, 1] {
            _ = try store.append(
                AppendRequest(
                    stream: "tally-\(size)", expectedVersion: .any, events: (0..<size).map { _ in n += 1; return sampleEvent(n) },
                    actor: "ann"))
        }
        func check() throws {
            try store.readModels { txn in
                let rows = try Self.contents(direct.rows.database, txn)
                #expect(!rows.isEmpty)
                #expect(try Self.contents(stored.rows.database, txn) == rows)
                let index = try Self.contents(direct.rows.indexDatabase("direct-by-label"), txn)
                #expect(try Self.contents(stored.rows.indexDatabase("stored-by-label"), txn) == index)
                var labelled = 0
                for key in UInt64(0)..<7 {
                    guard let row = try direct.rows.read(key, txn: txn) else { continue }
                    #expect(row.label == (row.count % 2 == 0 ? "even" : "odd"))
                    labelled += 1
                }
                #expect(labelled == 7 && index.count == 2 * labelled)
            }
        }
        try check()
        try store.rebuild(["direct", "stored"], batchSize: batchSize)
        try check()
    }
}
