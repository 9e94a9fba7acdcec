import DocketTime
import Domain
import EventLog
import Hooks

/// An outbound notification channel as `docket notify list` shows it (never its secret).
public struct NotifyChannelSummary: Sendable, Equatable {
    /// The channel's name.
    public let name: String
    /// Where deliveries are POSTed: its scheme and host only (``NotifyDecider/displayURL(_:)``); the rest of a URL (a chat
    /// webhook's path is its secret) is sealed, and never shown.
    public let url: String
    /// What it is told about.
    public let on: [NotifyTrigger]
    /// The first 16 hex digits of SHA-256 of the current secret.
    public let fingerprint: String
    /// When it was added.
    public let addedAt: Timestamp
    /// When the secret last changed (the addition when never rotated).
    public let secretSince: Timestamp
}

extension OutboxService {
    /// Adds channel `name` (admins), POSTing to `url` about `on` (empty: ``NotifyTrigger/defaults``), and returns its
    /// signing secret, `dkn_` and 64 hex digits: the only time it is seen. The log keeps it sealed under the store's
    /// key file (`hook-secrets.key`, as webhook sources' secrets; ``HookKey``), which `key` gives (made on first use),
    /// asked for only once the actor is known to be an admin; and so the whole URL, of which it keeps the scheme and
    /// host in clear. A retried `commandId` adds nothing and returns nil.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func addChannel(
        _ name: String, url: String, on: [NotifyTrigger], as actor: String, commandId: String? = nil, key: () throws -> HookKey
    ) throws -> String? {
        try newChannelSecret(on: name, rotating: false, as: actor, commandId: commandId, key: key) { secret, seal in
            .add(name: name, url: url, on: on, secret: secret, sealedURL: try seal(url))
        }
    }

    /// Gives channel `name` a new signing secret (admins) and returns it; deliveries are signed with it from now on. A
    /// retried `commandId` rotates nothing and returns nil.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func rotateChannel(_ name: String, as actor: String, commandId: String? = nil, key: () throws -> HookKey) throws -> String? {
        try newChannelSecret(on: name, rotating: true, as: actor, commandId: commandId, key: key) { secret, _ in .rotate(secret: secret) }
    }

    /// Removes channel `name` (admins): nothing more is delivered to it. Refused (conflict, nothing written) while an SLA
    /// policy's terms in force, or taking effect later, page it: their pages would all be cancelled. Returns the events
    /// written (none for a retried `commandId`).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func removeChannel(_ name: String, as actor: String, commandId: String? = nil) throws -> [NotifyEvent] {
        let context = try adminContext(for: actor)
        guard (try? NotifyDecider.validName(name)) != nil else { throw noSuchChannel(name) }
        return try kernel.execute(commandId: commandId, actor: context.actor.login, replay: { _ in [] }) {
            try removeChannel(name, context: context, commandId: commandId)
        }
    }

    /// The decision to remove channel `name`: checked against every SLA policy as it stands, and appended only while no
    /// policy stream has moved and none was added since (an `sla-policy amend` or `define` paging the channel in between
    /// makes the kernel decide again, and the removal is refused then).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    func removeChannel(_ name: String, context: DecisionContext, commandId: String?) throws -> CommandKernel.Decision<[NotifyEvent]> {
        let stream = StreamName.notifyChannel(name)
        let (state, version) = try kernel.load(NotifyDecider.self, stream: stream)
        guard state.isActive else { throw noSuchChannel(name) }
        let policyStreams = try store.streams(prefix: StreamName.slaPolicyPrefix)
        var read: [String: UInt64] = [:]
        let pagedBy = try policyStreams.compactMap { policyStream -> PolicyPaging? in
            let (policy, policyVersion) = try kernel.load(SLAPolicyDecider.self, stream: policyStream.name)
            read[policyStream.name] = policyVersion
            let rules = policy.escalations(paging: name, from: context.now)
            return rules.isEmpty ? nil : PolicyPaging(policy: policy.id ?? policyStream.name, rules: rules)
        }
        let events = try NotifyDecider.decide(.remove(pagedBy: pagedBy), state: state, context: context)
        return CommandKernel.Decision(
            appends: [
                kernel.request(
                    stream: stream, version: version, events: events, context: context, commandId: commandId, read: read,
                    listed: [StreamName.slaPolicyPrefix: UInt64(policyStreams.count)])
            ],
            output: events)
    }

    /// Every channel in force (not removed), by name (admins only: the list shows where deliveries go).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func channels(as actor: String) throws -> [NotifyChannelSummary] {
        _ = try adminContext(for: actor)
        return try store.streams(prefix: "notify-").sorted { $0.name < $1.name }.compactMap { stream in
            let events = try store.read(stream: stream.name, from: 1, limit: 10_000)
            let (state, _) = try kernel.load(NotifyDecider.self, stream: stream.name)
            guard state.isActive, let name = state.name, let secret = state.secret else { return nil }
            let added = events.last { $0.type == NotifyChannelAdded.descriptor.type }
            let keyed = events.last { $0.type == NotifyChannelAdded.descriptor.type || $0.type == NotifyChannelRotated.descriptor.type }
            guard let added, let keyed else { return nil }
            return NotifyChannelSummary(
                name: name, url: NotifyDecider.displayURL(state.url), on: state.on, fingerprint: secret.fingerprint, addedAt: added.recordedAt, secretSince: keyed.recordedAt)
        }
    }

    /// Runs the command `command` makes with a new secret sealed under `key` (and a sealer of other text under the same
    /// key) on channel `name`'s stream, and returns the secret; nil for a retried `commandId` that did the same there.
    private func newChannelSecret(
        on name: String, rotating: Bool, as actor: String, commandId: String?, key: () throws -> HookKey,
        _ command: (SealedHookSecret, (String) throws -> SealedHookSecret) throws -> NotifyCommand
    ) throws -> String? {
        let context = try adminContext(for: actor)
        if rotating, (try? NotifyDecider.validName(name)) == nil { throw noSuchChannel(name) }
        _ = try NotifyDecider.validName(name)
        let stream = StreamName.notifyChannel(name)
        let retried = { (earlier: AppendResult) throws -> String? in
            let (events, _) = try kernel.earlierEvents(NotifyDecider.self, commandId: commandId, result: earlier, stream: stream)
            switch events.first {
            case .added? where !rotating, .rotated? where rotating: return nil
            default:
                throw EventLogError(.commandReused, "command id \(commandId ?? "") was already used for another command; use a new command id")
            }
        }
        return try kernel.execute(commandId: commandId, actor: context.actor.login, replay: retried) {
            let (state, version) = try kernel.load(NotifyDecider.self, stream: stream)
            if rotating, !state.isActive { throw noSuchChannel(name) }
            // Decided once without a secret first: bad input writes nothing, and makes no key file.
            let probe = SealedHookSecret(keyId: "", sealed: "", fingerprint: "")
            _ = try NotifyDecider.decide(try command(probe, { _ in probe }), state: state, context: context)
            let secret = HookKey.newSecret(prefix: "dkn_")
            let key = try key()
            let seal = { (text: String) throws -> SealedHookSecret in
                SealedHookSecret(keyId: key.keyId, sealed: try key.seal(text), fingerprint: HookKey.fingerprint(text))
            }
            let events = try NotifyDecider.decide(try command(try seal(secret), seal), state: state, context: context)
            return CommandKernel.Decision(
                appends: [kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId)], output: secret)
        }
    }

    private func adminContext(for actor: String) throws -> DecisionContext {
        let context = try context(for: actor)
        guard context.actor.role == .admin else {
            throw DomainError(.forbidden, "only an admin may manage notification channels; \(context.actor) is not: ask an admin")
        }
        return context
    }

    private func noSuchChannel(_ name: String) -> DomainError {
        DomainError(.notFound, "no notification channel \(name); list them with `docket notify list`")
    }
}
