import Foundation
import LMDB

extension EventStore {
    /// Appends each group of requests (one command's appends) in one durable transaction, each group in a nested
    /// transaction: a group that is refused (a stale expected version, a reused command id, an invalid event) is
    /// undone alone and gets its error; the others are written. Read models follow in the same transaction.
    public func append(groups: [[AppendRequest]]) throws -> [Result<[AppendResult], any Error>] {
        try requireNoRollbackSuspicion()
        try requireWritable()
        let invalid: [(any Error)?] = groups.map { group in
            do {
                for request in group { try validate(request) }
                return nil
            } catch {
                return error
            }
        }
        let now = clock.now()
        let (outcomes, head, wrote) = try environment.write { txn in
            var writer = try LogWriter(txn: txn, db: db)
            let firstNew = writer.head.position + 1
            var outcomes: [Result<[AppendResult], any Error>] = []
            for (group, problem) in zip(groups, invalid) {
                if let problem {
                    outcomes.append(.failure(problem))
                    continue
                }
                let before = writer
                do {
                    let results = try txn.nested { child in try group.map { try writer.append($0, now: now, txn: child) } }
                    outcomes.append(.success(results))
                } catch let full as LMDBError where full.code == .mapFull {
                    throw full  // the whole transaction grows the map and runs again
                } catch {
                    writer = before
                    outcomes.append(.failure(error))
                }
            }
            try writer.finish(txn: txn)
            // The events as written (a failed group's went with its nested transaction), not read back from the log.
            try applyProjections(from: firstNew, to: writer.head.position, txn: txn, decoded: (writer.appended, nil))
            return (outcomes, writer.head, writer.head.position >= firstNew)
        }
        if wrote { recordAnchor(head) }
        return outcomes
    }

    /// From now on, appends made concurrently from several threads are committed together (see ``GroupCommit``).
    /// `docket serve` turns it on; a one-command process gains nothing from it.
    public func enableGroupCommit() { groupCommit.enable() }

    /// How many commands and transactions the group commit has written.
    public var groupCommitCounts: (commands: Int, transactions: Int) { groupCommit.counts }
}

/// Group commit: threads appending at the same time wait in line; one of them (the leader) writes everything
/// waiting in one durable transaction (``EventStore/append(groups:)``), hands the lead to the next waiter, and
/// wakes the others with their own outcome. One fsync serves many commands; each keeps its own expected versions
/// and command id.
final class GroupCommit: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is touched only while holding `lock`, or (a waiter's outcome)
    // before the semaphore that publishes it is signalled.
    private let lock = NSLock()
    private var enabled = false
    private var leading = false
    private var waiting: [Waiter] = []
    private var commands = 0
    private var transactions = 0

    private final class Waiter: @unchecked Sendable {
        // @unchecked Sendable: `outcome` is written by the leader before `wake` is signalled, read after the wait.
        let requests: [AppendRequest]
        var outcome: Result<[AppendResult], any Error>?
        let wake = DispatchSemaphore(value: 0)

        init(_ requests: [AppendRequest]) { self.requests = requests }
    }

    func enable() { lock.withLock { enabled = true } }
    var isEnabled: Bool { lock.withLock { enabled } }
    var counts: (commands: Int, transactions: Int) { lock.withLock { (commands, transactions) } }

    /// Appends `requests` (one command's appends, all or nothing) together with whatever else is waiting.
    @available(*, noasync, message: "blocks until the group is durable")
    func append(_ requests: [AppendRequest], to store: EventStore) throws -> [AppendResult] {
        let me = Waiter(requests)
        let leadNow = lock.withLock { () -> Bool in
            waiting.append(me)
            if leading { return false }
            leading = true
            return true
        }
        if !leadNow { me.wake.wait() }
        if me.outcome == nil { lead(store) }
        guard let outcome = me.outcome else { throw EventLogError(.invalidEvent, "internal: a group commit left a command unanswered") }
        return try outcome.get()
    }

    /// Writes every waiter in one transaction, passes the lead on, and wakes them.
    private func lead(_ store: EventStore) {
        let batch = lock.withLock { () -> [Waiter] in
            defer { waiting = [] }
            return waiting
        }
        let outcomes: [Result<[AppendResult], any Error>]
        do {
            outcomes = try store.append(groups: batch.map(\.requests))
        } catch {
            outcomes = batch.map { _ in .failure(error) }
        }
        for (waiter, outcome) in zip(batch, outcomes) { waiter.outcome = outcome }
        let next = lock.withLock { () -> Waiter? in
            commands += batch.count
            transactions += 1
            // The first of those who came during the write leads next (woken with no outcome).
            guard let next = waiting.first else {
                leading = false
                return nil
            }
            return next
        }
        for waiter in batch { waiter.wake.signal() }
        next?.wake.signal()
    }
}
