import DocketTime

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
    /// See ``UserCostRateSet``.
    case costRateSet(UserCostRateSet)
    /// See ``UserTimeZoneSet``.
    case timeZoneSet(UserTimeZoneSet)
    /// See ``UserOSAccountSet``.
    case osAccountSet(UserOSAccountSet)
    /// See ``UserKindSet``.
    case kindSet(UserKindSet)
}

/// Whether a user is a person or a program acting in Docket (`intake`, cron's `scheduler`).
public enum UserKind: String, Sendable, Codable, CaseIterable {
    /// A person: staff mail (SLA warnings, breaches, escalations) goes to them.
    case person
    /// A program's account (intake, the scheduler, a hook's `--acts-as`): it acts, but nobody reads its mail.
    case service
}

/// `user.kind-set.v1`: the user was marked a service account (a program, not a person) or a person again.
public struct UserKindSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.kind-set", schemaVersion: 1,
        summary: "The user was marked a service account (a program: no staff mail) or a person again.")
    /// The kind from now on.
    public var kind: UserKind

    /// A payload with the given kind.
    public init(kind: UserKind) {
        self.kind = kind
    }
}

/// `user.os-account-set.v1`: the OS account (uid) whose Unix-socket connections to `docket serve` act as this user;
/// absent unlinks it (the OS login name maps again).
public struct UserOSAccountSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.os-account-set", schemaVersion: 1,
        summary: "The OS account (uid) that acts as the user on the server's Unix socket was linked (or unlinked).")
    /// The OS user id; nil when unlinked.
    public var uid: UInt32?

    /// A payload linking `uid` (nil unlinks).
    public init(uid: UInt32?) {
        self.uid = uid
    }
}

/// `user.time-zone-set.v1`: the zone the user reads and types times in (views, zoneless times); absent clears it.
public struct UserTimeZoneSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.time-zone-set", schemaVersion: 1,
        summary: "The user's own time zone was set (or cleared): times are shown to them, and read from them, in it.")
    /// The IANA zone, e.g. `America/New_York`; nil when cleared (the machine's zone is used again).
    public var timeZone: String?

    /// A payload with the given zone (nil clears).
    public init(timeZone: String?) {
        self.timeZone = timeZone
    }
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

/// `user.cost-rate-set.v1`: what an hour of the user's time costs the business, from a date on (dated and
/// versioned like contract terms: the version in force at an instant is chosen by ``versionInForce``).
public struct UserCostRateSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "user", type: "user.cost-rate-set", schemaVersion: 1,
        summary: "A new version (1, 2, …) of the user's cost per hour takes effect at effectiveFrom; reports price their time with it.")
    /// 1 for the first rate set, then 2, 3, … in recording order.
    public var version: Int
    /// Minor units of `currency` per hour worked.
    public var costPerHourMinor: Int64
    /// ISO 4217 code.
    public var currency: String
    /// When this version takes effect.
    public var effectiveFrom: Timestamp

    /// A payload with the given fields.
    public init(version: Int, costPerHourMinor: Int64, currency: String, effectiveFrom: Timestamp) {
        self.version = version
        self.costPerHourMinor = costPerHourMinor
        self.currency = currency
        self.effectiveFrom = effectiveFrom
    }

    private enum CodingKeys: String, CodingKey { case version, costPerHourMinor, currency, effectiveFrom }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        costPerHourMinor = try c.decode(Int64.self, forKey: .costPerHourMinor)
        currency = try c.decode(String.self, forKey: .currency)
        effectiveFrom = try c.decodeTimestamp(forKey: .effectiveFrom)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(costPerHourMinor, forKey: .costPerHourMinor)
        try c.encode(currency, forKey: .currency)
        try c.encode(timestamp: effectiveFrom, forKey: .effectiveFrom)
    }
}

extension UserEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<UserEvent>] = [
        .init(UserAdded.self) { .added($0) },
        .init(UserRoleChanged.self) { .roleChanged($0) },
        .init(UserDeactivated.self) { .deactivated($0) },
        .init(UserReactivated.self) { .reactivated($0) },
        .init(UserCostRateSet.self) { .costRateSet($0) },
        .init(UserTimeZoneSet.self) { .timeZoneSet($0) },
        .init(UserOSAccountSet.self) { .osAccountSet($0) },
        .init(UserKindSet.self) { .kindSet($0) },
    ]
}
