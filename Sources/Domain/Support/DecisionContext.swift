import DocketTime

/// Who is acting: a known, active user's login and role.
///
/// Build one from the user's state with ``UserDecider/actor(login:state:)`` so that
/// deactivated users cannot act.
public struct Actor: Hashable, Sendable, CustomStringConvertible {
    /// The user's login, e.g. `alice`.
    public var login: String
    /// The user's role at the time of the decision.
    public var role: Role

    /// An actor with `login` and `role`.
    public init(login: String, role: Role) {
        self.login = login
        self.role = role
    }

    public var description: String { "\(login) (\(role))" }

    /// What a portal contact's actor login starts with: `contact:<contact id>` (no user login has a colon).
    public static let clientContactPrefix = "contact:"

    /// Whether `login` is a client's portal contact, not a user of the MSP.
    public static func isClientContact(_ login: String) -> Bool { login.hasPrefix(clientContactPrefix) }
}

/// Everything a decision may depend on besides the command and the state: who acts and when.
public struct DecisionContext: Sendable, Equatable {
    /// Who issues the command.
    public var actor: Actor
    /// The instant of the decision, from the injected clock.
    public var now: Timestamp

    /// A context for `actor` at `now`.
    public init(actor: Actor, now: Timestamp) {
        self.actor = actor
        self.now = now
    }
}
