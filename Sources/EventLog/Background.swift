import Foundation

/// Work started on a thread of its own (a kept one, `WorkerThreads`) when made, and waited for later (`wait`: its value, or its error): what may run
/// beside the caller's next step — the next batch of a bulk fold read and decoded (`BatchPrefetch`), a replay's flush
/// to the disk beside its digests.
final class Background<Value>: @unchecked Sendable {
    // @unchecked Sendable: `work` is touched by the one thread `init` starts; `result` only under `lock`; `finished`
    // only by the one thread that waits.
    private var work: (@Sendable () throws -> Value)?
    private let lock = NSCondition()
    private var result: Result<Value, any Error>?
    private let done = DispatchSemaphore(value: 0)
    private var finished = false

    /// Starts `work` on a kept thread (`WorkerThreads`).
    init(_ work: @escaping @Sendable () throws -> Value) {
        self.work = work
        WorkerThreads.shared.run { [self] in
            let ended = Result { try self.work!() }
            // Let go of what `work` holds (a store, say) before signalling: the store may be closed as soon as its
            // caller returns, and reopening its folder at once is refused while this process still holds it.
            self.work = nil
            lock.withLock {
                result = ended
                lock.broadcast()
            }
            done.signal()
        }
    }

    /// Waits for the work to end: its value, or its error (every call, from the one thread that waits).
    func wait() throws -> Value {
        if !finished {
            done.wait()
            finished = true
        }
        return try lock.withLock { result! }.get()
    }

    /// Waits for the work to end, from any thread besides the one that calls `wait()`: its value, nil when it failed.
    func valueWhenEnded() -> Value? {
        lock.withLock {
            while result == nil { lock.wait() }
            return try? result?.get()
        }
    }
}

extension EventStore {
    /// The read-model digests of a replay just folded (`readModelDigests(known:)`), with its file flushed to the disk
    /// at the same time (`Environment.sync()` on a thread of its own: the digests only read). Flushed after them, the
    /// pages written without fsync were the replay's last wait: 40 ms of a 1M replay's 1 s, the file being 102 MB.
    /// Returns once both are done; throws the first failure.
    func digestsWhileFlushing(known: [String: ReadModelDigest]) throws -> [ReadModelDigest] {
        let flushing = Background<Void> { [environment] in try environment.sync() }
        let digests: [ReadModelDigest]
        do {
            digests = try readModelDigests(known: known)
        } catch {
            try? flushing.wait()
            throw error
        }
        try flushing.wait()
        return digests
    }
}
