import DocketTime

/// A follow-up rule: given the events a command just decided on a ticket (and the follow-ups of the reactions
/// before it) and the state they need, the events that must follow them in the **same** transaction — the SLA
/// clock of a new ticket, the contact its email sender becomes, its routing, the client's acknowledgement, reply and
/// resolution mail, escalation actions, the staff SLA mail, the pages to notification channels, the time entry logged with a close. The command kernel runs ``TicketReactions/all`` on every ticket append, so no command can
/// leave a ticket without its follow-ups, and no service calls another to add them.
///
/// A reaction only reads: what it may look at comes in ``ReactionInput`` and through ``ReactionState`` (the log in
/// the application, values in memory in tests), so the same input always gives the same follow-ups.
public protocol Reaction: Sendable {
    /// What this reaction adds after `input.caused`; empty when none of those events calls for it.
    func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput
}

/// What the reactions of one ticket append are given besides the state.
public struct ReactionInput: Sendable {
    /// The ticket the events are on.
    public var ticket: TicketNumber
    /// The events decided on the ticket in this transaction, in order; each reaction also sees the follow-ups of
    /// the reactions before it.
    public var caused: [DocketEvent]
    /// Who acts, and when the decision was made.
    public var context: DecisionContext
    /// The instant the log records the events (the clock's time, or the log's head when the clock is behind it):
    /// an SLA clock counts from it.
    public var recordedAt: Timestamp
    /// The routing rule that matched a ticket being opened, if any.
    public var routing: RoutingDecision?
    /// The From address of queued mail (the deployment's configuration).
    public var supportAddress: String
    /// Seeds the random part of queued messages' Message-IDs (random in the application, fixed in tests).
    public var messageSeed: UInt64
    /// The secret of the survey links a resolution mail may carry, with its SHA-256 (the only part the log keeps), from
    /// the application's random source; nil: no survey links.
    public var surveySecret: SurveySecret?

    /// An input with the given fields.
    public init(
        ticket: TicketNumber, caused: [DocketEvent], context: DecisionContext, recordedAt: Timestamp, routing: RoutingDecision? = nil,
        supportAddress: String, messageSeed: UInt64, surveySecret: SurveySecret? = nil
    ) {
        self.surveySecret = surveySecret
        self.ticket = ticket
        self.caused = caused
        self.context = context
        self.recordedAt = recordedAt
        self.routing = routing
        self.supportAddress = supportAddress
        self.messageSeed = messageSeed
    }

    /// The ticket's own events among ``caused``.
    public var causedTicketEvents: [TicketEvent] { caused.compactMap { if case .ticket(let event) = $0 { event } else { nil } } }

    /// The `ticket.opened` among ``caused``: the command opens the ticket.
    public var opening: TicketOpened? {
        causedTicketEvents.lazy.compactMap { if case .opened(let opened) = $0 { opened } else { nil } }.first
    }
}

/// A survey link's secret (lower-case hex) and its SHA-256 (lower-case hex): the mail carries the one, the log keeps
/// the other.
public struct SurveySecret: Sendable, Equatable {
    public var secret: String
    public var hash: String

    /// A secret and its hash.
    public init(secret: String, hash: String) {
        self.secret = secret
        self.hash = hash
    }
}

/// What reactions read besides their input: the ticket's earlier events and the directory, as the transaction
/// being decided leaves them (a contact added in the same transaction is there). Lookups only: an implementation
/// never writes.
public protocol ReactionState {
    /// The ticket's events before this transaction, oldest first (empty for a ticket being opened).
    func ticketHistory() throws -> [DocketEvent]
    /// Another ticket's events, oldest first: one merged into this ticket, whose requester this ticket's client mail
    /// goes to as well.
    func ticketHistory(of number: TicketNumber) throws -> [DocketEvent]
    /// A client; a not-found error when unknown.
    func client(_ code: String) throws -> ClientState
    /// A user; a not-found error when unknown.
    func user(_ login: String) throws -> UserState
    /// Every user.
    func users() throws -> [UserState]
    /// The stored template `name`, nil when none is stored or it was removed.
    func storedTemplate(_ name: String) throws -> TemplateState?
    /// The client's contracts.
    func contracts(client: String) throws -> [ContractState]
    /// An SLA policy; a not-found error when unknown.
    func slaPolicy(_ id: String) throws -> SLAPolicyState
    /// A calendar (built-in or defined); a not-found error when unknown.
    func calendar(_ id: String) throws -> CalendarState
    /// The number `n` of the next free time entry `TE-<n>` (numbering comes from the log, gapless per store).
    func nextTimeEntryNumber() throws -> Int
    /// The outbound notification channels in force (added, not removed), by name.
    func notifyChannels() throws -> [NotifyState]
    /// The store's and client `client`'s survey settings (``SurveySettings/linkBase(client:)``).
    func surveySettings(client: String) throws -> (store: SurveySettings, client: SurveySettings)
}

