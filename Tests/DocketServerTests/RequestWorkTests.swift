@testable import DocketServer
import Foundation
import HTTPTypes
import Testing

/// The server's blocking work under a burst (``RequestWork``): a burst of 300 connections left a plain GET unanswered
/// for about a minute, queued behind writes on the same lanes, with nothing bounding the work waiting and requests
/// whose clients had given up still worked. Each test holds work on a gate it opens itself: no timing.
@Suite struct RequestWorkTests {
    /// Work that says when it started, then waits until the test opens the gate.
    final class Gate: Sendable {
        let started = DispatchSemaphore(value: 0)
        let opened = DispatchSemaphore(value: 0)

        /// Waits (off the cooperative pool) until the held work has started.
        func waitUntilStarted() async {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    self.started.wait()
                    continuation.resume()
                }
            }
        }
    }

    final class Flag: @unchecked Sendable {
        // @unchecked Sendable: set on one thread, read after the work it belongs to was refused or finished.
        var isSet = false
    }

    /// Takes a request of `kind` and runs `body` as its work.
    func request<T: Sendable>(_ work: RequestWork, _ kind: RequestWork.Kind, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await work.admitted(kind) { try await work.run(kind, whileConnected: { true }, body) }
    }

    /// When as many reads are under way as the limit, the next one is answered 503 with Retry-After at once, and
    /// nothing of it is run; once one finishes, reads are taken again.
    @Test func aFullQueueIsAnswered503WithRetryAfterAndNothingOfTheRequestRuns() async throws {
        let work = RequestWork(reads: 1, writes: 1, readThreads: 1)
        let gate = Gate()
        async let held: Int = request(work, .read) {
            gate.started.signal()
            gate.opened.wait()
            return 1
        }
        await gate.waitUntilStarted()
        let ran = Flag()
        do {
            try await work.admitted(.read) { ran.isSet = true }
            Issue.record("a read beyond the limit was taken")
        } catch let problem as Problem {
            #expect(problem.status == 503)
            #expect(problem.type == "urn:docket:problem:busy")
            #expect(problem.retryAfter == 1)
            #expect(problem.response().headers[.retryAfter] == "1")
            #expect(!String(decoding: try JSONEncoder().encode(problem), as: UTF8.self).contains("retryAfter"), "a header, not a field")
        }
        #expect(!ran.isSet)
        gate.opened.signal()
        #expect(try await held == 1)
        #expect(try await request(work, .read) { 2 } == 2)
    }

    /// A read is not refused or queued because of writes, nor a write because of reads: each kind has its own limit,
    /// and reads their own threads.
    @Test func readsAndWritesDoNotWaitForEachOther() async throws {
        let work = RequestWork(reads: 1, writes: 1, readThreads: 1)
        let write = Gate()
        async let heldWrite: Int = request(work, .write) {
            write.started.signal()
            write.opened.wait()
            return 1
        }
        await write.waitUntilStarted()
        #expect(try await request(work, .read) { 2 } == 2, "the read ran while the write was held")
        let read = Gate()
        async let heldRead: Int = request(work, .read) {
            read.started.signal()
            read.opened.wait()
            return 3
        }
        await read.waitUntilStarted()
        write.opened.signal()
        #expect(try await heldWrite == 1)
        #expect(try await request(work, .write) { 4 } == 4, "the write ran while a read was held")
        read.opened.signal()
        #expect(try await heldRead == 3)
    }

    /// A request whose client closed its connection while its work waited is not worked when its turn comes; one whose
    /// client is still there is.
    @Test func workOfAClientThatLeftWhileItWaitedIsNotRun() async throws {
        let work = RequestWork(reads: 4, writes: 4, readThreads: 1)
        let gate = Gate()
        async let held: Int = work.run(.read, whileConnected: { true }) {
            gate.started.signal()
            gate.opened.wait()
            return 1
        }
        await gate.waitUntilStarted()
        // Behind the held read, on the one read thread: one client stays, the other leaves before its turn.
        let connected = Flag()
        connected.isSet = true
        let (ranStaying, ranLeaving) = (Flag(), Flag())
        async let staying: Int = work.run(.read, whileConnected: { true }) {
            ranStaying.isSet = true
            return 2
        }
        let leaving = Task { try await work.run(.read, whileConnected: { connected.isSet }) { ranLeaving.isSet = true } }
        connected.isSet = false
        gate.opened.signal()
        #expect(try await held == 1)
        #expect(try await staying == 2)
        await #expect(throws: ClientGone.self) { try await leaving.value }
        #expect(ranStaying.isSet)
        #expect(!ranLeaving.isSet)
        // A write is checked the same way when its lane takes it.
        let ranWrite = Flag()
        await #expect(throws: ClientGone.self) { try await work.run(.write, whileConnected: { false }) { ranWrite.isSet = true } }
        #expect(!ranWrite.isSet)
    }
}
