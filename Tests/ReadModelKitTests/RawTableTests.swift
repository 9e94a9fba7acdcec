import EventLog
import Foundation
import LMDB
import ReadModelKit
import TestSupport
import Testing

/// Each `test.first` event keeps its position under its payload (`["key"]`) unless the payload has one (`putIfAbsent`:
/// the first put wins); a `test.fail` event fails its transaction after the keys of the events before it were put.
private final class FirstsProjection: Projection, @unchecked Sendable {
    // @unchecked Sendable: the table guards itself.
    struct Failed: Error {}

    let name = "firsts"
    let format = 1
    let foldsInMemory = true
    let firsts = RawTable("firsts")
    var tables: [String] { [firsts.name] }

    func attach(_ tables: ReadModelTables) { firsts.attach(tables) }

    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        if event.type == "test.fail" { throw Failed() }
        try firsts.putIfAbsent(event.payload, txn: txn) { withUnsafeBytes(of: event.position.bigEndian) { Array($0) } }
    }

    func flush(in txn: borrowing Transaction) throws { try firsts.flush(in: txn) }
    func discardPending() { firsts.discard() }
}

@Suite struct RawTableTests {
    /// The first position of each key, as stored.
    private static func firsts(_ model: FirstsProjection, _ store: EventStore) throws -> [String: UInt64] {
        try store.readModels { txn in
            let all = try RowTableTests.contents(model.firsts.database, txn)
            var firsts: [String: UInt64] = [:]
            for pair in stride(from: 0, to: all.count, by: 2) {
                // The key inside `["` and `"]`.
                firsts[String(decoding: all[pair].dropFirst(2).dropLast(2), as: UTF8.self)] = all[pair + 1].withUnsafeBytes {
                    OrderedKey.uint64($0)
                }
            }
            return firsts
        }
    }

    /// The first put of a key wins, asked again in its transaction (the key just put, or another in between), in a
    /// later one (the key stored), and after a transaction that put it failed (the key put then is gone, and is put
    /// again by the next); a rebuild in batches of 1, 2 and all gives the same.
    @Test func theFirstPutOfAKeyWinsAndAFailedOneLeavesNone() throws {
        let folder = TemporaryFolder()
        let model = FirstsProjection()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock(), projections: [model])
        func append(_ events: [(type: String, key: String)]) throws {
            _ = try store.append(
                AppendRequest(
                    stream: "firsts-1", expectedVersion: .any,
                    events: events.map { NewEvent(type: $0.type, payload: Array("[\"\($0.key)\"]".utf8)) }, actor: "ann"))
        }
        try append([("test.first", "a"), ("test.first", "a"), ("test.first", "b"), ("test.first", "a")])
        #expect(try Self.firsts(model, store) == ["a": 1, "b": 3])
        try append([("test.first", "a"), ("test.first", "b")])
        #expect(try Self.firsts(model, store) == ["a": 1, "b": 3])
        #expect(throws: FirstsProjection.Failed.self) { try append([("test.first", "c"), ("test.fail", "")]) }
        #expect(try Self.firsts(model, store) == ["a": 1, "b": 3])
        try append([("test.first", "c"), ("test.first", "c")])
        let expected: [String: UInt64] = ["a": 1, "b": 3, "c": 7]
        #expect(try Self.firsts(model, store) == expected)
        for batchSize in [1, 2, 20_000] {
            try store.rebuild(["firsts"], batchSize: batchSize)
            #expect(try Self.firsts(model, store) == expected)
        }
    }
}
