import DocketTime
import Domain
import EventLog

extension DirectoryService {
    /// Sets a follow-up policy (``FollowUpPolicyDecider``: dispatchers and admins; the policy in force again writes
    /// nothing): the store's, or with a `client` in the command that client's own (an unknown client is not found).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func setFollowUpPolicy(_ command: FollowUpPolicyCommand, as actor: String, commandId: String? = nil) throws -> [FollowUpEvent] {
        if let client = command.client { _ = try self.client(client) }
        let stream = command.client.map(StreamName.clientFollowUpPolicy) ?? StreamName.followUpPolicy
        return try kernel.run(FollowUpPolicyDecider.self, stream: stream, command: command, context: context(for: actor), commandId: commandId).events
    }

    /// The store's follow-up policy, with when it was set (off, with no `since`, until one is).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func followUpPolicy() throws -> FollowUpPolicy { try policy(on: StreamName.followUpPolicy).policy }

    /// The policy that follows up `client`'s tickets: its own while it has one, else the store's; counted from when it
    /// came to apply to the client (a store's policy, from the later of its setting and the client's own being dropped).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func followUpPolicy(for client: String) throws -> FollowUpPolicy { try followUpPolicyInForce(for: client).policy }

    /// The policy that follows up `client`'s tickets (``followUpPolicy(for:)``), and whether it is the client's own
    /// (else the store's).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func followUpPolicyInForce(for client: String) throws -> (policy: FollowUpPolicy, clientsOwn: Bool) {
        let own = try policy(on: StreamName.clientFollowUpPolicy(client))
        if own.policy.isSet { return (own.policy, true) }
        var store = try followUpPolicy()
        if let cleared = own.changed, let since = store.since { store.since = max(since, cleared) }
        return (store, false)
    }

    /// The clients with a follow-up policy of their own, by code, each with it.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func clientFollowUpPolicies() throws -> [(client: String, policy: FollowUpPolicy)] {
        try clients().compactMap(\.code).sorted().compactMap { code in
            let own = try policy(on: StreamName.clientFollowUpPolicy(code)).policy
            return own.isSet ? (code, own) : nil
        }
    }

    /// The policy on `stream` with `since` its last event's time, and that time (nil for an empty stream).
    private func policy(on stream: String) throws -> (policy: FollowUpPolicy, changed: Timestamp?) {
        let loaded = try kernel.load(FollowUpPolicyDecider.self, stream: stream)
        guard loaded.version > 0 else { return (loaded.state, nil) }
        var policy = loaded.state
        let changed = try store.read(stream: stream, from: loaded.version, direction: .backward, limit: 1).first?.recordedAt
        policy.since = changed
        return (policy, changed)
    }
}
