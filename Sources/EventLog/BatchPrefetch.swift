import Foundation

/// The next batch of a bulk fold, read and decoded on a thread of its own while the writer folds, flushes and commits
/// the batch before it (the log's events do not change once committed, so a read transaction of its own reads the
/// same events the writer would). A catch-up or replay is at most one batch ahead.
final class BatchPrefetch: Sendable {
    /// The position of the batch's first event.
    let first: UInt64
    private let read: Background<[RecordedEvent]>

    /// Starts `read`, which reads the events from `first` on, on a thread of its own (`Background`).
    init(first: UInt64, _ read: @escaping @Sendable () throws -> [RecordedEvent]) {
        self.first = first
        self.read = Background(read)
    }

    /// Waits for the read to end: its events, or why it failed.
    func wait() throws -> [RecordedEvent] { try read.wait() }

    /// Waits for the read to end, from a thread besides the one that takes the batch (`take`): its events, nil when it
    /// failed.
    func eventsWhenRead() -> [RecordedEvent]? { read.valueWhenEnded() }

    /// The events of `ahead` when it read the batch from `first` on without failing, else nil (the caller reads the
    /// batch itself, and meets any failure there); `ahead` is waited for and emptied either way.
    static func take(_ ahead: inout BatchPrefetch?, first: UInt64) -> [RecordedEvent]? {
        guard let prefetch = ahead else { return nil }
        ahead = nil
        guard let events = try? prefetch.wait(), prefetch.first == first, !events.isEmpty else { return nil }
        return events
    }
}
