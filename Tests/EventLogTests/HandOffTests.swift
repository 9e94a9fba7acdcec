import EventLog
import Foundation
import Testing

/// `HandOff`: the two stages of a bulk write (import, bulk append) on two threads.
@Suite struct HandOffTests {
    struct Refused: Error, Equatable { let batch: Int }

    /// Every batch reaches the consumer, in order, on the calling thread, with no more than `depth` waiting.
    @Test(arguments: [1, 3])
    func everyBatchIsConsumedInOrderOnTheCallingThread(depth: Int) throws {
        let caller = Thread.current
        let ahead = Counter()
        var consumed: [Int] = []
        try HandOff.run(depth: depth) { emit in
            #expect(Thread.current != caller)
            for n in 0..<200 {
                try emit(n)
                ahead.add(1)
            }
        } consume: { batch in
            #expect(Thread.current == caller)
            // Emitted and not yet consumed: those waiting plus the one `emit` may be about to hand over.
            #expect(ahead.value - consumed.count <= depth + 1)
            consumed.append(batch)
            if batch.isMultiple(of: 17) { usleep(500) }
        }
        #expect(consumed == Array(0..<200))
    }

    /// A producer's failure reaches the caller, and no batch after it is consumed.
    @Test func aProducersFailureEndsTheRun() throws {
        var consumed: [Int] = []
        let failure = try #require(throws: Refused.self) {
            try HandOff.run { emit in
                for n in 0..<10 { try emit(n) }
                throw Refused(batch: 10)
            } consume: { batch in
                consumed.append(batch)
            }
        }
        #expect(failure == Refused(batch: 10))
        #expect(consumed == Array(consumed.indices), "in order, and only batches before the failure")
        #expect(consumed.count <= 10)
    }

    /// A consumer's failure stops the producer at its next hand-over, and is what the caller gets.
    @Test func aConsumersFailureStopsTheProducer() throws {
        let emitted = Counter()
        let stopped = Counter()
        let failure = try #require(throws: Refused.self) {
            try HandOff.run { emit in
                do {
                    for n in 0..<1_000 {
                        try emit(n)
                        emitted.add(1)
                    }
                } catch let stop as HandOff.Stopped {
                    stopped.add(1)
                    throw stop
                }
            } consume: { (batch: Int) in
                if batch == 5 { throw Refused(batch: 5) }
            }
        }
        #expect(failure == Refused(batch: 5))
        #expect(stopped.value == 1)
        #expect(emitted.value < 1_000)
    }

    final class Counter: @unchecked Sendable {
        // @unchecked Sendable: `count` is touched only under `lock`.
        private let lock = NSLock()
        private var count = 0
        func add(_ n: Int) { lock.withLock { count += n } }
        var value: Int { lock.withLock { count } }
    }
}
