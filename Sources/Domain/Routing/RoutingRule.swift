/// One routing rule: when every given condition holds for a new ticket, its actions apply.
///
/// Rules are kept as an ordered list (``RoutingRulesSet``); the first rule that matches wins.
public struct RoutingRule: Codable, Sendable, Equatable {
    /// 2 to 64 lower-case letters, digits and dashes, unique in the list, e.g. `vip-outage`.
    public var id: String
    /// The conditions; all given ones must hold. None at all matches every ticket.
    public var match: RoutingConditions
    /// What happens to a ticket the rule matches.
    public var actions: RoutingActions

    /// A rule with the given fields.
    public init(id: String, match: RoutingConditions = RoutingConditions(), actions: RoutingActions = RoutingActions()) {
        self.id = id
        self.match = match
        self.actions = actions
    }
}

/// The conditions of a rule. A nil field is not checked; a list holds when any of its entries matches.
public struct RoutingConditions: Codable, Sendable, Equatable {
    /// Client codes, e.g. `acme`.
    public var client: [String]?
    /// Ticket sources.
    public var source: [TicketSource]?
    /// Ticket categories (compared case-insensitively); a ticket without a category never matches.
    public var category: [String]?
    /// Keywords; the subject contains one of them, case-insensitively.
    public var subjectContains: [String]?
    /// Keywords; the body (email text, alert description) contains one of them, case-insensitively.
    public var bodyContains: [String]?
    /// Alert labels that must all be present with exactly these values.
    public var alertLabels: [String: String]?
    /// Alert severities as the sender spells them (compared case-insensitively), e.g. `critical`.
    public var severity: [String]?

    /// Conditions with the given fields.
    public init(
        client: [String]? = nil, source: [TicketSource]? = nil, category: [String]? = nil,
        subjectContains: [String]? = nil, bodyContains: [String]? = nil, alertLabels: [String: String]? = nil,
        severity: [String]? = nil
    ) {
        self.client = client
        self.source = source
        self.category = category
        self.subjectContains = subjectContains
        self.bodyContains = bodyContains
        self.alertLabels = alertLabels
        self.severity = severity
    }
}

/// What a matching rule does to a new ticket.
public struct RoutingActions: Codable, Sendable, Equatable {
    /// The priority the ticket opens with (instead of the intake's default).
    public var priority: Priority?
    /// The category the ticket opens with.
    public var category: String?
    /// The login the ticket is assigned to right after it opens.
    public var assign: String?
    /// A queue name. Docket has no separate queue field: the queue becomes the ticket's category, so a rule
    /// gives `category` or `queue`, never both.
    public var queue: String?
    /// A reply template sent publicly right after the ticket opens.
    public var replyTemplate: String?

    /// Actions with the given fields.
    public init(
        priority: Priority? = nil, category: String? = nil, assign: String? = nil, queue: String? = nil,
        replyTemplate: String? = nil
    ) {
        self.priority = priority
        self.category = category
        self.assign = assign
        self.queue = queue
        self.replyTemplate = replyTemplate
    }

    /// The category the ticket opens with: `category`, else `queue`.
    public var openingCategory: String? { category ?? queue }
}

/// What routing looks at in a new ticket.
public struct RoutingInput: Sendable, Equatable {
    public var client: String
    public var source: TicketSource
    public var category: String?
    public var subject: String
    public var body: String
    public var alertLabels: [String: String]
    public var severity: String?

    /// An input with the given fields.
    public init(
        client: String, source: TicketSource, category: String? = nil, subject: String, body: String = "",
        alertLabels: [String: String] = [:], severity: String? = nil
    ) {
        self.client = client
        self.source = source
        self.category = category
        self.subject = subject
        self.body = body
        self.alertLabels = alertLabels
        self.severity = severity
    }
}
