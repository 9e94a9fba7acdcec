import DocketTime
import Domain

/// A running timer as `docket time status` shows it.
public struct RunningTimer: Codable, Sendable, Equatable {
    /// The tech whose timer it is.
    public var tech: String
    /// The timed ticket, `T-1042`.
    public var ticket: String
    /// The ticket's subject (from the queue read model; nil when it has no row).
    public var subject: String?
    public var workType: String
    /// RFC 3339.
    public var startedAt: String
    /// Whole minutes since the start, rounded up as a stop rounds them; 0 with the clock at or behind the start.
    public var elapsedMinutes: Int
    /// Whether it has run longer than a working day (``TimerDecider/overdueAfterMinutes``): most likely left running,
    /// so `time stop` asks for the time worked (or `--elapsed`) instead of logging all of it.
    public var overdue: Bool
}

extension BillingService {
    /// The running timers of `logins` (nil: every user's, deactivated ones included), by tech, as of the clock's now.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func runningTimers(of logins: [String]? = nil) throws -> [RunningTimer] {
        let now = clock.now()
        let techs = try logins ?? directory.users().compactMap(\.login)
        return try techs.sorted().compactMap { login in
            guard let running = try runningTimer(of: login) else { return nil }
            let subject = try TicketNumber(running.ticket).flatMap { try models.queue.summary($0, in: store)?.subject }
            return RunningTimer(
                tech: login, ticket: running.ticket, subject: subject, workType: running.workType, startedAt: running.startedAt,
                elapsedMinutes: TimerDecider.elapsedMinutes(running, now: now) ?? 0, overdue: TimerDecider.isOverdue(running, now: now))
        }
    }
}
