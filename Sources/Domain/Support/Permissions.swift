/// Something a role may or may not do. Deciders check one action before anything else.
public enum Action: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Open, assign, comment on, close, merge… tickets.
    case workTickets = "work tickets"
    /// Register and change clients and their contacts.
    case manageClients = "manage clients and contacts"
    /// Create, amend and end contracts.
    case manageContracts = "change contracts"
    /// Change rates (a later issue).
    case manageRates = "change rates"
    /// Issue and change invoices (a later issue).
    case manageInvoices = "change invoices"
    /// Add users, change their roles, deactivate and reactivate them.
    case manageUsers = "manage users"
    /// Add, update and remove reply templates.
    case manageTemplates = "manage templates"
    /// Set the routing rules applied to new tickets.
    case manageRoutingRules = "set routing rules"
    /// Set and clear tickets' due dates.
    case scheduleTickets = "set due dates"
    /// Define and remove recurring ticket schedules.
    case manageSchedules = "schedule recurring tickets"
    /// Set the follow-up policy for tickets waiting on the client (the store's, or a client's own).
    case manageFollowUps = "set the follow-up policy"
    /// Turn the client satisfaction survey on or off (the store's, or a client's opt-out).
    case manageSurvey = "set the satisfaction survey"
    /// Read what staff time costs: cost rates, and the cost and margin of the profitability report.
    case readCosts = "read cost rates and margins"
    /// Read the store as it stood at a past moment (`--as-of`, `?asOf=`): settling billing disputes.
    case readPast = "read the store as of a moment"

    public var description: String { rawValue }
}

/// Who may do what: the one table of role permissions.
public enum Permissions {
    /// The roles allowed to perform `action`, in ``Role`` order.
    public static func roles(allowedTo action: Action) -> [Role] {
        switch action {
        case .workTickets: [.tech, .dispatcher, .admin]
        case .manageClients: [.dispatcher, .billing, .admin]
        case .manageContracts, .manageRates, .manageInvoices, .readCosts, .readPast: [.billing, .admin]
        case .manageUsers: [.admin]
        case .manageTemplates, .manageRoutingRules, .scheduleTickets, .manageSchedules, .manageFollowUps, .manageSurvey:
            [.dispatcher, .admin]
        }
    }

    /// Whether `role` may perform `action`.
    public static func allows(_ role: Role, to action: Action) -> Bool {
        roles(allowedTo: action).contains(role)
    }

    /// Throws ``DomainError/Code/forbidden`` unless `role` may perform `action`.
    public static func require(_ action: Action, by role: Role) throws(DomainError) {
        guard allows(role, to: action) else {
            let allowed = roles(allowedTo: action).map(\.rawValue)
            throw DomainError(
                .forbidden,
                "role \(role) cannot \(action); ask someone with role \(Self.list(allowed)) to do it")
        }
    }

    /// Who may perform `action`, as a sentence names them: "billing or an admin", "an admin".
    public static func who(mayPerform action: Action) -> String {
        list(roles(allowedTo: action).map { $0 == .admin ? "an admin" : $0.rawValue })
    }

    /// "a", "a or b", "a, b or c".
    public static func list(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        let head = items.dropLast()
        return head.isEmpty ? last : head.joined(separator: ", ") + " or " + last
    }
}
