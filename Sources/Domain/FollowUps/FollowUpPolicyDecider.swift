import DocketTime

/// What a user asks of a follow-up policy: the store's (stream `follow-up-policy`) or a client's own
/// (`follow-up-policy-<client>`, the command's `client`).
public enum FollowUpPolicyCommand: Sendable, Equatable {
    /// Remind after `remindAfterMinutes` and close after `closeAfterMinutes` of waiting (either may be nil).
    case set(remindAfterMinutes: Int?, closeAfterMinutes: Int?, client: String? = nil)
    /// Stop following up (a client: never follow up its tickets).
    case off(client: String? = nil)
    /// Drop a client's own policy: its tickets follow the store's again.
    case clear(client: String)

    /// The client whose own policy the command is about; nil: the store's.
    public var client: String? {
        switch self {
        case .set(_, _, let client), .off(let client): client
        case .clear(let client): client
        }
    }
}

/// The follow-up policy in force: how long a ticket may wait on the client before a reminder, and before a close.
public struct FollowUpPolicy: Sendable, Equatable {
    /// Minutes of waiting before the one reminder; nil: none.
    public var remindAfterMinutes: Int?
    /// Minutes of waiting before the ticket is closed; nil: never.
    public var closeAfterMinutes: Int?
    /// When this policy was set (waits are counted from it at the earliest); nil before any was set.
    public var since: Timestamp?
    /// Whether the stream holds a policy in force: for a client, its own (set and not cleared since).
    public var isSet: Bool

    /// A policy with the given fields; ``FollowUpPolicyDecider/initialState`` is off and not set.
    public init(remindAfterMinutes: Int? = nil, closeAfterMinutes: Int? = nil, since: Timestamp? = nil, isSet: Bool = false) {
        self.remindAfterMinutes = remindAfterMinutes
        self.closeAfterMinutes = closeAfterMinutes
        self.since = since
        self.isSet = isSet
    }

    /// Whether it does anything.
    public var isOn: Bool { remindAfterMinutes != nil || closeAfterMinutes != nil }
}

/// The follow-up policy: one stream, each event the whole policy. Setting it is dispatch work (``Action/manageFollowUps``:
/// dispatchers and admins), like the routing rules that also decide what happens to tickets by themselves.
public enum FollowUpPolicyDecider: Decider {
    public static let initialState = FollowUpPolicy()

    /// The shortest wait a policy may give: a client is not chased within the hour.
    public static let shortestMinutes = 60
    /// The longest: 90 days.
    public static let longestMinutes = 90 * 1440

    /// Checks each duration is 1 hour to 90 days and a reminder comes before the close; the policy already in force
    /// returns no events.
    public static func decide(
        _ command: FollowUpPolicyCommand, state: FollowUpPolicy, context: DecisionContext
    ) throws(DomainError) -> [FollowUpEvent] {
        try Permissions.require(.manageFollowUps, by: context.actor.role)
        let (remind, close): (Int?, Int?)
        let client = command.client
        switch command {
        case .clear(let code):
            guard state.isSet else { return [] }
            return [.policyCleared(FollowUpPolicyCleared(client: code))]
        case .off:
            (remind, close) = (nil, nil)
        case .set(let r, let c, _):
            guard r != nil || c != nil else {
                throw DomainError(.invalid, "a follow-up policy needs a reminder, a close or both; to stop following up, turn it off")
            }
            for (name, minutes) in [("reminder", r), ("close", c)] {
                guard let minutes else { continue }
                guard (shortestMinutes...longestMinutes).contains(minutes) else {
                    throw DomainError(.invalid, "the \(name) must come after 1 hour to 90 days of waiting, not \(minutes) minutes")
                }
            }
            if let r, let c, r >= c {
                throw DomainError(.invalid, "the reminder (after \(r) minutes) must come before the close (after \(c) minutes)")
            }
            (remind, close) = (r, c)
        }
        // The store's policy starts off, so off again is nothing to change; a client's own "off" is a choice of its own.
        let same = remind == state.remindAfterMinutes && close == state.closeAfterMinutes
        guard !same || (client != nil && !state.isSet) else { return [] }
        return [.policySet(FollowUpPolicySet(remindAfterMinutes: remind, closeAfterMinutes: close, client: client))]
    }

    /// Applies one event: the policy it carries replaces the one before, a clearing leaves none (``FollowUpPolicy/since``
    /// is the caller's: the event's recorded time).
    public static func evolve(_ state: FollowUpPolicy, _ event: FollowUpEvent) -> FollowUpPolicy {
        switch event {
        case .policySet(let e):
            FollowUpPolicy(remindAfterMinutes: e.remindAfterMinutes, closeAfterMinutes: e.closeAfterMinutes, since: state.since, isSet: true)
        case .policyCleared: FollowUpPolicy(since: state.since)
        }
    }
}