/// Follow-up events for a stream other than the ticket's, appended in the same transaction before the ticket's
/// events: the contact a sender becomes (on the client's stream), the entry a close logs (a new `time-` stream).
/// The kernel appends them expecting the stream at the version the reaction read it at (a stream never read must
/// be new), so a concurrent change makes the whole command decide again.
public struct StreamFollowUp: Sendable, Equatable {
    /// The stream, e.g. `client-acme` or `time-TE-7`.
    public var stream: String
    /// Its new events, in order.
    public var events: [DocketEvent]

    /// A follow-up with the given fields.
    public init(stream: String, events: [DocketEvent]) {
        self.stream = stream
        self.events = events
    }
}

/// What one reaction adds.
public struct ReactionOutput: Sendable, Equatable {
    /// The follow-up events, for the same ticket stream, after the ones that caused them.
    public var events: [DocketEvent]
    /// Follow-ups on other streams, in the same transaction.
    public var elsewhere: [StreamFollowUp]
    /// What must not stop the command but someone should read (a ticket opened by intake without an SLA), the instants
    /// it names kept apart: written for people in the zone of the ticket's client.
    public var warnings: [TimedMessage]

    /// An output with the given fields.
    public init(events: [DocketEvent] = [], elsewhere: [StreamFollowUp] = [], warnings: [TimedMessage] = []) {
        self.events = events
        self.elsewhere = elsewhere
        self.warnings = warnings
    }

    /// No follow-up.
    public static let none = ReactionOutput()
}

/// The registered reactions, in the order they run: a later one sees the earlier ones' follow-ups (the client
/// mail reaction mails the reply a routing rule added; the staff mail goes to the assignee an escalation chose).
public enum TicketReactions {
    /// Every reaction Docket runs on a ticket append. Add one here and every command gets it.
    public static let all: [any Reaction] = [
        SLAStartReaction(), SenderContactReaction(), RoutingReaction(), EscalationReaction(), ClientMailReaction(),
        StaffMailReaction(), PageReaction(), CloseTimeReaction(),
    ]

    /// Runs `reactions` in order on `input`; returns all their follow-ups and warnings. A later reaction reads the
    /// state as the earlier ones' follow-ups on other streams leave it (the acknowledgement goes to the new contact).
    public static func run(_ input: ReactionInput, state: any ReactionState, reactions: [any Reaction] = all) throws -> ReactionOutput {
        var input = input
        var output = ReactionOutput()
        for reaction in reactions {
            let step = try reaction.react(to: input, state: FollowedState(base: state, elsewhere: output.elsewhere))
            input.caused += step.events
            output.events += step.events
            output.elsewhere += step.elsewhere
            output.warnings += step.warnings
        }
        return output
    }
}

/// A state with the follow-ups of earlier reactions on other streams folded in: a client gains the contact added,
/// the time entry numbers taken are skipped.
private struct FollowedState: ReactionState {
    let base: any ReactionState
    let elsewhere: [StreamFollowUp]

    func ticketHistory() throws -> [DocketEvent] { try base.ticketHistory() }
    func ticketHistory(of number: TicketNumber) throws -> [DocketEvent] { try base.ticketHistory(of: number) }
    func user(_ login: String) throws -> UserState { try base.user(login) }
    func users() throws -> [UserState] { try base.users() }
    func storedTemplate(_ name: String) throws -> TemplateState? { try base.storedTemplate(name) }
    func contracts(client: String) throws -> [ContractState] { try base.contracts(client: client) }
    func slaPolicy(_ id: String) throws -> SLAPolicyState { try base.slaPolicy(id) }
    func calendar(_ id: String) throws -> CalendarState { try base.calendar(id) }
    func notifyChannels() throws -> [NotifyState] { try base.notifyChannels() }
    func surveySettings(client: String) throws -> (store: SurveySettings, client: SurveySettings) { try base.surveySettings(client: client) }

    func client(_ code: String) throws -> ClientState {
        let stream = StreamName.client(code)
        return elsewhere.filter { $0.stream == stream }.flatMap(\.events).reduce(try base.client(code)) { state, event in
            if case .client(let clientEvent) = event { ClientDecider.evolve(state, clientEvent) } else { state }
        }
    }

    func nextTimeEntryNumber() throws -> Int {
        try base.nextTimeEntryNumber() + elsewhere.filter { $0.stream.hasPrefix(StreamName.timeEntry("TE-")) }.count
    }
}

extension ReactionState {
    /// The ticket as its history and `caused` leave it, with its subject (from `ticket.opened`).
    public func ticket(history: [DocketEvent], caused: [DocketEvent]) -> (state: TicketState, subject: String) {
        var state = TicketDecider.initialState
        var subject = ""
        for case .ticket(let event) in history + caused {
            if case .opened(let opened) = event { subject = opened.subject }
            state = TicketDecider.evolve(state, event)
        }
        return (state, subject)
    }
}
