import DocketTime

/// Something that happened to the follow-up policy: the store's (stream `follow-up-policy`) or one client's own
/// (stream `follow-up-policy-<client>`).
public enum FollowUpEvent: Sendable, Equatable {
    /// See ``FollowUpPolicySet``.
    case policySet(FollowUpPolicySet)
    /// See ``FollowUpPolicyCleared``.
    case policyCleared(FollowUpPolicyCleared)
}

/// `follow-up.policy-set.v1`: how long a ticket may wait on the client before `docket tick` reminds the client, and
/// before it closes the ticket; it replaces the policy before it. Both absent: follow-ups are off (for a client: its
/// tickets are never followed up, whatever the store's policy).
public struct FollowUpPolicySet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "follow-up", type: "follow-up.policy-set", schemaVersion: 1,
        summary: "The follow-up policy for tickets waiting on the client was set (both durations absent: follow-ups off).")
    /// Minutes of waiting after which the client is reminded once; absent: no reminder.
    public var remindAfterMinutes: Int?
    /// Minutes of waiting after which the ticket is closed; absent: never closed for waiting.
    public var closeAfterMinutes: Int?
    /// The client whose own policy this is (on its stream `follow-up-policy-<client>`); absent: the store's.
    public var client: String?

    /// A payload with the given fields.
    public init(remindAfterMinutes: Int?, closeAfterMinutes: Int?, client: String? = nil) {
        self.remindAfterMinutes = remindAfterMinutes
        self.closeAfterMinutes = closeAfterMinutes
        self.client = client
    }
}

/// `follow-up.policy-cleared.v1`: a client's own follow-up policy was dropped; its tickets follow the store's again.
public struct FollowUpPolicyCleared: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "follow-up", type: "follow-up.policy-cleared", schemaVersion: 1,
        summary: "A client's own follow-up policy was dropped: its tickets follow the store's policy again.")
    /// The client.
    public var client: String

    /// A payload with the given fields.
    public init(client: String) { self.client = client }
}

extension FollowUpEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<FollowUpEvent>] = [
        .init(FollowUpPolicySet.self) { .policySet($0) },
        .init(FollowUpPolicyCleared.self) { .policyCleared($0) },
    ]
}
