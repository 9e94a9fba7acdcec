import Foundation

/// Threads kept for the bulk paths' work beside the caller — a bulk fold's tasks (`TaskThread`), the next batch read
/// ahead (`BatchPrefetch`), a flush beside the digests (`Background`) — instead of a new thread for each: a 1M rebuild
/// started and ended two or more threads for every batch of 10,000 events, and each ending cost ~1.6M instructions
/// (the allocator giving back the thread's heap, Foundation's thread-local destructors) besides the start, and the
/// next thread began with a cold heap and its own record-name table (`RecordNames`) to fill again.
///
/// A job runs on an idle kept thread, or on a new one when none is idle; the thread is kept once the job returns.
/// There are never more threads than jobs were ever running at once (two or three for a fold), each with an 8 MiB
/// stack (the decoders recurse), idle ones blocked on a semaphore until the process ends.
final class WorkerThreads: @unchecked Sendable {
    // @unchecked Sendable: `idle` is only touched under `lock`.
    /// The threads of this process.
    static let shared = WorkerThreads()

    private let lock = NSLock()
    private var idle: [Worker] = []

    /// Runs `job` on a kept thread. What `job` captures is let go of when it returns, before the thread waits for
    /// another.
    func run(_ job: @escaping @Sendable () -> Void) {
        if let worker = lock.withLock({ idle.popLast() }) {
            worker.give(job)
        } else {
            Worker.start(job, keptBy: self)
        }
    }

    /// How many kept threads wait for a job now.
    var idleCount: Int { lock.withLock { idle.count } }

    /// Called by a worker whose job returned: it waits for the next one.
    fileprivate func rest(_ worker: Worker) { lock.withLock { idle.append(worker) } }

    /// One kept thread and the job handed to it.
    fileprivate final class Worker: @unchecked Sendable {
        // @unchecked Sendable: `job` is set by `give` before `wake` is signalled and read by the worker's thread after
        // it waited on `wake` (or set before the thread starts): never touched by two threads at once.
        private var job: (@Sendable () -> Void)?
        private let wake = DispatchSemaphore(value: 0)

        static func start(_ job: @escaping @Sendable () -> Void, keptBy pool: WorkerThreads) {
            let worker = Worker()
            worker.job = job
            let thread = Thread { worker.serve(pool) }
            thread.stackSize = 8 << 20
            thread.start()
        }

        func give(_ job: @escaping @Sendable () -> Void) {
            self.job = job
            wake.signal()
        }

        private func serve(_ pool: WorkerThreads) {
            while true {
                runJob()
                pool.rest(self)
                wake.wait()
            }
        }

        /// Runs the job handed over and lets go of it (and of what it captured) before returning.
        private func runJob() {
            guard let current = job else { return }
            job = nil
            current()
        }
    }
}
