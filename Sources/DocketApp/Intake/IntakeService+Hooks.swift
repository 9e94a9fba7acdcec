import DocketTime
import Domain
import EventLog
import Hooks

/// A webhook source as `docket hook list` shows it (never its secret).
public struct HookSummary: Sendable, Equatable {
    public let source: String
    public let format: HookFormat
    public let actsAs: String
    public let defaultClient: String?
    /// The current secret's fingerprint.
    public let fingerprint: String
    /// The previous secret's fingerprint while it is still accepted.
    public let previousFingerprint: String?
    public let previousValidUntil: Timestamp?
    public let createdAt: Timestamp
    /// When the secret last changed (the creation when never rotated).
    public let secretSince: Timestamp
}

/// What a delivery to a webhook source is checked with and acts as.
public struct HookAuthority: Sendable {
    /// The source's state.
    public let state: HookState
    /// The secrets a delivery may use now, in clear (the current one first).
    public let secrets: [String]
}

extension IntakeService {
    /// Sets up webhook source `source` (admins) and returns its secret, `dkh_` and 64 hex digits: the only time it is
    /// seen. The log keeps it sealed under the store's hook key, which `key` gives (made on first use), asked for only
    /// once the actor is known to be an admin (see ``HookKey``). A retried `commandId` creates nothing and returns nil:
    /// the secret was shown to the first attempt.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func createHook(
        _ source: String, format: HookFormat, actsAs: String, defaultClient: String?, as actor: String, commandId: String? = nil,
        key: () throws -> HookKey
    ) throws -> String? {
        let context = try adminContext(for: actor)
        if let defaultClient { _ = try directory.client(defaultClient) }
        return try newSecret(on: source, rotating: false, context: context, commandId: commandId, key: key) { secret in
            HookCommand.create(
                source: source, format: format, actsAs: actsAs, user: try directory.userSnapshot(actsAs), defaultClient: defaultClient,
                secret: secret)
        }
    }

    /// Gives `source` a new secret (admins) and returns it; the previous one stays valid for `graceMilliseconds`. A
    /// retried `commandId` rotates nothing and returns nil: the secret was shown to the first attempt.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func rotateHook(
        _ source: String, graceMilliseconds: Int64, as actor: String, commandId: String? = nil, key: () throws -> HookKey
    ) throws -> String? {
        let context = try adminContext(for: actor)
        return try newSecret(on: source, rotating: true, context: context, commandId: commandId, key: key) { secret in
            HookCommand.rotate(secret: secret, graceMilliseconds: graceMilliseconds)
        }
    }

    /// Runs the command `command` makes with a new secret sealed under `key` on `source`'s stream, and returns the
    /// secret; nil for a retried `commandId` that did the same (a creation, or a rotation when `rotating`) there.
    private func newSecret(
        on source: String, rotating: Bool, context: DecisionContext, commandId: String?, key: () throws -> HookKey,
        _ command: (SealedHookSecret) throws -> HookCommand
    ) throws -> String? {
        let stream = StreamName.hook(source)
        let retried = { (earlier: AppendResult) throws -> String? in
            let (events, _) = try kernel.earlierEvents(HookDecider.self, commandId: commandId, result: earlier, stream: stream)
            switch events.first {
            case .created? where !rotating, .rotated? where rotating: return nil
            default:
                throw EventLogError(.commandReused, "command id \(commandId ?? "") was already used for another command; use a new command id")
            }
        }
        return try kernel.execute(commandId: commandId, actor: context.actor.login, replay: retried) {
            let secret = HookKey.newSecret()
            let (state, version) = try kernel.load(HookDecider.self, stream: stream)
            let events = try HookDecider.decide(try command(try sealed(secret, key: try key())), state: state, context: context)
            return CommandKernel.Decision(
                appends: [kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId)], output: secret)
        }
    }

    /// The names of the streams of webhook sources ever made (no admin needed: the server asks it to tell a missing hook
    /// key from a store that never had a source, and answers no names).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func hookSources() throws -> [String] {
        try store.streams(prefix: "hook-").map(\.name)
    }

    /// Every webhook source, by name (admins only: the list says who each acts as).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func hooks(as actor: String) throws -> [HookSummary] {
        _ = try adminContext(for: actor)
        let now = clock.now()
        return try store.streams(prefix: "hook-").sorted { $0.name < $1.name }.compactMap { stream in
            let events = try store.read(stream: stream.name, from: 1, limit: 10_000)
            let (state, _) = try kernel.load(HookDecider.self, stream: stream.name)
            guard let source = state.source, let secret = state.secret, let first = events.first else { return nil }
            let last = events.last { $0.type == HookCreated.descriptor.type || $0.type == HookRotated.descriptor.type } ?? first
            let previousValid = state.previousValidUntil.map { now < $0 } ?? false
            return HookSummary(
                source: source, format: state.format, actsAs: state.actsAs, defaultClient: state.defaultClient,
                fingerprint: secret.fingerprint, previousFingerprint: previousValid ? state.previous?.fingerprint : nil,
                previousValidUntil: previousValid ? state.previousValidUntil : nil, createdAt: first.recordedAt, secretSince: last.recordedAt)
        }
    }

    /// What a delivery to `source` is checked with, opened with `key`; nil when there is no such source (the caller
    /// answers as for a wrong secret, so sources cannot be probed).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func hookAuthority(_ source: String, key: HookKey) throws -> HookAuthority? {
        guard HookDecider.isValidSource(source) else { return nil }
        let (state, _) = try kernel.load(HookDecider.self, stream: StreamName.hook(source))
        guard state.source != nil else { return nil }
        let secrets = try state.secrets(at: clock.now()).map { sealed throws -> String in
            guard sealed.keyId == key.keyId else {
                throw DomainError(
                    .invalid,
                    "webhook source \(source)'s secret was sealed under hook key \(sealed.keyId), not this store's \(key.keyId); restore that key file or rotate the secret")
            }
            return try key.open(sealed.sealed)
        }
        return HookAuthority(state: state, secrets: secrets)
    }

    private func adminContext(for actor: String) throws -> DecisionContext {
        let context = try context(for: actor)
        guard context.actor.role == .admin else {
            throw DomainError(.forbidden, "only an admin may manage webhook sources; \(context.actor) is not: ask an admin")
        }
        return context
    }

    private func sealed(_ secret: String, key: HookKey) throws -> SealedHookSecret {
        SealedHookSecret(keyId: key.keyId, sealed: try key.seal(secret), fingerprint: HookKey.fingerprint(secret))
    }
}
