import EventLog
import Foundation
import TestSupport
import Testing

/// Group commit (issue 12 §5): many commands in one durable transaction, each with its own expected version and
/// command id, a refused one undone alone.
@Suite struct GroupCommitTests {
    let folder = TemporaryFolder()

    @Test func aRefusedCommandDoesNotFailItsNeighbours() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("ticket-T-2", count: 2))
        let outcomes = try store.append(groups: [
            [sampleAppend("ticket-T-1", expected: .noStream, commandId: "c-1")],
            [sampleAppend("ticket-T-2", expected: .exact(1), commandId: "c-2")],  // stale: T-2 is at 2
            [sampleAppend("ticket-T-3", count: 2, expected: .noStream), sampleAppend("ticket-T-2", expected: .exact(2))],
            [sampleAppend("ticket-T-4", expected: .noStream, commandId: "c-1")],  // c-1 was used for T-1 just above
        ])
        #expect(outcomes.count == 4)
        #expect(try outcomes[0].get().map(\.positions) == [3...3])
        #expect(throws: WrongExpectedVersion.self) { try outcomes[1].get() }
        #expect(try outcomes[2].get().map(\.positions) == [4...5, 6...6])
        #expect(throws: EventLogError.self) { try outcomes[3].get() }
        #expect(try store.head().position == 6)
        #expect(try store.version(of: "ticket-T-4") == 0)
        #expect(try store.result(ofCommand: "c-2") == nil, "the refused command's id is not recorded")
        #expect(try store.verify().isClean)
    }

    @Test func concurrentAppendsShareTransactionsAndAllLand() throws {
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        store.enableGroupCommit()
        let threads = 16
        let perThread = 20
        let failures = Failures()
        let group = DispatchGroup()
        for thread in 0..<threads {
            group.enter()
            Thread {
                for n in 0..<perThread {
                    do {
                        try store.append([
                            sampleAppend("ticket-T-\(thread)", expected: n == 0 ? .noStream : .exact(UInt64(n)), commandId: "t\(thread)-\(n)")
                        ])
                    } catch {
                        failures.add("\(error)")
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        #expect(try store.head().position == UInt64(threads * perThread))
        let counts = store.groupCommitCounts
        #expect(counts.commands == threads * perThread)
        #expect(counts.transactions < counts.commands, "some commands shared a transaction (\(counts))")
        #expect(try store.verify().isClean)
        // A retried command id still answers from the first attempt through the group.
        let retry = try store.append([sampleAppend("ticket-T-0", expected: .exact(1), commandId: "t0-0")])
        #expect(retry.first?.isRetry == true)
    }
}

private final class Failures: @unchecked Sendable {
    // @unchecked Sendable: `items` is only touched while holding `lock`.
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
