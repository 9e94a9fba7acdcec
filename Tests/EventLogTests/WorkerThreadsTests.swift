@testable import EventLog
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `WorkerThreads`: the bulk paths' threads, kept from one job to the next instead of one started and ended per batch.
@Suite struct WorkerThreadsTests {
    /// A job run once the one before has returned runs on the same thread: no new thread is started.
    @Test func aThreadIsKeptForTheNextJob() throws {
        let pool = WorkerThreads()
        let first = Recorder()
        pool.run { first.record() }
        try waitUntil { pool.idleCount == 1 }
        let second = Recorder()
        pool.run { second.record() }
        try waitUntil { pool.idleCount == 1 && second.thread != nil }
        #expect(first.thread != nil)
        #expect(second.thread == first.thread)
    }

    /// Jobs that run at the same time each get a thread (one waits for the other here: on one thread, neither would end).
    @Test func jobsRunningAtOnceGetAThreadEach() throws {
        let pool = WorkerThreads()
        let released = DispatchSemaphore(value: 0)
        let (first, second) = (Recorder(), Recorder())
        pool.run {
            released.wait()
            first.record()
        }
        pool.run {
            second.record()
            released.signal()
        }
        try waitUntil { pool.idleCount == 2 }
        #expect(first.thread != nil && second.thread != nil)
        #expect(first.thread != second.thread)
    }

    /// What a job captured is let go of once it returns, not kept while its thread waits for the next job (a fold's
    /// batch of events, a store that must close).
    @Test func whatAJobCapturedIsLetGoOfWhenItReturns() throws {
        let pool = WorkerThreads()
        weak var captured: Recorder?
        do {
            let recorder = Recorder()
            captured = recorder
            pool.run { recorder.record() }
        }
        try waitUntil { pool.idleCount == 1 }
        #expect(captured == nil)
    }

    /// Polls `condition` for up to 10 seconds.
    private func waitUntil(_ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while !condition() {
            guard Date() < deadline else { throw TimedOut() }
            usleep(1_000)
        }
    }

    struct TimedOut: Error {}

    /// The thread a job ran on.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var ranOn: pthread_t?
        var thread: pthread_t? { lock.withLock { ranOn } }
        func record() { lock.withLock { ranOn = pthread_self() } }
    }
}
