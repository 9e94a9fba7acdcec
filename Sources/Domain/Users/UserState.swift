import DocketTime

/// What user decisions need: identity, role and activity.
public struct UserState: Sendable, Equatable {
    /// The login; nil until added.
    public var login: String?
    /// The display name.
    public var name: String
    /// The lower-cased e-mail address.
    public var email: String
    /// The role.
    public var role: Role
    /// False once deactivated.
    public var isActive: Bool
    /// Every cost-rate version, in recording order.
    public var costRates: [UserCostRateSet]
    /// The zone the user reads and types times in; nil: the machine's.
    public var timeZone: String?
    /// The OS uid linked to the user (``UserOSAccountSet``); nil: none, the OS login name maps.
    public var osUid: UInt32?
    /// A person, or a program's account (``UserKindSet``): staff mail goes to people only.
    public var kind: UserKind = .person

    /// A state with every field given; streams start from ``UserDecider/initialState``.
    public init(
        login: String? = nil, name: String = "", email: String = "", role: Role = .tech, isActive: Bool = false,
        costRates: [UserCostRateSet] = []
    ) {
        self.login = login
        self.name = name
        self.email = email
        self.role = role
        self.isActive = isActive
        self.costRates = costRates
    }

    /// The cost rate in force at `instant` (``versionInForce``), or nil before the first one.
    public func costRate(at instant: Timestamp) -> UserCostRateSet? {
        versionInForce(costRates, at: instant, effectiveFrom: \.effectiveFrom, amendment: \.version)
    }

    /// What tickets need to know about this user (e.g. to assign them); nil until added.
    public var snapshot: UserSnapshot? {
        login.map { UserSnapshot(login: $0, name: name, role: role, isActive: isActive) }
    }
}

extension UserDecider {
    /// Applies one event.
    public static func evolve(_ state: UserState, _ event: UserEvent) -> UserState {
        var state = state
        switch event {
        case .added(let e):
            state = UserState(login: e.login, name: e.name, email: e.email, role: e.role, isActive: true, costRates: state.costRates)
            state.timeZone = nil
            state.osUid = nil
            state.kind = .person
        case .roleChanged(let e):
            state.role = e.role
        case .deactivated:
            state.isActive = false
        case .reactivated:
            state.isActive = true
        case .costRateSet(let e):
            state.costRates.append(e)
        case .timeZoneSet(let e):
            state.timeZone = e.timeZone
        case .osAccountSet(let e):
            state.osUid = e.uid
        case .kindSet(let e):
            state.kind = e.kind
        }
        return state
    }
}
