import DocketTime

/// What ticket decisions need to know. Everything else (subject, comments, history) belongs in read models.
public struct TicketState: Sendable, Equatable {
    /// The ticket's number; nil until opened.
    public var number: TicketNumber?
    /// The current status; `.closed` for a merged ticket too.
    public var status: TicketStatus
    /// The ticket this one was merged into, if any. A merged ticket is closed for good.
    public var mergedInto: TicketNumber?
    /// The client's code.
    public var client: String
    /// The contact's id, if any.
    public var contact: String?
    /// The assignee's login, if any.
    public var assignee: String?
    /// The priority.
    public var priority: Priority
    /// The category, if any.
    public var category: String?
    /// The watchers' logins.
    public var watchers: Set<String>
    /// When the ticket is due, if a dispatcher set a date.
    public var dueAt: Timestamp? = nil
    /// The ticket this one is linked under (``TicketLinked``), if any.
    public var parent: TicketNumber? = nil
    /// The tickets linked under this one, in the order they were linked.
    public var children: [TicketNumber] = []
    /// How many times it was closed (`ticket.closed`): the close a rating is of (``TicketRated/close``).
    public var closes: Int = 0
    /// The survey links of the latest close that was sent them, if any.
    public var survey: SurveyLinkState? = nil

    /// A state with every field given (tests and snapshots); streams start from ``TicketDecider/initialState``.
    public init(
        number: TicketNumber? = nil, status: TicketStatus = .new, mergedInto: TicketNumber? = nil, client: String = "",
        contact: String? = nil, assignee: String? = nil, priority: Priority = .p3, category: String? = nil,
        watchers: Set<String> = []
    ) {
        self.number = number
        self.status = status
        self.mergedInto = mergedInto
        self.client = client
        self.contact = contact
        self.assignee = assignee
        self.priority = priority
        self.category = category
        self.watchers = watchers
    }

    /// Whether the ticket has been opened.
    public var exists: Bool { number != nil }

    /// Whether work on the ticket is refused: closed, or merged.
    public var isClosed: Bool { status == .closed || mergedInto != nil }
}

extension TicketDecider {
    /// Applies one event.
    public static func evolve(_ state: TicketState, _ event: TicketEvent) -> TicketState {
        var state = state
        switch event {
        case .opened(let e):
            state = TicketState(
                number: e.number, status: .new, client: e.client, contact: e.contact, priority: e.priority,
                category: e.category)
        case .assigned(let e):
            state.assignee = e.assignee
        case .unassigned:
            state.assignee = nil
        case .priorityChanged(let e):
            state.priority = e.priority
        case .categoryChanged(let e):
            state.category = e.category
        case .watcherAdded(let e):
            state.watchers.insert(e.login)
        case .watcherRemoved(let e):
            state.watchers.remove(e.login)
        case .commented, .mergeReceived, .participantAdded, .participantRemoved, .followUpSent, .rated:
            break
        case .surveySent(let e):
            state.survey = SurveyLinkState(close: e.close, contact: e.contact, linkHash: e.linkHash, expiresAt: e.expiresAt)
        case .statusChanged(let e):
            state.status = e.status
        case .merged(let e):
            state.mergedInto = e.into
            state.status = .closed
        case .closed:
            state.status = .closed
            state.closes += 1
        case .reopened:
            state.status = .inProgress
        case .dueDateSet(let e):
            state.dueAt = e.dueAt
        case .contactSet(let e):
            state.contact = e.contact
        case .linked(let e):
            if e.child == state.number { state.parent = e.parent } else if !state.children.contains(e.child) { state.children.append(e.child) }
        case .unlinked(let e):
            if e.child == state.number { state.parent = nil } else { state.children.removeAll { $0 == e.child } }
        }
        return state
    }
}
