import DocketTime

/// What an admin asks of a webhook source (stream `hook-<source>`).
public enum HookCommand: Sendable, Equatable {
    /// Set up `source`. The secret is made and sealed by the caller (I/O: a random source, the key file); the
    /// decision sees only the sealed form. `actsAs` is the snapshot of the user deliveries act as (nil: unknown).
    case create(source: String, format: HookFormat, actsAs: String, user: UserSnapshot?, defaultClient: String?, secret: SealedHookSecret)
    /// Give the source a new secret; the previous one stays valid for `graceMilliseconds` (0: not at all).
    case rotate(secret: SealedHookSecret, graceMilliseconds: Int64)
}

/// What hook decisions and deliveries need: the format, who it acts as, and the secrets in force.
public struct HookState: Sendable, Equatable {
    /// The source's name; nil until created.
    public var source: String?
    /// What it delivers.
    public var format: HookFormat = .generic
    /// The user deliveries act as.
    public var actsAs: String = ""
    /// The client for deliveries that name none.
    public var defaultClient: String?
    /// The current secret.
    public var secret: SealedHookSecret?
    /// The secret before the last rotation, while a grace period was given for it.
    public var previous: SealedHookSecret?
    /// Until when ``previous`` is still accepted.
    public var previousValidUntil: Timestamp?

    /// An empty state.
    public init() {}

    /// The sealed secrets a delivery at `now` may be signed or authorised with: the current one, and the previous one
    /// while its grace period lasts.
    public func secrets(at now: Timestamp) -> [SealedHookSecret] {
        guard let secret else { return [] }
        guard let previous, let until = previousValidUntil, now < until else { return [secret] }
        return [secret, previous]
    }
}

/// The webhook-source aggregate (stream `hook-<source>`): admins create sources and rotate their secrets.
public enum HookDecider: Decider {
    public static let initialState = HookState()

    /// The longest grace period a rotation may give the previous secret: 7 days.
    public static let maxGraceMilliseconds: Int64 = 7 * 86_400_000

    public static func decide(_ command: HookCommand, state: HookState, context: DecisionContext) throws(DomainError) -> [HookEvent] {
        guard context.actor.role == .admin else {
            throw DomainError(.forbidden, "only an admin may manage webhook sources; \(context.actor) is not: ask an admin")
        }
        switch command {
        case .create(let source, let format, let actsAs, let user, let defaultClient, let secret):
            let source = try Validate.slug(source, "webhook source", length: 1...64)
            guard state.source == nil else {
                throw DomainError(.conflict, "webhook source \(source) already exists; rotate its secret with `docket hook rotate \(source)`")
            }
            guard let user else {
                throw DomainError(.notFound, "unknown user \(actsAs); a webhook acts as an active user (a dispatcher, e.g. intake): add them first")
            }
            guard user.isActive else {
                throw DomainError(.invalid, "user \(actsAs) is deactivated; a webhook acts as an active user (a dispatcher, e.g. intake): reactivate them first")
            }
            guard Permissions.allows(user.role, to: .workTickets) else {
                throw DomainError(.invalid, "user \(actsAs) is \(user.role) and cannot open tickets; a webhook acts as a dispatcher or admin")
            }
            return [.created(HookCreated(source: source, format: format, actsAs: user.login, defaultClient: Validate.optional(defaultClient), secret: secret))]
        case .rotate(let secret, let grace):
            guard state.secret != nil else {
                throw DomainError(.notFound, "no such webhook source; list them with `docket hook list`")
            }
            guard (0...maxGraceMilliseconds).contains(grace) else {
                throw DomainError(.invalid, "the grace period must be 0 to 7 days; give e.g. --grace 24h")
            }
            let until = grace > 0 ? Timestamp(millisecondsSinceEpoch: context.now.millisecondsSinceEpoch + grace) : nil
            return [.rotated(HookRotated(secret: secret, previousValidUntil: until))]
        }
    }

    /// Whether `source` can name a webhook source: 1 to 64 lower-case letters, digits and dashes, not starting with a dash.
    public static func isValidSource(_ source: String) -> Bool {
        (try? Validate.slug(source, "webhook source", length: 1...64)) != nil
    }

    public static func evolve(_ state: HookState, _ event: HookEvent) -> HookState {
        var state = state
        switch event {
        case .created(let e):
            state.source = e.source
            state.format = e.format
            state.actsAs = e.actsAs
            state.defaultClient = e.defaultClient
            state.secret = e.secret
        case .rotated(let e):
            state.previous = e.previousValidUntil == nil ? nil : state.secret
            state.previousValidUntil = e.previousValidUntil
            state.secret = e.secret
        }
        return state
    }
}
