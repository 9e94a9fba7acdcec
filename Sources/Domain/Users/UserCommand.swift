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

    /// The input to add a user.
    public init(login: String, name: String, email: String, role: Role) {
        self.login = login
        self.name = name
        self.email = email
        self.role = role
    }
}
