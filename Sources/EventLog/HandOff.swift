import Foundation

/// The two stages of a bulk write on two threads, so that reading and checking the next batch overlaps writing and
/// flushing this one (the disk's wait leaves the processor idle otherwise): `produce` reads its input and hands each
/// batch to `emit`, on a thread of its own; `consume` writes each batch, in order, on the calling thread — the one that
/// holds the write transactions. At most `depth` batches wait between the two, so memory stays bounded (the batch
/// being read, those waiting, the batch being written).
///
/// A failure ends both: when `produce` throws, `consume` gets no batch after it (those waiting are dropped) and `run`
/// throws that error once the batch being written is done; when `consume` throws, `produce` is stopped at its next
/// `emit` (which throws `Stopped`) and `run` throws the consumer's error. `run` returns only when the producing thread
/// has ended, so `produce` may use what the caller lent it.
public enum HandOff {
    /// What `emit` throws once the consumer has failed: the producer should stop.
    public struct Stopped: Error {}

    /// Runs `produce` on a thread of its own and `consume` on this one, each batch `produce` emits consumed in order.
    public static func run<Batch>(
        depth: Int = 1, produce: (_ emit: (Batch) throws -> Void) throws -> Void, consume: (Batch) throws -> Void
    ) throws {
        let channel = Channel<Batch>(depth: max(1, depth))
        try withoutActuallyEscaping(produce) { produce in
            let producer = Producer(produce: produce, channel: channel)
            producer.start()
            do {
                while let batch = try channel.take() { try consume(batch) }
            } catch {
                channel.stop()
                producer.wait()
                throw error
            }
            producer.wait()
        }
    }

    /// The batches handed over, guarded by one condition.
    private final class Channel<Batch>: @unchecked Sendable {
        // @unchecked Sendable: every stored property is read and written only while `condition` is locked.
        private let condition = NSCondition()
        private let depth: Int
        private var waiting: [Batch] = []
        private var ended = false
        private var failure: (any Error)?
        private var stopped = false

        init(depth: Int) { self.depth = depth }

        /// Hands `batch` over, waiting while `depth` batches wait; throws `Stopped` once the consumer has failed.
        func put(_ batch: Batch) throws {
            condition.lock()
            defer { condition.unlock() }
            while waiting.count >= depth && !stopped { condition.wait() }
            if stopped { throw Stopped() }
            waiting.append(batch)
            condition.broadcast()
        }

        /// The producer has ended, with `failure` or not.
        func end(_ failure: (any Error)?) {
            condition.lock()
            defer { condition.unlock() }
            (ended, self.failure) = (true, failure)
            condition.broadcast()
        }

        /// The next batch; nil after the last; the producer's failure as soon as there is one.
        func take() throws -> Batch? {
            condition.lock()
            defer { condition.unlock() }
            while waiting.isEmpty && !ended { condition.wait() }
            if let failure { throw failure }
            guard !waiting.isEmpty else { return nil }
            condition.broadcast()
            return waiting.removeFirst()
        }

        /// The consumer has failed: the producer stops at its next `put`.
        func stop() {
            condition.lock()
            defer { condition.unlock() }
            stopped = true
            waiting.removeAll()
            condition.broadcast()
        }
    }

    /// The thread that runs `produce`.
    private final class Producer<Batch>: @unchecked Sendable {
        // @unchecked Sendable: `produce` is run and let go by the one thread `start` makes, and `run` waits for that
        // (`wait`) before the closure it was lent stops being valid; `channel` guards itself.
        private var produce: ((_ emit: (Batch) throws -> Void) throws -> Void)?
        private let channel: Channel<Batch>
        private let done = DispatchSemaphore(value: 0)

        init(produce: @escaping (_ emit: (Batch) throws -> Void) throws -> Void, channel: Channel<Batch>) {
            (self.produce, self.channel) = (produce, channel)
        }

        func start() {
            let thread = Thread { [self] in
                do {
                    try produce?({ try channel.put($0) })
                    channel.end(nil)
                } catch {
                    channel.end(error)
                }
                // Let go of the lent closure before `run` may return (`withoutActuallyEscaping` checks that none is left).
                produce = nil
                done.signal()
            }
            // The JSON readers recurse; a thread gets the main thread's usual stack, not a small default.
            thread.stackSize = 8 << 20
            thread.start()
        }

        func wait() { done.wait() }
    }
}
