import EventLog
import Foundation

/// A clock a test moves by hand.
public final class ManualClock: WallClock, @unchecked Sendable {
    // @unchecked Sendable: tests drive it from one task; the lock guards the rare concurrent read.
    private let lock = NSLock()
    private var current: Timestamp

    public init(_ start: String = "2026-11-02T09:00:00Z") {
        current = Timestamp(iso8601: start) ?? Timestamp(millisecondsSinceEpoch: 0)
    }

    public func now() -> Timestamp { lock.withLock { current } }

    /// Moves the clock by `milliseconds` (negative moves it back).
    public func advance(milliseconds: Int64) {
        lock.withLock { current = Timestamp(millisecondsSinceEpoch: current.millisecondsSinceEpoch + milliseconds) }
    }
}

/// A small event for tests: `{"n":N}`.
public func sampleEvent(_ n: Int, type: String = "test.happened") -> NewEvent {
    NewEvent(type: type, payload: Array("{\"n\":\(n)}".utf8))
}

/// An append of `count` sample events to `stream`.
public func sampleAppend(
    _ stream: String, count: Int = 1, expected: ExpectedVersion = .any, commandId: String? = nil, actor: String = "ann"
) -> AppendRequest {
    AppendRequest(
        stream: stream, expectedVersion: expected, events: (0..<count).map { sampleEvent($0) }, commandId: commandId,
        actor: actor)
}
