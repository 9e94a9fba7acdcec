import DocketTime

/// What the follow-up policy asks of a ticket waiting on the client, now: the pure decision `docket tick` carries out.
///
/// A wait is counted from the latest of: the status change to Waiting on client, the last public comment since (staff
/// asked again), and the policy's setting (a policy set or changed today never acts on the days before it). The
/// client is reminded once per count, after ``FollowUpPolicy/remindAfterMinutes``; the ticket is closed after
/// ``FollowUpPolicy/closeAfterMinutes`` (without a reminder first, when `tick` did not run in between). A reply from
/// the client ends the wait (intake moves the ticket to In progress).
public enum FollowUpDue: Sendable, Equatable {
    /// Remind the client: the wait counted from `waitingSince` reached the reminder at `dueAt`.
    case remind(waitingSince: Timestamp, dueAt: Timestamp)
    /// Close the ticket: the wait counted from `waitingSince` reached the close at `dueAt`.
    case close(waitingSince: Timestamp, dueAt: Timestamp, waitedMinutes: Int)

    /// What is due at `now` for a ticket whose events are `history` (each with its recorded time), under `policy`;
    /// nil when nothing is (the ticket is not waiting, the policy is off, or its times have not come).
    public static func at(_ now: Timestamp, history: [(event: TicketEvent, at: Timestamp)], policy: FollowUpPolicy) -> FollowUpDue? {
        guard let plan = FollowUpPlan.of(history: history, policy: policy) else { return nil }
        if let closeAt = plan.closeAt, now >= closeAt, let minutes = policy.closeAfterMinutes {
            return .close(waitingSince: plan.waitingSince, dueAt: closeAt, waitedMinutes: minutes)
        }
        if let remindAt = plan.remindAt, now >= remindAt, plan.remindedAt == nil {
            return .remind(waitingSince: plan.waitingSince, dueAt: remindAt)
        }
        return nil
    }

    /// The resolution note of a close for waiting: `No reply from the client in 7 days: closed by the follow-up policy.`
    public static func resolution(waitedMinutes: Int) -> String {
        "No reply from the client in \(Self.duration(waitedMinutes)): closed by the follow-up policy."
    }

    /// `7 days`, `36 hours`, `1 day`, `90 minutes`: whole days when it is, else whole hours, else minutes.
    public static func duration(_ minutes: Int) -> String {
        func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }
        if minutes % 1440 == 0 { return plural(minutes / 1440, "day") }
        if minutes % 60 == 0 { return plural(minutes / 60, "hour") }
        return plural(minutes, "minute")
    }
}

/// When the follow-up policy will act on a ticket waiting on the client: the times ``FollowUpDue/at(_:history:policy:)``
/// compares the clock with, for people (`ticket show`'s `follow-up:` line) and for `tick`.
public struct FollowUpPlan: Sendable, Equatable {
    /// The instant the wait is counted from: the latest of the change to Waiting on client, the last public comment
    /// since, and the policy's setting.
    public let waitingSince: Timestamp
    /// When the client is (or was) to be reminded in this count; nil when the policy sends no reminder.
    public let remindAt: Timestamp?
    /// When the reminder of this count was sent; nil while it has not been.
    public let remindedAt: Timestamp?
    /// When the ticket is to be closed for waiting; nil when the policy never closes.
    public let closeAt: Timestamp?

    /// A plan with the given times.
    public init(waitingSince: Timestamp, remindAt: Timestamp?, remindedAt: Timestamp?, closeAt: Timestamp?) {
        self.waitingSince = waitingSince
        self.remindAt = remindAt
        self.remindedAt = remindedAt
        self.closeAt = closeAt
    }

    /// The plan for a ticket whose events are `history` (each with its recorded time) under `policy`; nil when the
    /// ticket is not waiting on the client or the policy is off.
    public static func of(history: [(event: TicketEvent, at: Timestamp)], policy: FollowUpPolicy) -> FollowUpPlan? {
        guard policy.isOn, let since = policy.since else { return nil }
        var waitingSince: Timestamp?
        var reminded: Timestamp?
        for (event, at) in history {
            switch event {
            case .statusChanged(let change):
                waitingSince = change.status == .waitingOnClient ? at : nil
            case .commented(let comment) where comment.visibility == .public:
                if waitingSince != nil { waitingSince = at }
            case .followUpSent: reminded = at
            case .closed, .reopened, .merged: waitingSince = nil
            default: break
            }
        }
        guard let waitingSince else { return nil }
        let from = max(waitingSince, since)
        func after(_ minutes: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: from.millisecondsSinceEpoch + Int64(minutes) * 60_000) }
        return FollowUpPlan(
            waitingSince: from, remindAt: policy.remindAfterMinutes.map(after),
            remindedAt: reminded.flatMap { $0 < from ? nil : $0 }, closeAt: policy.closeAfterMinutes.map(after))
    }
}
