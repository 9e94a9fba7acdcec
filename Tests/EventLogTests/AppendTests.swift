import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct AppendTests {
    let folder = TemporaryFolder()

    func openStore(clock: any WallClock = ManualClock()) throws -> EventStore {
        try EventStore(path: folder.child("store"), clock: clock)
    }

    @Test func positionsAndVersionsAreGaplessFromOne() throws {
        let store = try openStore()
        let a = try store.append(sampleAppend("ticket-T-1", count: 2))
        let b = try store.append(sampleAppend("ticket-T-2"))
        let c = try store.append(sampleAppend("ticket-T-1"))
        #expect(a.positions == 1...2)
        #expect(b.positions == 3...3)
        #expect(c.positions == 4...4)
        #expect(c.streamVersion == 3)
        #expect(try store.read(stream: "ticket-T-1").map(\.streamVersion) == [1, 2, 3])
        #expect(try store.read(stream: "ticket-T-1").map(\.position) == [1, 2, 4])
        #expect(try store.head().position == 4)
    }

    @Test func envelopeKeepsEveryField() throws {
        let clock = ManualClock("2026-11-03T14:00:00Z")
        let store = try openStore(clock: clock)
        let id = UUID()
        try store.append(
            AppendRequest(
                stream: "client-acme", events: [NewEvent(type: "client.registered", schemaVersion: 2, payload: Array("{\"a\":1}".utf8), eventId: id)],
                commandId: "cmd-1", actor: "ann"))
        let event = try #require(try store.event(at: 1))
        #expect(event.stream == "client-acme")
        #expect(event.type == "client.registered")
        #expect(event.schemaVersion == 2)
        #expect(event.eventId == id)
        #expect(event.commandId == "cmd-1")
        #expect(event.actor == "ann")
        #expect(event.recordedAt.iso8601 == "2026-11-03T14:00:00.000Z")
        #expect(event.payloadText == "{\"a\":1}")
        #expect(event.hash != .zero)
    }

    @Test func noStreamRejectsAnExistingStream() throws {
        let store = try openStore()
        try store.append(sampleAppend("s-1"))
        #expect(throws: WrongExpectedVersion(stream: "s-1", expected: .noStream, actual: 1)) {
            try store.append(sampleAppend("s-1", expected: .noStream))
        }
        #expect(try store.head().position == 1)
    }

    @Test func exactRejectsAStaleVersionAndNamesBoth() throws {
        let store = try openStore()
        try store.append(sampleAppend("s-1", count: 3))
        do {
            try store.append(sampleAppend("s-1", expected: .exact(2)))
            Issue.record("expected a conflict")
        } catch let conflict as WrongExpectedVersion {
            #expect(conflict.stream == "s-1")
            #expect(conflict.expected == .exact(2))
            #expect(conflict.actual == 3)
            #expect(conflict.description.contains("version 2"))
            #expect(conflict.description.contains("version 3"))
        }
        #expect(try store.head().position == 3)
    }

    @Test func exactOnAMissingStreamReportsItDoesNotExist() throws {
        let store = try openStore()
        #expect(throws: WrongExpectedVersion(stream: "s-9", expected: .exact(1), actual: 0)) {
            try store.append(sampleAppend("s-9", expected: .exact(1)))
        }
    }

    @Test func matchingExpectationsAppend() throws {
        let store = try openStore()
        try store.append(sampleAppend("s-1", expected: .noStream))
        try store.append(sampleAppend("s-1", expected: .exact(1)))
        try store.append(sampleAppend("s-1", expected: .any))
        #expect(try store.version(of: "s-1") == 3)
    }

    @Test func aBatchIsAllOrNothing() throws {
        let store = try openStore()
        try store.append(sampleAppend("s-1"))
        #expect(throws: WrongExpectedVersion.self) {
            try store.append([sampleAppend("s-2", count: 5), sampleAppend("s-1", expected: .noStream)])
        }
        #expect(try store.head().position == 1)
        #expect(try store.version(of: "s-2") == 0)
        let results = try store.append([sampleAppend("s-2", count: 2), sampleAppend("s-1", expected: .exact(1))])
        #expect(results.map(\.positions) == [2...3, 4...4])
    }

    @Test func retryingACommandIdReturnsTheOriginalAndWritesNothing() throws {
        let store = try openStore()
        let first = try store.append(sampleAppend("s-1", count: 2, commandId: "open-42"))
        try store.append(sampleAppend("s-2"))
        let retry = try store.append(sampleAppend("s-1", count: 2, expected: .noStream, commandId: "open-42"))
        #expect(retry.positions == first.positions)
        #expect(retry.streamVersion == first.streamVersion)
        #expect(retry.isRetry)
        #expect(!first.isRetry)
        #expect(try store.head().position == 3)
    }

    @Test func idempotencySurvivesReopeningTheStore() throws {
        var store: EventStore? = try openStore()
        let first = try #require(store).append(sampleAppend("s-1", commandId: "cmd-x"))
        store = nil
        let reopened = try openStore()
        let retry = try reopened.append(sampleAppend("s-1", commandId: "cmd-x"))
        #expect(retry.positions == first.positions)
        #expect(retry.isRetry)
        #expect(try reopened.head().position == 1)
    }

    @Test func aCommandIdReusedForAnotherStreamIsRefused() throws {
        let store = try openStore()
        try store.append(sampleAppend("s-1", commandId: "cmd-x"))
        #expect(throws: EventLogError.self) { try store.append(sampleAppend("s-2", commandId: "cmd-x")) }
        #expect(try store.head().position == 1)
    }

    @Test(arguments: ["", String(repeating: "x", count: 201), "bad\nname"])
    func invalidStreamNamesAreRefused(name: String) throws {
        let store = try openStore()
        #expect(throws: EventLogError.self) { try store.append(sampleAppend(name)) }
        #expect(try store.head().position == 0)
    }

    @Test func nonJSONPayloadsAndEmptyAppendsAreRefused() throws {
        let store = try openStore()
        #expect(throws: EventLogError.self) {
            try store.append(AppendRequest(stream: "s-1", events: [NewEvent(type: "x", payload: Array("hello".utf8))], actor: "ann"))
        }
        #expect(throws: EventLogError.self) { try store.append(AppendRequest(stream: "s-1", events: [], actor: "ann")) }
        #expect(try store.head().position == 0)
    }

    @Test func recordedAtNeverGoesBackwards() throws {
        let clock = ManualClock("2026-11-03T14:00:00Z")
        let store = try openStore(clock: clock)
        try store.append(sampleAppend("s-1"))
        clock.advance(milliseconds: -60_000)
        try store.append(sampleAppend("s-1"))
        let times = try store.read(stream: "s-1").map(\.recordedAt)
        #expect(times[1] == times[0])
    }
}

