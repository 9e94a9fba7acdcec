import Foundation

/// The next batch of a bulk fold, read and decoded on a thread of its own while the writer folds, flushes and commits
/// the batch before it (the log's events do not change once committed, so a read transaction of its own reads the
/// same events the writer would). A catch-up or replay is at most one batch ahead.
final class BatchPrefetch: @unchecked Sendable {
    // @unchecked Sendable: `read` and `result` are touched by the one thread `init` starts until it signals `done`, and
    // by the maker only after `wait()` has seen that signal.

    /// The position of the batch's first event.
    let first: UInt64
    private var read: (@Sendable () throws -> [RecordedEvent])?
    private var result: Result<[RecordedEvent], any Error> = .success([])
    private let done = DispatchSemaphore(value: 0)
    private var finished = false

    /// Starts `read`, which reads the events from `first` on, on a new thread.
    init(first: UInt64, _ read: @escaping @Sendable () throws -> [RecordedEvent]) {
        self.first = first
        self.read = read
        let thread = Thread { [self] in
            result = Result { try self.read?() ?? [] }
            // Let go of what `read` holds (the store) before signalling: the store may be closed as soon as its
            // caller returns, and reopening its folder at once is refused while this process still holds it.
            self.read = nil
            done.signal()
        }
        // The record decoder does not recurse, but a thread's default stack is small.
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the read to end: its events, or why it failed.
    func wait() throws -> [RecordedEvent] {
        if !finished {
            done.wait()
            finished = true
        }
        return try result.get()
    }

    /// The events of `ahead` when it read the batch from `first` on without failing, else nil (the caller reads the
    /// batch itself, and meets any failure there); `ahead` is waited for and emptied either way.
    static func take(_ ahead: inout BatchPrefetch?, first: UInt64) -> [RecordedEvent]? {
        guard let prefetch = ahead else { return nil }
        ahead = nil
        guard let events = try? prefetch.wait(), prefetch.first == first, !events.isEmpty else { return nil }
        return events
    }
}
