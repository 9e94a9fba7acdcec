import Domain
import EventLog

extension DirectoryService {
    /// Sets the follow-up policy (``FollowUpPolicyDecider``: dispatchers and admins; the policy in force again writes
    /// nothing); `.off` stops following up.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func setFollowUpPolicy(_ command: FollowUpPolicyCommand, as actor: String, commandId: String? = nil) throws -> [FollowUpEvent] {
        try kernel.run(FollowUpPolicyDecider.self, stream: StreamName.followUpPolicy, command: command, context: context(for: actor), commandId: commandId)
            .events
    }

    /// The follow-up policy in force, with when it was set (off, with no `since`, until one is).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func followUpPolicy() throws -> FollowUpPolicy {
        let loaded = try kernel.load(FollowUpPolicyDecider.self, stream: StreamName.followUpPolicy)
        var policy = loaded.state
        guard loaded.version > 0 else { return policy }
        policy.since = try store.read(stream: StreamName.followUpPolicy, from: loaded.version, direction: .backward, limit: 1).first?.recordedAt
        return policy
    }
}
