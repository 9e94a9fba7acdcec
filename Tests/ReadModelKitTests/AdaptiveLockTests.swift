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

/// `AdaptiveLocks`: each of its mutexes lets one thread at a time into its critical sections, independently of the
/// others, and each sits on a cache line of its own.
@Suite struct AdaptiveLocksTests {
    @Test func eachMutexGuardsItsOwnStripe() {
        let locks = AdaptiveLocks(count: 4)
        let counters = (0..<4).map { _ in AdaptiveLockTests.Counter() }
        let (threads, rounds) = (8, 2_000)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for round in 0..<rounds {
                let stripe = (thread + round) % 4
                locks.withLock(stripe) {
                    let seen = counters[stripe].value
                    if seen % 64 == 0 { sched_yield() }
                    counters[stripe].value = seen + 1
                }
            }
        }
        #expect(counters.map(\.value).reduce(0, +) == threads * rounds)
        #expect(counters.allSatisfy { $0.value == threads * rounds / 4 })
    }

    @Test func aThrowingBodyLeavesItsMutexFree() throws {
        struct Refused: Error {}
        let locks = AdaptiveLocks(count: 2)
        #expect(throws: Refused.self) { try locks.withLock(1) { throw Refused() } }
        #expect(locks.withLock(1) { 7 } == 7)
        #expect(locks.withLock(0) { 8 } == 8)
    }
}
