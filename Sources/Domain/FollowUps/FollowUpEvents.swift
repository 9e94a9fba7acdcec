import DocketTime

/// Something that happened to the follow-up policy (stream `follow-up-policy`).
public enum FollowUpEvent: Sendable, Equatable {
    /// See ``FollowUpPolicySet``.
    case policySet(FollowUpPolicySet)
}

/// `follow-up.policy-set.v1`: how long a ticket may wait on the client before `docket tick` reminds the client, and
/// before it closes the ticket; it replaces the policy before it. Both absent: follow-ups are off.
public struct FollowUpPolicySet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "follow-up", type: "follow-up.policy-set", schemaVersion: 1,
        summary: "The follow-up policy for tickets waiting on the client was set (both durations absent: follow-ups off).")
    /// Minutes of waiting after which the client is reminded once; absent: no reminder.
    public var remindAfterMinutes: Int?
    /// Minutes of waiting after which the ticket is closed; absent: never closed for waiting.
    public var closeAfterMinutes: Int?

    /// A payload with the given fields.
    public init(remindAfterMinutes: Int?, closeAfterMinutes: Int?) {
        self.remindAfterMinutes = remindAfterMinutes
        self.closeAfterMinutes = closeAfterMinutes
    }
}

extension FollowUpEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<FollowUpEvent>] = [
        .init(FollowUpPolicySet.self) { .policySet($0) },
    ]
}
