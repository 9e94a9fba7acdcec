/// What another aggregate needs to know about a user, looked up by the application before deciding.
public struct UserSnapshot: Hashable, Sendable {
    /// The user's login.
    public var login: String
    /// The user's display name.
    public var name: String
    /// The user's role.
    public var role: Role
    /// False once deactivated.
    public var isActive: Bool

    /// A snapshot of a user.
    public init(login: String, name: String, role: Role, isActive: Bool) {
        self.login = login
        self.name = name
        self.role = role
        self.isActive = isActive
    }
}
