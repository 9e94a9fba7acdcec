import Foundation

/// Work started on a thread of its own when made, and waited for later (`wait`, which throws the work's error): what
/// may run beside the caller's next step, such as a replay's flush to the disk beside its digests.
final class Background: @unchecked Sendable {
    // @unchecked Sendable: `work` and `failure` are touched by the one thread `init` starts until it signals `done`,
    // and by the maker only after `wait()` has seen that signal.
    private var work: (@Sendable () throws -> Void)?
    private var failure: (any Error)?
    private let done = DispatchSemaphore(value: 0)
    private var finished = false

    init(_ work: @escaping @Sendable () throws -> Void) {
        self.work = work
        let thread = Thread { [self] in
            do { try self.work?() } catch { failure = error }
            self.work = nil
            done.signal()
        }
        thread.start()
    }

    /// Waits for the work to end; throws its error.
    func wait() throws {
        if !finished {
            done.wait()
            finished = true
        }
        if let failure { throw failure }
    }
}

extension EventStore {
    /// The read-model digests of a replay just folded (`readModelDigests(known:)`), with its file flushed to the disk
    /// at the same time (`Environment.sync()` on a thread of its own: the digests only read). Flushed after them, the
    /// pages written without fsync were the replay's last wait: 40 ms of a 1M replay's 1 s, the file being 102 MB.
    /// Returns once both are done; throws the first failure.
    func digestsWhileFlushing(known: [String: ReadModelDigest]) throws -> [ReadModelDigest] {
        let flushing = Background { [environment] in try environment.sync() }
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
