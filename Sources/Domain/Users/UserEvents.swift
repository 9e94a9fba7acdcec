/// Something that happened to a user account (stream `user-<login>`).
public enum UserEvent: Sendable, Equatable {
    /// See ``UserAdded``.
    case added(UserAdded)
    /// See ``UserRoleChanged``.
    case roleChanged(UserRoleChanged)
    /// See ``UserDeactivated``.
    case deactivated(UserDeactivated)
    /// See ``UserReactivated``.
    case reactivated(UserReactivated)
}

/// `user.added.v1`.
public struct UserAdded: EventPayload {
    /// This payload's catalogue entry.
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

    /// A payload with the given fields.
    public init(login: String, name: String, email: String, role: Role) {
        self.login = login
        self.name = name
        self.email = email
        self.role = role
    }
}

/// `user.role-changed.v1`.
public struct UserRoleChanged: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.role-changed", schemaVersion: 1, summary: "The user's role changed.")
    /// The new role.
    public var role: Role
    /// The role before.
    public var previousRole: Role

    /// A payload with the given fields.
    public init(role: Role, previousRole: Role) {
        self.role = role
        self.previousRole = previousRole
    }
}

/// `user.deactivated.v1`: the user can no longer act or be assigned.
public struct UserDeactivated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.deactivated", schemaVersion: 1,
        summary: "The user was deactivated: they can no longer act or be assigned tickets.")
    /// The payload (it has no fields).
    public init() {}
}

/// `user.reactivated.v1`.
public struct UserReactivated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.reactivated", schemaVersion: 1, summary: "The user was reactivated.")
    /// The payload (it has no fields).
    public init() {}
}
