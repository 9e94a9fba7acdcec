import DocketTime

/// What an admin asks of a user account (stream `user-<login>`).
public enum UserCommand: Sendable, Equatable {
    /// Add a user.
    case add(AddUser)
    /// Give the user another role.
    case changeRole(Role)
    /// Stop the user from acting.
    case deactivate
    /// Let a deactivated user act again.
    case reactivate
    /// Set what an hour of the user's time costs, from a date on (billing or admin).
    case setCostRate(SetCostRate)
    /// Set (an IANA name) or clear (nil) the zone the user reads and types times in: the user themself or an admin.
    case setTimeZone(String?)
    /// Link (a uid) or unlink (nil) the OS account that acts as the user on the server's Unix socket (admins).
    case setOSAccount(UInt32?)
    /// Mark the user a person or a service account (admins).
    case setKind(UserKind)
}

/// The input of ``UserCommand/setCostRate(_:)``.
public struct SetCostRate: Sendable, Equatable {
    /// Minor units per hour, 0 or more.
    public var costPerHourMinor: Int64
    /// ISO 4217 code.
    public var currency: String
    /// When the rate takes effect.
    public var effectiveFrom: Timestamp

    /// The input to set a cost rate.
    public init(costPerHourMinor: Int64, currency: String, effectiveFrom: Timestamp) {
        self.costPerHourMinor = costPerHourMinor
        self.currency = currency
        self.effectiveFrom = effectiveFrom
    }
}

/// The input of ``UserCommand/add(_:)``.
public struct AddUser: Sendable, Equatable {
    /// 2 to 32 lower-case letters, digits, `.`, `_` or `-`, starting with a letter or digit.
    public var login: String
    /// The display name.
    public var name: String
    /// The e-mail address.
    public var email: String
    /// The role.
    public var role: Role
    /// A person, or a program's account (`--kind service`).
    public var kind: UserKind

    /// The input to add a user.
    public init(login: String, name: String, email: String, role: Role, kind: UserKind = .person) {
        self.login = login
        self.name = name
        self.email = email
        self.role = role
        self.kind = kind
    }
}
