import Foundation
import ReadModelKit
import Testing

/// `AdaptiveLock`: one thread at a time in its critical sections, however many threads contend for it.
@Suite struct AdaptiveLockTests {
    /// A counter bumped by read, then write, with a yield between: without mutual exclusion threads overwrite each other's
    /// bumps and the total comes out short.
    final class Counter: @unchecked Sendable {
        var value = 0
    }

    @Test func threadsTakeTurnsInTheCriticalSection() {
        let lock = AdaptiveLock()
        let counter = Counter()
        let (threads, rounds) = (8, 2_000)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<rounds {
                lock.withLock {
                    let seen = counter.value
                    if seen % 64 == 0 { sched_yield() }
                    counter.value = seen + 1
                }
            }
        }
        #expect(counter.value == threads * rounds)
    }

    @Test func aThrowingBodyLeavesTheLockFree() throws {
        struct Refused: Error {}
        let lock = AdaptiveLock()
        #expect(throws: Refused.self) { try lock.withLock { throw Refused() } }
        // Taken again at once: a lock left held would block here for ever.
        #expect(lock.withLock { 42 } == 42)
    }
}
