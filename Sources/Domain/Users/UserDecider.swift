import DocketTime

/// The user aggregate (stream `user-<login>`): accounts, roles and activity. Only admins decide here.
///
/// An admin can neither change their own role nor deactivate themselves, so the acting admin always remains:
/// the store can never lose its last active admin.
public enum UserDecider: Decider {
    public static let initialState = UserState()

    /// Decides `command`. Needs ``Action/manageUsers``, or ``Action/manageRates`` to set a cost rate.
    public static func decide(
        _ command: UserCommand, state: UserState, context: DecisionContext
    ) throws(DomainError) -> [UserEvent] {
        if case .setCostRate(let rate) = command {
            try Permissions.require(.manageRates, by: context.actor.role)
            return try setCostRate(rate, state: state)
        }
        if case .setTimeZone(let zone) = command {
            let login = try requireExisting(state)
            if login != context.actor.login { try Permissions.require(.manageUsers, by: context.actor.role) }
            let zone = try zone.map { (text: String) throws(DomainError) in try Validate.timeZone(text) }
            return zone == state.timeZone ? [] : [.timeZoneSet(UserTimeZoneSet(timeZone: zone))]
        }
        try Permissions.require(.manageUsers, by: context.actor.role)
        switch command {
        case .add(let add):
            if let login = state.login {
                throw DomainError(
                    .conflict, "user \(login) already exists; change their role with `docket user role \(login) <role>`"
                )
            }
            let login = try Validate.login(add.login)
            let name = try Validate.name(add.name, "the user's name", fix: "give the user a display name")
            let email = try Validate.email(add.email)
            let added = UserEvent.added(UserAdded(login: login, name: name, email: email, role: add.role))
            return add.kind == .person ? [added] : [added, .kindSet(UserKindSet(kind: add.kind))]
        case .changeRole(let role):
            let login = try requireExisting(state)
            guard role != state.role else { return [] }
            guard login != context.actor.login else {
                throw DomainError(
                    .forbidden, "you cannot change your own role; ask another admin, so that an admin always remains")
            }
            return [.roleChanged(UserRoleChanged(role: role, previousRole: state.role))]
        case .deactivate:
            let login = try requireExisting(state)
            guard state.isActive else { return [] }
            guard login != context.actor.login else {
                throw DomainError(
                    .forbidden, "you cannot deactivate yourself; ask another admin, so that an admin always remains")
            }
            return [.deactivated(UserDeactivated())]
        case .reactivate:
            _ = try requireExisting(state)
            return state.isActive ? [] : [.reactivated(UserReactivated())]
        case .setCostRate(let rate):
            return try setCostRate(rate, state: state)
        case .setTimeZone:
            return []  // decided above: a user may set their own
        case .setOSAccount(let uid):
            _ = try requireExisting(state)
            return uid == state.osUid ? [] : [.osAccountSet(UserOSAccountSet(uid: uid))]
        case .setKind(let kind):
            _ = try requireExisting(state)
            return kind == state.kind ? [] : [.kindSet(UserKindSet(kind: kind))]
        }
    }

    /// A new cost-rate version; nothing when the latest version already says exactly this.
    private static func setCostRate(_ rate: SetCostRate, state: UserState) throws(DomainError) -> [UserEvent] {
        _ = try requireExisting(state)
        guard rate.costPerHourMinor >= 0, rate.costPerHourMinor <= 100_000_000 else {
            throw DomainError(.invalid, "a cost rate is 0 to 100000000 minor units per hour, not \(rate.costPerHourMinor)")
        }
        let currency = try Validate.currency(rate.currency)
        try BillingDates.check(rate.effectiveFrom, "the cost rate's effective date")
        if let last = state.costRates.last, last.costPerHourMinor == rate.costPerHourMinor, last.currency == currency,
            last.effectiveFrom == rate.effectiveFrom
        {
            return []
        }
        let version = (state.costRates.map(\.version).max() ?? 0) + 1
        return [
            .costRateSet(
                UserCostRateSet(
                    version: version, costPerHourMinor: rate.costPerHourMinor, currency: currency, effectiveFrom: rate.effectiveFrom))
        ]
    }

    // MARK: - Bootstrap

    /// The events that create the very first admin (`docket init`), who acts as themselves.
    ///
    /// Call only when the store has no users yet; ``bootstrapAdmin(login:name:email:now:isFirstUser:)``
    /// checks that for you.
    public static func bootstrapAdmin(
        login: String, name: String, email: String, now: Timestamp
    ) throws(DomainError) -> [UserEvent] {
        let context = DecisionContext(actor: Actor(login: login, role: .admin), now: now)
        return try decide(
            .add(AddUser(login: login, name: name, email: email, role: .admin)), state: initialState, context: context)
    }

    /// Like ``bootstrapAdmin(login:name:email:now:)``, refusing when `isFirstUser` is false (users exist already).
    public static func bootstrapAdmin(
        login: String, name: String, email: String, now: Timestamp, isFirstUser: Bool
    ) throws(DomainError) -> [UserEvent] {
        guard isFirstUser else {
            throw DomainError(
                .conflict, "this store already has users; ask an admin to add you with `docket user add \(login)`")
        }
        return try bootstrapAdmin(login: login, name: name, email: email, now: now)
    }

    // MARK: - Acting

    /// The actor for `login`, whose stream folds to `state`; refuses unknown and deactivated users.
    public static func actor(login: String, state: UserState) throws(DomainError) -> Actor {
        guard let known = state.login else {
            throw DomainError(
                .notFound, "unknown user \(login); ask an admin to add you with `docket user add \(login)`")
        }
        guard known == login else {
            throw DomainError(.invalid, "the user state is for \(known), not \(login); read the user again")
        }
        guard state.isActive else {
            throw DomainError(
                .inactive,
                "user \(login) is deactivated; ask an admin to reactivate them with `docket user reactivate \(login)`")
        }
        return Actor(login: login, role: state.role)
    }

    private static func requireExisting(_ state: UserState) throws(DomainError) -> String {
        guard let login = state.login else {
            throw DomainError(.notFound, "no such user; list users with `docket user list`")
        }
        return login
    }
}
