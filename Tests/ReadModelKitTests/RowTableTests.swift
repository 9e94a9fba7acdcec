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
        let index = RowIndex<Tally>("\(name)-by-label") { row, keys in keys.add(row.label, row.key) }
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

/// A label per key, indexed by the label alone: two rows may want the same index key, so a key can pass from one row
/// to another within a transaction (`test.labelled` events, payload `{"key":K,"label":"L"}`).
final class LabelProjection: Projection {
    struct Labelled: Codable, Equatable {
        var key: UInt64
        var label: String
    }

    let name = "labels"
    let format = 1
    var tables: [String] { rows.tableNames }
    let foldsInMemory = true
    let sealsBatches = true
    let rows = RowTable<UInt64, Labelled, Labelled>(
        "rows",
        codec: RowCodec(
            format: 1,
            write: { row, w in
                w.uint(row.key)
                w.string(row.label)
            },
            read: { r in Labelled(key: try r.uint(), label: try r.string()) }),
        indexes: [RowIndex("by-label") { row, keys in keys.add(row.label) }],
        store: { $0 }, load: { stored, _, _ in stored })

    static func event(_ key: UInt64, _ label: String) -> NewEvent {
        NewEvent(type: "test.labelled", payload: Array("{\"key\":\(key),\"label\":\"\(label)\"}".utf8))
    }

    func attach(_ tables: ReadModelTables) { rows.attach(tables) }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        guard event.type == "test.labelled" else { return }
        let labelled = try JSONDecoder().decode(Labelled.self, from: Data(event.payload))
        // Read first, so that the index entries of a stored row are replaced (`set` alone knows no stored keys).
        if try !rows.update(labelled.key, txn: txn, { $0 = labelled; return true }) { rows.set(labelled.key, labelled) }
    }

    func prepareFlush() throws { try rows.prepareFlush() }
    func flush(in txn: borrowing Transaction) throws { try rows.flush(in: txn) }
    func discardPending() { rows.discard() }
}

@Suite struct IndexKeyHandOverTests {
    /// The index of `model`: each label with the key of its row.
    static func index(_ model: LabelProjection, _ store: EventStore) throws -> [String: UInt64] {
        try store.readModels { txn in
            let all = try RowTableTests.contents(model.rows.indexDatabase("by-label"), txn)
            var index: [String: UInt64] = [:]
            for pair in stride(from: 0, to: all.count, by: 2) {
                // The label's bytes without the 0x00 that ends an ordered string.
                index[String(decoding: all[pair].dropLast(), as: UTF8.self)] = all[pair + 1].withUnsafeBytes { OrderedKey.uint64($0) }
            }
            return index
        }
    }

    /// An index key that one row drops and another takes in one transaction ends with the row that takes it, whether
    /// that row's key sorts before the other's or after it; appended, and rebuilt in batches of 1, 2 (the hand-over in
    /// one batch) and all.
    @Test(arguments: [true, false])
    func anIndexKeyPassesToTheRowThatTakesIt(takerFirst: Bool) throws {
        let folder = TemporaryFolder()
        let model = LabelProjection()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [model])
        let (giver, taker): (UInt64, UInt64) = takerFirst ? (1, 0) : (0, 1)
        _ = try store.append(
            AppendRequest(
                stream: "labels-1", expectedVersion: .any, events: [LabelProjection.event(giver, "x"), LabelProjection.event(taker, "w")],
                actor: "ann"))
        #expect(try Self.index(model, store) == ["x": giver, "w": taker])
        _ = try store.append(
            AppendRequest(
                stream: "labels-1", expectedVersion: .any, events: [LabelProjection.event(giver, "y"), LabelProjection.event(taker, "x")],
                actor: "ann"))
        let expected: [String: UInt64] = ["x": taker, "y": giver]
        #expect(try Self.index(model, store) == expected)
        for batchSize in [1, 2, 20_000] {
            try store.rebuild(["labels"], batchSize: batchSize)
            #expect(try Self.index(model, store) == expected)
        }
    }
}
