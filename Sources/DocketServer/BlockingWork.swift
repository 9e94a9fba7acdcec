import Dispatch

/// Runs blocking work (LMDB transactions, fsyncs, the CLI's synchronous commands) on Dispatch's threads, never on
/// Swift's cooperative pool, and awaits its result.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "docket.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
