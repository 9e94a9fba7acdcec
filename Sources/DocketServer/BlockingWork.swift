import DocketApp

/// Runs blocking work (LMDB transactions, fsyncs, the CLI's synchronous commands) off Swift's cooperative pool, on
/// the application's blocking lanes (``DocketApplication/blocking(_:)``), and awaits its result.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await DocketApplication.blocking(work)
    }
}
