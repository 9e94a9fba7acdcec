#if canImport(Glibc)
import Glibc
#endif

/// How the client waits out a busy server: a `503` or `429` that carries `Retry-After` (the server's answer when as
/// many requests are under way as it takes, given before any of the request ran: docs/operations.md, "Under load") is
/// sent again after the wait it names, the same request byte for byte (the same arguments, so the same
/// `--command-id` if the command has one, and the stdin read once), until the waits would pass ``budget``; then the
/// client gives up with exit 75 (`EX_TEMPFAIL`). A busy server made the command fail at once with exit 1, so a
/// script's write was lost on a burst. A `503` without `Retry-After` (a store that is not there, a hook key missing)
/// is an answer, not a wait. The same budget bounds the client's waits for a server that lost a command's answer
/// (``LostAnswer``): the command is sent again after 250 ms, then 500 ms, 1 s and every 2 s, while the server restarts.
struct BusyRetry: Sendable {
    /// The longest total wait, in milliseconds (`$DOCKET_RETRY_SECONDS`, default ``defaultSeconds``; 0: no retry).
    let budget: Int
    /// The total wait so far, in milliseconds.
    private(set) var waited = 0
    /// How many busy answers came so far.
    private(set) var refusals = 0
    /// How many times the request was sent again after its answer was lost (or the server was not back yet).
    private(set) var resends = 0

    /// The default total wait, in seconds.
    static let defaultSeconds = 30
    /// The most `$DOCKET_RETRY_SECONDS` takes.
    static let maxSeconds = 3_600
    /// The shortest wait between two tries (a `Retry-After: 0` would otherwise make the client hammer a busy server).
    static let minimumWait = 250

    /// What to do after a reply.
    enum Decision: Equatable {
        /// The reply is the server's answer.
        case answer
        /// The server is busy: send the request again after this many milliseconds.
        case retry(afterMilliseconds: Int)
        /// The server is still busy and the next wait would pass the budget (or it asked for longer than that).
        case giveUp
    }

    init(budgetSeconds: Int) { budget = budgetSeconds * 1_000 }

    /// The budget from `$DOCKET_RETRY_SECONDS` (unset or empty: the default); a value that is not a whole number of
    /// seconds within 0…``maxSeconds`` is a usage error naming it.
    static func fromEnvironment() throws(ClientFailure) -> BusyRetry {
        guard let text = ClientCredentials.environment("DOCKET_RETRY_SECONDS") else { return BusyRetry(budgetSeconds: defaultSeconds) }
        guard let seconds = Int(text), (0...maxSeconds).contains(seconds) else {
            throw .usage("DOCKET_RETRY_SECONDS must be a whole number of seconds from 0 to \(maxSeconds) (0: do not retry), not \(text)")
        }
        return BusyRetry(budgetSeconds: seconds)
    }

    /// The decision for a reply with `status` and `Retry-After` header `retryAfter` (nil: none), counting the wait.
    mutating func next(status: Int, retryAfter: String?) -> Decision {
        guard status == 503 || status == 429, let retryAfter else { return .answer }
        refusals += 1
        let wait = max(Self.minimumWait, Self.milliseconds(retryAfter))
        guard waited + wait <= budget else { return .giveUp }
        waited += wait
        return .retry(afterMilliseconds: wait)
    }

    /// The wait before sending again a request whose answer was lost, or that found no server listening while it
    /// restarts: 250 ms, doubling up to 2 s, counted against the budget; nil once the next wait would pass it.
    mutating func nextResend() -> Int? {
        let wait = min(2_000, Self.minimumWait << min(resends, 3))
        guard waited + wait <= budget else { return nil }
        resends += 1
        waited += wait
        return wait
    }

    /// The line printed (on a terminal only) when a command's answer is first lost and it is sent again.
    func resendLine(server: String) -> String {
        "docket: the server at \(server) closed the connection before answering; sending the command again with its command id (it writes nothing twice) for up to \(budget / 1_000) s (Ctrl-C to stop)\n"
    }

    /// `Retry-After` in milliseconds: its delay in seconds, or one second for an HTTP date (the client's clock is
    /// not to be trusted against the server's) or anything unreadable.
    static func milliseconds(_ retryAfter: String) -> Int {
        let trimmed = retryAfter.trimmingPrefixAndSuffix(" ")
        guard let seconds = Int(trimmed), seconds >= 0 else { return 1_000 }
        return min(seconds, maxSeconds + 1) * 1_000
    }

    /// The line printed (on a terminal only) when the first busy answer comes.
    func progressLine(server: String) -> String {
        "docket: the server at \(server) is busy; trying again for up to \(budget / 1_000) s (Ctrl-C to stop)\n"
    }

    /// The failure once the client gives up on a server still answering `status`: what happened, that nothing was
    /// done, and what to do.
    func gaveUp(server: String, status: Int) -> ClientFailure {
        let tried =
            budget == 0
            ? "DOCKET_RETRY_SECONDS=0 asks not to wait"
            : "it was still busy after \(refusals) tries over \((waited + 999) / 1_000) s"
        return .busy(
            "the server at \(server) is busy (HTTP \(status)); \(tried), and nothing was done: run the command again later, or set DOCKET_RETRY_SECONDS to wait longer (now \(budget / 1_000) s)")
    }

    /// Sleeps `milliseconds` (resumed after a signal the process survives).
    static func sleep(milliseconds: Int) {
        var pause = timespec(tv_sec: milliseconds / 1_000, tv_nsec: (milliseconds % 1_000) * 1_000_000)
        var left = timespec()
        while nanosleep(&pause, &left) != 0, errno == EINTR { pause = left }
    }
}

extension String {
    /// The string without `character` at either end (the client avoids Foundation's trimming).
    fileprivate func trimmingPrefixAndSuffix(_ character: Character) -> Substring {
        var slice = self[...]
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return slice
    }
}
