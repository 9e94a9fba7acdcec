import DocketApp
import Foundation
import NIOCore

/// Where a request's blocking work (LMDB, fsync, a CLI command) runs, and how much of it may wait. A burst of 300
/// connections left a plain GET unanswered for about a minute: every request's work went round-robin onto the same
/// lanes, where a read waited behind writes waiting for their group commit, nothing bounded the work waiting, and
/// requests whose clients had given up were still worked, one after the other.
/// - Reads (the JSON reads, identifying the caller, readiness, metrics) run on threads of their own, taken in arrival
///   order from one queue: never behind a write.
/// - Writes (and `POST /v1/cli`, whose command may write) run on the application's blocking lanes, where the group
///   commit gathers them.
/// - At most ``limits`` requests of each kind are taken at once (``admitted(_:_:)``, from the request's arrival to its
///   answer); another one is answered `503` with `Retry-After` at once (``Problem/busy(_:retryAfter:)``), before even
///   its caller is identified, nothing of it run: a client that gave up and sent its request again could otherwise
///   grow the queue without end, and each request waits less.
/// - Work whose client has closed its connection by the time its turn comes is not run (``ClientGone``): nobody
///   would read the answer, and a client that retries sends its command id again.
final class RequestWork: @unchecked Sendable {
    // @unchecked Sendable: `waiting`, `reads` and `readHead` are only touched while holding `lock`.

    /// What a request's work does to the store.
    enum Kind: Sendable {
        case read, write
    }

    /// The most requests of each kind waiting or running at once.
    let limits: [Kind: Int]
    private let lock = NSCondition()
    private var waiting: [Kind: Int] = [.read: 0, .write: 0]
    private var reads: [@Sendable () -> Void] = []
    private var readHead = 0
    private let metrics: ServerMetrics?

    /// Work bounded at `reads` and `writes` requests waiting or running, reads on `readThreads` threads; refusals and
    /// dropped requests counted in `metrics`.
    init(reads: Int, writes: Int, readThreads: Int, metrics: ServerMetrics? = nil) {
        self.limits = [.read: max(1, reads), .write: max(1, writes)]
        self.metrics = metrics
        for index in 0..<max(1, readThreads) {
            let thread = Thread { [self] in serveReads() }
            thread.name = "docket-read-\(index)"
            thread.start()
        }
    }

    /// Answers a request of `kind` with `body` if fewer requests of that kind than its limit are taken; else throws a
    /// ``Problem`` (503, `Retry-After`) at once, `body` not run.
    func admitted<T>(_ kind: Kind, _ body: () async throws -> T) async throws -> T {
        try await admitted(kind, orElse: { throw $0 }, body)
    }

    /// Answers a request of `kind` with `body` if fewer requests of that kind than its limit are taken; else with
    /// `refused` given the 503 ``Problem`` (a portal page answers it as HTML), `body` not run.
    func admitted<T>(_ kind: Kind, orElse refused: (Problem) throws -> T, _ body: () async throws -> T) async throws -> T {
        guard admit(kind) else {
            metrics?.shed(kind == .read ? "busy-read" : "busy-write")
            let what = kind == .read ? "reads" : "writes"
            return try refused(Problem.busy("the server has \(limits[kind, default: 0]) \(what) under way; try again in a second", retryAfter: 1))
        }
        defer { release(kind) }
        return try await body()
    }

    /// Runs `work` as `kind` off the cooperative pool for a request on `channel` and returns its result, or throws
    /// ``ClientGone`` when the connection was closed before its turn came (the work is then not run).
    func run<T: Sendable>(_ kind: Kind, for channel: (any Channel)?, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(kind, whileConnected: { channel?.isActive ?? true }, work)
    }

    /// Runs `work` as `kind` (see ``run(_:for:_:)``), unless `isConnected` says no when its turn comes.
    func run<T: Sendable>(
        _ kind: Kind, whileConnected isConnected: @escaping @Sendable () -> Bool, _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        let metrics = metrics
        let guarded: @Sendable () throws -> T = {
            guard isConnected() else {
                metrics?.shed("client-gone")
                throw ClientGone()
            }
            return try work()
        }
        switch kind {
        case .write: return try await BlockingWork.run(guarded)
        case .read:
            return try await withCheckedThrowingContinuation { continuation in
                enqueueRead { continuation.resume(with: Result { try guarded() }) }
            }
        }
    }

    /// Whether one more request of `kind` is taken (and counts it).
    private func admit(_ kind: Kind) -> Bool {
        lock.withLock {
            guard waiting[kind, default: 0] < limits[kind, default: 0] else { return false }
            waiting[kind, default: 0] += 1
            return true
        }
    }

    private func release(_ kind: Kind) { lock.withLock { waiting[kind, default: 0] -= 1 } }

    private func enqueueRead(_ job: @escaping @Sendable () -> Void) {
        lock.withLock {
            reads.append(job)
            lock.signal()
        }
    }

    /// One read thread: takes the oldest read and runs it, for the life of the process.
    private func serveReads() {
        while true {
            let job = lock.withLock { () -> @Sendable () -> Void in
                while readHead == reads.count { lock.wait() }
                let job = reads[readHead]
                readHead += 1
                if readHead == reads.count {
                    reads.removeAll(keepingCapacity: true)
                    readHead = 0
                }
                return job
            }
            job()
        }
    }
}

/// The client closed its connection before its request's work began: the work was not run, and no answer is sent
/// (there is nobody to read it).
struct ClientGone: Error, CustomStringConvertible {
    var description: String { "the client closed its connection before its request ran; nothing was done" }
}
