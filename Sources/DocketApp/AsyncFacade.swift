import Dispatch
import Foundation

/// The application from async code (a server): the blocking API runs on threads of its own, never on Swift's
/// cooperative pool, whose few threads must not wait on disk, fsync or a retry's pause.
extension DocketApplication {
    /// Where blocking calls run: serial queues ("lanes") taken in turn, each served by a thread of its own. Not one
    /// concurrent queue: libdispatch on Linux cannot see a thread blocked on fsync or on a group commit, and gives a
    /// concurrent queue only as many threads as there are cores, so on a 2-core server two commands would decide at
    /// once and the group commit could never gather more than that. Up to ``laneCount`` calls wait at once.
    static let lanes: [DispatchQueue] = (0..<laneCount).map { index in
        let queue = DispatchQueue(label: "docket.application.blocking.\(index)", qos: .userInitiated)
        queue.setSpecific(key: blockingQueueKey, value: true)
        return queue
    }
    /// How many blocking calls can wait at once (a group commit gathers at most this many commands).
    public static let laneCount = 128
    private static let blockingQueueKey = DispatchSpecificKey<Bool>()
    private static let nextLane = LaneCounter()

    /// Whether the caller runs on a blocking lane (what ``run(_:)`` promises; checked by the tests).
    static var isOnBlockingQueue: Bool { DispatchQueue.getSpecific(key: blockingQueueKey) == true }

    /// Runs `body` with the application on a thread off the cooperative pool and returns its result (or rethrows
    /// its error), e.g. `try await app.run { try $0.tickets.openTicket(intake, as: login) }`.
    public func run<T: Sendable>(_ body: @escaping @Sendable (DocketApplication) throws -> T) async throws -> T {
        try await Self.blocking { try body(self) }
    }

    /// Runs blocking `work` (LMDB, fsync, a command) on a lane off the cooperative pool and returns its result.
    public static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Puts `work` on the next lane.
    static func enqueue(_ work: @escaping @Sendable () -> Void) {
        lanes[nextLane.next() % laneCount].async(execute: work)
    }

    /// Opens the store at `path` off the cooperative pool (see ``open(_:clock:configuration:warnings:)``).
    public static func open(
        _ path: String, clock: any WallClock, configuration: DocketConfiguration = DocketConfiguration(),
        warnings: (@Sendable (String) -> Void)? = nil
    ) async throws -> DocketApplication {
        try await blocking { try open(path, clock: clock, configuration: configuration, warnings: warnings) }
    }
}

/// Hands out lane numbers in turn.
private final class LaneCounter: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value &+= 1
            return value & Int.max
        }
    }
}
