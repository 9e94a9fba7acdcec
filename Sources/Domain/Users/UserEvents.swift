/// Something that happened to a user account (stream `user-<login>`).
public enum UserEvent: Sendable, Equatable {
    case added(UserAdded)
    case roleChanged(UserRoleChanged)
    case deactivated(UserDeactivated)
    case reactivated(UserReactivated)
}

/// `user.added.v1`.
public struct UserAdded: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.added", schemaVersion: 1,
        summary: "A user was added (active); the first admin is added by `docket init` with itself as actor.")
    /// The login.
    public var login: String
    /// The display name.
    public var name: String
    /// The lower-cased e-mail address.
    public var email: String
    /// The role.
    public var role: Role

    public init(login: String, name: String, email: String, role: Role) {
        self.login = login
        self.name = name
        self.email = email
        self.role = role
    }
}

/// `user.role-changed.v1`.
public struct UserRoleChanged: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.role-changed", schemaVersion: 1, summary: "The user's role changed.")
    /// The new role.
    public var role: Role
    /// The role before.
    public var previousRole: Role

    public init(role: Role, previousRole: Role) {
        self.role = role
        self.previousRole = previousRole
    }
}

/// `user.deactivated.v1`: the user can no longer act or be assigned.
public struct UserDeactivated: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.deactivated", schemaVersion: 1,
        summary: "The user was deactivated: they can no longer act or be assigned tickets.")
    public init() {}
}

/// `user.reactivated.v1`.
public struct UserReactivated: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.reactivated", schemaVersion: 1, summary: "The user was reactivated.")
    public init() {}
}