@Suite struct CommandLookupTests {
    @Test func aCommandsResultCanBeLookedUp() throws {
        let folder = TemporaryFolder()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("s-0"))
        try store.append(sampleAppend("s-1", count: 3, commandId: "c-9"))
        let found = try #require(try store.result(ofCommand: "c-9"))
        #expect(found.stream == "s-1")
        #expect(found.positions == 2...4)
        #expect(found.isRetry)
        #expect(try store.result(ofCommand: "c-10") == nil)
    }
}

@Suite struct RandomUUIDTests {
    @Test func randomUUIDsAreVersionFourVariantOneAndDistinct() {
        let ids = (0..<1_000).map { _ in UUID.random() }
        #expect(Set(ids).count == 1_000)
        for id in ids.prefix(50) {
            let text = id.uuidString
            let characters = Array(text)
            #expect(characters[14] == "4")
            #expect("89AB".contains(characters[19]))
        }
    }

    /// The pooled ids of a bulk append: the same version and variant, distinct across refills of the pool (4 KiB,
    /// 256 ids), from pool to pool.
    @Test func pooledUUIDsAreVersionFourVariantOneAndDistinct() {
        var first = RandomUUIDs()
        var second = RandomUUIDs()
        let ids = (0..<1_000).map { _ in first.next() } + (0..<300).map { _ in second.next() }
        #expect(Set(ids).count == 1_300)
        for id in ids {
            let characters = Array(id.uuidString)
            #expect(characters[14] == "4")
            #expect("89AB".contains(characters[19]))
        }
    }
}
