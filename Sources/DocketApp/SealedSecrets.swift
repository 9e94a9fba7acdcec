import Domain
import EventLog
import Hooks

/// A webhook source or a notification channel whose secret (and, for a channel added since 2026-12-08, URL) the log
/// keeps sealed under the store's key file, `hook-secrets.key` (docs/security.md, "Webhook secrets").
public struct SealedSecretOwner: Sendable, Equatable {
    /// What it is.
    public enum Kind: String, Sendable {
        case webhookSource = "webhook source"
        case notificationChannel = "notification channel"
    }

    /// A source or a channel.
    public let kind: Kind
    /// Its name.
    public let name: String
    /// The ids of the keys its sealed secret and URL were sealed under (one, unless the key file changed in between).
    public let keyIds: Set<String>

    /// Whether `key` (nil: no key file) opens all it keeps sealed.
    public func opens(with key: HookKey?) -> Bool { key.map { keyIds == [$0.keyId] } ?? false }
}

extension DocketApplication {
    /// Every webhook source and notification channel in force that keeps a secret sealed, sources first, each by name.
    /// Asks for no actor: what the store's owner account checks on its host (`docket restore`), never a list for people.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func sealedSecretOwners() throws -> [SealedSecretOwner] {
        let store = shared.store
        let kernel = shared.kernel
        let sources = try store.streams(prefix: "hook-").map(\.name).sorted().compactMap { stream -> SealedSecretOwner? in
            let (state, _) = try kernel.load(HookDecider.self, stream: stream)
            guard let source = state.source, let secret = state.secret else { return nil }
            return SealedSecretOwner(kind: .webhookSource, name: source, keyIds: [secret.keyId])
        }
        let channels = try store.streams(prefix: "notify-").map(\.name).sorted().compactMap { stream -> SealedSecretOwner? in
            let (state, _) = try kernel.load(NotifyDecider.self, stream: stream)
            guard state.isActive, let name = state.name, let secret = state.secret else { return nil }
            return SealedSecretOwner(kind: .notificationChannel, name: name, keyIds: Set([secret.keyId] + [state.sealedURL?.keyId].compactMap { $0 }))
        }
        return sources + channels
    }
}
