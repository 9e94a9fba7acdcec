import EventLog
import Foundation
import TestSupport
import Testing

/// Issue 14 §1 at the library level: anchors follow commits, a shorter log is refused for writes, and the
/// acceptance event matches its schema.
@Suite struct AnchorStoreTests {
    let folder = TemporaryFolder()

    @Test func anchorsFollowCommitsAndAnOldDataFileIsRefusedUntilAccepted() throws {
        let path = folder.child("store")
        var old = Data()
        do {
            let store = try EventStore(path: path, clock: ManualClock())
            try store.append(sampleAppend("ticket-T-1", count: 2))
            old = try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb"))
            try store.append(sampleAppend("ticket-T-1"))
            let latest = try #require(try AnchorFile.latest(store.anchorsPath))
            #expect(latest == Anchor(try store.head()))
            #expect(store.integrityAlarm == nil)
        }
        try old.write(to: URL(fileURLWithPath: path + "/data.mdb"))
        let store = try EventStore(path: path, clock: ManualClock())
        #expect(store.integrityAlarm?.contains("positions 3…3 are missing") == true, "\(store.integrityAlarm ?? "nil")")
        let refused = try #require(throws: EventLogError.self) { try store.append(sampleAppend("ticket-T-2")) }
        #expect(refused.code == .rolledBack)
        #expect(try store.head().position == 2)
        #expect(try store.verify().problems.contains { $0.message.contains("are missing") })

        let accepted = try #require(try store.acceptRollback(actor: "ann", reason: "restored by hand"))
        #expect(accepted.positions == 3...3)
        #expect(store.integrityAlarm == nil)
        try store.append(sampleAppend("ticket-T-2"))
        #expect(try store.verify().isClean)
        let event = try #require(try store.event(at: 3))
        #expect(event.type == "store.rollback-accepted")
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(event.payload)) as? [String: Any])
        let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas/store.rollback-accepted.v1.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
        let properties = Set(try #require(schema["properties"] as? [String: Any]).keys)
        #expect(Set(payload.keys) == properties, "the sample carries every field of the schema")
        #expect(Set(try #require(schema["required"] as? [String])).isSubset(of: Set(payload.keys)))
        #expect(payload["anchoredPosition"] as? Int == 3)
        #expect(payload["headPosition"] as? Int == 2)
    }

    /// A bulk append (`append(_:syncAnchor: false)` per transaction, `syncAnchors()` after the last) anchors every
    /// commit, and the latest anchor is the final head.
    @Test func aBulkAppendAnchorsEveryCommitAndEndsOnTheHead() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("s-0"))
        for n in 1...3 { try store.append([sampleAppend("s-\(n)", count: 10)], syncAnchor: false) }
        store.syncAnchors()
        #expect(try AnchorFile.read(store.anchorsPath).map(\.position) == [1, 11, 21, 31])
        #expect(try AnchorFile.latest(store.anchorsPath) == Anchor(try store.head()))
        #expect(try store.verify().isClean)
    }

    /// What a machine crash during a bulk append can leave: the log's commits (each durable) with the anchors written
    /// since the last synced one lost, the last of them cut short. The store opens without alarm (an anchor behind the
    /// log), `verify` is clean, and the next commit's anchor is read whole, not run into the torn piece.
    @Test func aCrashDuringABulkAppendLeavesAStoreThatVerifies() throws {
        let path = folder.child("store")
        var synced = Data()
        do {
            let store = try EventStore(path: path, clock: ManualClock())
            try store.append(sampleAppend("s-0"))
            synced = try Data(contentsOf: URL(fileURLWithPath: store.anchorsPath))
            for n in 1...3 { try store.append([sampleAppend("s-\(n)", count: 10)], syncAnchor: false) }
        }
        let anchors = path + "/" + AnchorFile.fileName
        let written = try Data(contentsOf: URL(fileURLWithPath: anchors))
        // The synced anchor and the first two bytes of the next line ("11"): the rest never reached the disk.
        try (synced + written[synced.count..<(synced.count + 2)]).write(to: URL(fileURLWithPath: anchors))

        do {
            let store = try EventStore(path: path, clock: ManualClock())
            #expect(store.integrityAlarm == nil, "\(store.integrityAlarm ?? "")")
            #expect(try store.verify().isClean)
            #expect(try AnchorFile.latest(anchors)?.position == 1)
            try store.append(sampleAppend("s-4"))
            #expect(try AnchorFile.latest(anchors) == Anchor(try store.head()), "not position 1132: the torn 11 stays apart")
            #expect(try AnchorFile.read(anchors).map(\.position) == [1, 32])
        }
        #expect(try EventStore(path: path, clock: ManualClock()).integrityAlarm == nil)
    }

    @Test func metaPagesOfASoundFileAreConsistentAndAFlippedTxnidIsNot() throws {
        let path = folder.child("store")
        do {
            let store = try EventStore(path: path, clock: ManualClock())
            for n in 0..<3 { try store.append(sampleAppend("ticket-T-\(n)")) }
        }
        let file = path + "/data.mdb"
        let meta = try #require(MetaPages.read(file))
        #expect(meta.isConsistent, "\(meta.txnids)")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        let older = meta.txnids.0 < meta.txnids.1 ? 0 : 1
        bytes[older * 4096 + 144 + 7] ^= 0x80
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(MetaPages.read(file)?.isConsistent == false)
        let reopened = try EventStore(path: path, clock: ManualClock())
        #expect(reopened.integrityAlarm?.contains("meta pages") == true)
    }
}

@Suite struct AnchorFileTests {
    let folder = TemporaryFolder()

    @Test func theLatestAnchorIsFoundInTheTailEvenOutOfOrder() throws {
        let path = folder.child("anchors")
        let hash = try #require(Digest(hex: String(repeating: "ab", count: 32)))
        let start = try #require(Timestamp(iso8601: "2026-11-02T09:00:00Z"))
        for position in [UInt64](1...3_000) + [2_999] {
            try AnchorFile.append(Anchor(position: position, hash: hash, recordedAt: start), to: path, sync: false)
        }
        #expect(try AnchorFile.latest(path, tail: 1_024)?.position == 3_000)
        #expect(try AnchorFile.read(path).count == 3_001)
        try AnchorFile.append(Anchor(position: 10, hash: hash, recordedAt: start, isAcceptance: true), to: path, sync: false)
        #expect(try AnchorFile.latest(path)?.position == 10, "an acceptance supersedes the anchors before it")
        #expect(try AnchorFile.read(path).count == 1)
        #expect(try AnchorFile.latest(folder.child("none")) == nil)
    }
}
