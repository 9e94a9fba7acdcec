import DocketTime

/// What a user asks of an API token (stream `token-<id>`).
public enum TokenCommand: Sendable, Equatable {
    /// Create a token for `user` (whose current snapshot the caller loaded: nil when unknown). The secret is made and
    /// hashed by the caller (I/O: a random source); the decision sees only its salt and hash.
    case create(tokenId: String, user: String, userSnapshot: UserSnapshot?, name: String, salt: String, hash: String, expiresAt: Timestamp?)
    /// Revoke the token.
    case revoke(reason: String?)
}

/// What token decisions need: whose token it is, its hash, its expiry and whether it was revoked.
public struct TokenState: Sendable, Equatable {
    /// The token's id; nil until created.
    public var tokenId: String?
    /// The user it acts as.
    public var user: String = ""
    /// Its label.
    public var name: String = ""
    /// The salt, in hex.
    public var salt: String = ""
    /// SHA-256(salt ‖ secret), in hex.
    public var hash: String = ""
    /// When it stops working; nil: never.
    public var expiresAt: Timestamp?
    /// True once revoked.
    public var isRevoked = false

    /// An empty state.
    public init() {}
}

/// The API-token aggregate (stream `token-<id>`). A token acts with its user's role at the time of each request;
/// admins create and revoke anyone's tokens, every other user only their own.
public enum TokenDecider: Decider {
    public static let initialState = TokenState()

    /// The longest a token may live.
    public static let maxLifetimeDays = 3650

    public static func decide(_ command: TokenCommand, state: TokenState, context: DecisionContext) throws(DomainError) -> [TokenEvent] {
        switch command {
        case .create(let tokenId, let user, let snapshot, let name, let salt, let hash, let expiresAt):
            try requireSelfOrAdmin(user, context: context, doing: "create tokens")
            guard state.tokenId == nil else {
                throw DomainError(.conflict, "token \(tokenId) already exists; create another")
            }
            guard let snapshot else {
                throw DomainError(.notFound, "unknown user \(user); list users with `docket user list`, or add them first")
            }
            guard snapshot.isActive else {
                throw DomainError(.invalid, "user \(user) is deactivated; a token acts as an active user: reactivate them first")
            }
            let name = try Validate.slug(name, "token name", length: 1...64)
            if let expiresAt, expiresAt <= context.now {
                throw DomainError(.invalid, "the token would expire before it is created; give a positive --expires")
            }
            return [.created(TokenCreated(tokenId: tokenId, user: snapshot.login, name: name, salt: salt, hash: hash, expiresAt: expiresAt))]
        case .revoke(let reason):
            guard state.tokenId != nil else {
                throw DomainError(.notFound, "no such token; list tokens with `docket token list`")
            }
            try requireSelfOrAdmin(state.user, context: context, doing: "revoke tokens")
            guard !state.isRevoked else { return [] }
            return [.revoked(TokenRevoked(reason: Validate.optional(reason)))]
        }
    }

    public static func evolve(_ state: TokenState, _ event: TokenEvent) -> TokenState {
        var state = state
        switch event {
        case .created(let e):
            state.tokenId = e.tokenId
            state.user = e.user
            state.name = e.name
            state.salt = e.salt
            state.hash = e.hash
            state.expiresAt = e.expiresAt
        case .revoked:
            state.isRevoked = true
        }
        return state
    }

    private static func requireSelfOrAdmin(_ user: String, context: DecisionContext, doing what: String) throws(DomainError) {
        guard context.actor.role == .admin || context.actor.login == user else {
            throw DomainError(.forbidden, "only an admin may \(what) for another user; \(context.actor.login) may for themselves")
        }
    }
}
