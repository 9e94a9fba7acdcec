import Dispatch

/// The application from async code (a server): the blocking API runs on threads of its own, never on Swift's
/// cooperative pool, whose few threads must not wait on disk, fsync or a retry's pause.
extension DocketApplication {
    /// Where blocking calls run: a concurrent queue, so slow commands do not hold up others (LMDB serialises the
    /// writers itself).
    static let blockingQueue: DispatchQueue = {
        let queue = DispatchQueue(label: "docket.application.blocking", qos: .userInitiated, attributes: .concurrent)
        queue.setSpecific(key: blockingQueueKey, value: true)
        return queue
    }()
    private static let blockingQueueKey = DispatchSpecificKey<Bool>()

    /// Whether the caller runs on the blocking queue (what ``run(_:)`` promises; checked by the tests).
    static var isOnBlockingQueue: Bool { DispatchQueue.getSpecific(key: blockingQueueKey) == true }

    /// Runs `body` with the application on a thread off the cooperative pool and returns its result (or rethrows
    /// its error), e.g. `try await app.run { try $0.tickets.openTicket(intake, as: login) }`.
    public func run<T: Sendable>(_ body: @escaping @Sendable (DocketApplication) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.blockingQueue.async { continuation.resume(with: Result { try body(self) }) }
        }
    }

    /// Opens the store at `path` off the cooperative pool (see ``open(_:clock:configuration:warnings:)``).
    public static func open(
        _ path: String, clock: any WallClock, configuration: DocketConfiguration = DocketConfiguration(),
        warnings: (@Sendable (String) -> Void)? = nil
    ) async throws -> DocketApplication {
        try await withCheckedThrowingContinuation { continuation in
            blockingQueue.async {
                continuation.resume(with: Result { try open(path, clock: clock, configuration: configuration, warnings: warnings) })
            }
        }
    }
}
