import Foundation
import Logging
import ServiceLifecycle

/// Work `docket serve` does by itself, on its own clock, beside its listeners (`serve --tick-every`, `--send-every`):
/// a team on the server needs no cron for `docket tick` and `docket outbox send`.
public struct ServerRoutine: Sendable {
    /// What one pass has to say, for the server's log.
    public typealias Note = (level: Logger.Level, text: String)

    /// How the log names it, e.g. `tick`.
    public let name: String
    /// The wait from the end of one pass to the start of the next.
    public let every: Duration
    /// One pass, which may block (it runs on a thread of its own, never on the cooperative pool or a request's lane):
    /// `keepGoing` turns false once the server begins to stop, for a long pass to end between its steps. It returns
    /// what to log; a pass that throws is logged as an error, and the next one runs on time.
    public let pass: @Sendable (_ keepGoing: @escaping @Sendable () -> Bool) throws -> [Note]

    /// A routine named `name` running `pass` every `every`, the first time as the server starts.
    public init(name: String, every: Duration, pass: @escaping @Sendable (_ keepGoing: @escaping @Sendable () -> Bool) throws -> [Note]) {
        self.name = name
        self.every = every
        self.pass = pass
    }
}

/// Runs a ``ServerRoutine`` until the server stops: a pass, then the wait, and so on. When SIGTERM or SIGINT arrives
/// the wait ends at once and a pass under way is told to end between its steps (no pass is cut in the middle of one:
/// a delivery is recorded before the routine returns); the service returns once it has.
struct RoutineService: Service {
    let routine: ServerRoutine
    let logger: Logger
    /// The routine's own thread: a pass waits on curl or sendmail, which must not hold up requests.
    private let queue: DispatchQueue

    init(_ routine: ServerRoutine, logger: Logger) {
        self.routine = routine
        self.logger = logger
        queue = DispatchQueue(label: "docket.serve.\(routine.name)")
    }

    func run() async throws {
        let stopping = StopFlag()
        await withGracefulShutdownHandler {
            while !stopping.isSet, !Task.isCancelled {
                await runPass(keepGoing: { !stopping.isSet })
                guard !stopping.isSet else { break }
                let every = routine.every
                _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    private func runPass(keepGoing: @escaping @Sendable () -> Bool) async {
        let routine = routine
        do {
            let notes = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[ServerRoutine.Note], any Error>) in
                queue.async { continuation.resume(with: Result { try routine.pass(keepGoing) }) }
            }
            for note in notes { logger.log(level: note.level, "\(routine.name): \(note.text)") }
        } catch {
            logger.error("\(routine.name) failed: \(error)")
        }
    }
}

/// Set once, read from any thread.
private final class StopFlag: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
