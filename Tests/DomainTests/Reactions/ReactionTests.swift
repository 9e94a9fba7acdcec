import DocketTime
import Domain
import Testing

/// The registered reactions as pure functions: events and an in-memory state in, follow-up events out.
@Suite struct ReactionTests {
    /// A state held in memory: what the application reads from the log, given as values.
    struct MemoryState: ReactionState {
        var history: [DocketEvent] = []
        var clients: [String: ClientState] = [
            "acme": ClientState(code: "acme", name: "Acme Dental", isActive: true, contacts: ["acme-1": ContactDetails(name: "Carla", email: "carla@acme.example")])
        ]
        var people: [String: UserState] = [
            "bob": UserState(login: "bob", name: "Bob", email: "bob@msp.example", role: .tech, isActive: true),
            "dora": UserState(login: "dora", name: "Dora", email: "dora@msp.example", role: .dispatcher, isActive: true),
        ]
        var templates: [String: TemplateState] = [:]

        /// Other tickets' events (tickets merged into this one).
        var others: [TicketNumber: [DocketEvent]] = [:]

        func ticketHistory() throws -> [DocketEvent] { history }
        func ticketHistory(of number: TicketNumber) throws -> [DocketEvent] { others[number] ?? [] }
        func client(_ code: String) throws -> ClientState {
            guard let client = clients[code] else { throw DomainError(.notFound, "unknown client \(code)") }
            return client
        }
        func user(_ login: String) throws -> UserState {
            guard let user = people[login] else { throw DomainError(.notFound, "unknown user \(login)") }
            return user
        }
        func users() throws -> [UserState] { people.values.sorted { ($0.login ?? "") < ($1.login ?? "") } }
        func storedTemplate(_ name: String) throws -> TemplateState? { templates[name] }
        func contracts(client: String) throws -> [ContractState] { [] }
        func slaPolicy(_ id: String) throws -> SLAPolicyState { throw DomainError(.notFound, "unknown SLA policy \(id)") }
        func calendar(_ id: String) throws -> CalendarState { throw DomainError(.notFound, "unknown calendar \(id)") }
        var nextEntry = 1
        func nextTimeEntryNumber() throws -> Int { nextEntry }
        var channels: [NotifyState] = []
        func notifyChannels() throws -> [NotifyState] { channels }
        var survey = SurveySettings()
        var clientSurvey: [String: SurveySettings] = [:]
        func surveySettings(client: String) throws -> (store: SurveySettings, client: SurveySettings) { (survey, clientSurvey[client] ?? SurveySettings()) }
    }

    static let now = Timestamp(iso8601: "2026-11-02T09:00:00Z")!
    static let context = DecisionContext(actor: Actor(login: "bob", role: .tech), now: now)
    static let number = TicketNumber("T-1001")!
    static let opened = TicketOpened(
        number: number, client: "acme", contact: "acme-1", category: nil, priority: .p3, source: .phone, subject: "Printer offline",
        description: "")

    func input(_ caused: [DocketEvent], routing: RoutingDecision? = nil, seed: UInt64 = 7) -> ReactionInput {
        ReactionInput(
            ticket: Self.number, caused: caused, context: Self.context, recordedAt: Self.now, routing: routing,
            supportAddress: "help@msp.example", messageSeed: seed)
    }

    func queued(_ output: ReactionOutput) -> [TicketMailQueued] {
        output.events.compactMap { if case .outbox(.queued(let mail)) = $0 { mail } else { nil } }
    }

    @Test func anOpeningIsAcknowledgedWithTheShippedDefault() throws {
        let output = try TicketReactions.run(input([.ticket(.opened(Self.opened))]), state: MemoryState())
        let mail = try #require(queued(output).first)
        #expect(queued(output).count == 1)
        #expect(mail.reason == .acknowledgement && mail.to == ["carla@acme.example"] && mail.subject == "[T-1001] Printer offline")
        #expect(mail.messageId.hasPrefix("T-1001.1.") && mail.messageId.hasSuffix("@docket"))
        #expect(mail.message.contains("Hello Carla,"))
        #expect(mail.message.contains("We have received your request and opened ticket T-1001:"))
    }

    @Test func aStoredAcknowledgementTemplateIsTheBodySent() throws {
        var state = MemoryState()
        state.templates["mail-acknowledgement"] = TemplateState(
            name: "mail-acknowledgement", isLive: true, body: "Dear {{recipient.name}} of {{client.name}}, {{ticket.number}} is ours now.")
        let mail = try #require(queued(try TicketReactions.run(input([.ticket(.opened(Self.opened))]), state: state)).first)
        #expect(mail.message.contains("Dear Carla of Acme Dental, T-1001 is ours now."))
        #expect(!mail.message.contains("We have received"))
    }

    @Test func theSameSeedGivesTheSameFollowUps() throws {
        let caused: [DocketEvent] = [.ticket(.opened(Self.opened))]
        #expect(try TicketReactions.run(input(caused, seed: 42), state: MemoryState()) == TicketReactions.run(input(caused, seed: 42), state: MemoryState()))
    }

    @Test func aRoutingRulesReplyIsOnTheTicketAndMailedAfterTheAcknowledgement() throws {
        var state = MemoryState()
        state.templates["outage-ack"] = TemplateState(name: "outage-ack", isLive: true, body: "{{tech.name}} is on {{ticket.number}}.")
        let rule = RoutingRule(id: "vip", actions: RoutingActions(assign: "dora", replyTemplate: "outage-ack"))
        let output = try TicketReactions.run(input([.ticket(.opened(Self.opened))], routing: RoutingDecision(rule: rule, reasons: ["client acme"])), state: state)
        let ticketEvents = output.events.compactMap { if case .ticket(let event) = $0 { event } else { nil } }
        #expect(ticketEvents.count == 3, "the note, the assignment, the reply: \(ticketEvents)")
        guard case .commented(let note) = ticketEvents.first, case .assigned(let assigned) = ticketEvents[1], case .commented(let reply) = ticketEvents.last else {
            Issue.record("unexpected events \(ticketEvents)")
            return
        }
        #expect(note.text.hasPrefix("Routed by rule vip: client acme.") && note.visibility == .internal)
        #expect(assigned.assignee == "dora")
        #expect(assigned.routingRule == "vip" && assigned.escalationRule == nil && assigned.isByRule, "the rule's assignment, not a person's")
        #expect(reply.text == "Bob is on T-1001." && reply.visibility == .public)
        #expect(reply.isAutomatic, "Docket's reply, not a person's: it does not meet the response clock")
        #expect(!note.isAutomatic, "only the reply is marked")
        #expect(queued(output).map(\.reason) == [.acknowledgement, .reply])
        #expect(queued(output).last?.messageId.hasPrefix("T-1001.2.") == true)
    }

    /// A schedule's own assignee wins over the rule's `assign`: the reaction assigns nobody, and its note says what the
    /// opener kept; the rule's other actions apply.
    @Test func whatTheOpenerSetWinsOverTheRulesAction() throws {
        var state = MemoryState()
        state.templates["outage-ack"] = TemplateState(name: "outage-ack", isLive: true, body: "On {{ticket.number}}.")
        let rule = RoutingRule(id: "vip", actions: RoutingActions(priority: .p1, assign: "dora", queue: "servers", replyTemplate: "outage-ack"))
        let routing = RoutingDecision(rule: rule, reasons: ["source schedule"], openerSet: OpenerChoices(priority: .p3, assignee: "bob"))
        #expect(routing.appliedActions == RoutingActions(queue: "servers", replyTemplate: "outage-ack"))
        let output = try TicketReactions.run(input([.ticket(.opened(Self.opened))], routing: routing), state: state)
        let ticketEvents = output.events.compactMap { if case .ticket(let event) = $0 { event } else { nil } }
        #expect(!ticketEvents.contains { if case .assigned = $0 { true } else { false } }, "\(ticketEvents)")
        guard case .commented(let note) = ticketEvents.first, case .commented(let reply) = ticketEvents.last else {
            Issue.record("unexpected events \(ticketEvents)")
            return
        }
        #expect(
            note.text == "Routed by rule vip: source schedule. Actions: queue servers (as category), reply template outage-ack; "
                + "kept as opened: priority P3 (the rule's P1), assign bob (the rule's dora).", "\(note.text)")
        #expect(reply.text == "On T-1001.")
    }

    @Test func aRoutingRuleNamingAnUnknownTemplateLeavesANoteInstead() throws {
        let rule = RoutingRule(id: "vip", actions: RoutingActions(replyTemplate: "missing"))
        let output = try TicketReactions.run(input([.ticket(.opened(Self.opened))], routing: RoutingDecision(rule: rule, reasons: [])), state: MemoryState())
        let texts = output.events.compactMap { if case .ticket(.commented(let c)) = $0 { c.text } else { nil } }
        #expect(texts.contains { $0.hasPrefix("Routing rule vip could not reply with template missing:") })
    }

    @Test func aCloseSendsTheResolutionNumberedAfterTheMailBefore() throws {
        var state = MemoryState()
        state.history = [
            .ticket(.opened(Self.opened)),
            .outbox(.queued(TicketMailQueued(messageId: "T-1001.1.x@docket", reason: .acknowledgement, to: [], subject: "", inReplyTo: nil, message: ""))),
        ]
        state.templates["mail-resolution"] = TemplateState(name: "mail-resolution", isLive: true, body: "Fixed: {{resolution.text}}")
        let close = TicketClosed(resolution: "Replaced the toner.", noTimeReason: nil)
        let mail = try #require(queued(try TicketReactions.run(input([.ticket(.closed(close))]), state: state)).first)
        #expect(mail.reason == .resolution && mail.messageId.hasPrefix("T-1001.2."))
        #expect(mail.message.contains("Fixed: Replaced the toner."))
    }

    @Test func aTicketWithNobodyToWriteToGetsNoMail() throws {
        var opened = Self.opened
        opened.contact = nil
        #expect(queued(try TicketReactions.run(input([.ticket(.opened(opened))]), state: MemoryState())).isEmpty)
    }

    @Test func aBreachMailsTheAssigneeAndTheDispatchersWithTheTemplateInForce() throws {
        var state = MemoryState()
        state.history = [.ticket(.opened(Self.opened)), .ticket(.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil)))]
        state.templates["mail-sla-breach"] = TemplateState(name: "mail-sla-breach", isLive: true, body: "{{greeting}}: {{sla.clock}} missed on {{ticket.number}}.")
        let breach = TicketSLABreached(clock: .response, dueAt: Self.now)
        let mails = queued(try TicketReactions.run(input([.ticketSLA(.breached(breach))]), state: state))
        #expect(mails.map(\.to) == [["bob@msp.example"], ["dora@msp.example"]])
        #expect(mails.first?.message.contains("Hello Bob: response missed on T-1001.") == true)
        #expect(mails.first?.subject == "[T-1001] SLA: the response target was breached — Printer offline")
    }

    @Test func aWarningsSubjectSaysThePercentageReached() throws {
        var state = MemoryState()
        state.history = [.ticket(.opened(Self.opened)), .ticket(.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil)))]
        let warning = TicketSLAWarned(clock: .response, percent: 75, dueAt: Self.now)
        let mails = queued(try TicketReactions.run(input([.ticketSLA(.warned(warning))]), state: state))
        #expect(mails.map(\.subject) == ["[T-1001] SLA: the response clock reached 75% — Printer offline"])
    }

    /// The SLA mails went to every active dispatcher, the service accounts an operator makes for intake and cron's
    /// `tick` (`intake@msp.example` mailed back into intake) included, and to a service account assigned a ticket.
    @Test func serviceAccountsGetNoStaffMailAndAWarningForOneGoesToThePeople() throws {
        var state = MemoryState()
        var intake = UserState(login: "intake", name: "Intake", email: "intake@msp.example", role: .dispatcher, isActive: true)
        intake.kind = .service
        state.people["intake"] = intake
        state.history = [.ticket(.opened(Self.opened)), .ticket(.assigned(TicketAssigned(assignee: "intake", previousAssignee: nil)))]
        let breach = TicketSLABreached(clock: .response, dueAt: Self.now)
        let warning = TicketSLAWarned(clock: .response, percent: 75, dueAt: Self.now)
        let escalation = TicketEscalated(rule: "p1-untouched", dueAt: Self.now, action: .notifyDispatchers)
        for event in [DocketEvent.ticketSLA(.breached(breach)), .ticketSLA(.warned(warning)), .ticketSLA(.escalated(escalation))] {
            let mails = queued(try TicketReactions.run(input([event]), state: state))
            #expect(mails.map(\.to) == [["dora@msp.example"]], "\(event)")
        }
    }

    /// A breach or escalation pages each channel subscribed to it (`docket notify add`), in the same follow-ups; a
    /// warning only those that asked for warnings, a removed channel nothing. The body is the JSON a receiver reads.
    @Test func slaEventsPageTheSubscribedChannels() throws {
        var state = MemoryState()
        state.history = [.ticket(.opened(Self.opened)), .ticket(.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil)))]
        var onCall = NotifyState()
        onCall.name = "on-call"
        onCall.url = "https://pager.example/docket"
        onCall.on = [.slaBreached, .escalated]
        onCall.isActive = true
        var chat = onCall
        chat.name = "chat"
        chat.on = [.slaWarned]
        var gone = onCall
        gone.name = "gone"
        gone.isActive = false
        state.channels = [chat, gone, onCall]
        func pages(_ event: DocketEvent) throws -> [TicketMailQueued] {
            queued(try TicketReactions.run(input([event]), state: state)).filter { $0.reason == .page }
        }
        let breach = try pages(.ticketSLA(.breached(TicketSLABreached(clock: .resolution, dueAt: Self.now))))
        #expect(breach.map(\.to) == [["on-call"]])
        let page = try #require(breach.first)
        #expect(page.messageId.hasPrefix("T-1001.page-1."))
        #expect(page.message == """
            {"assignee":"bob","at":"2026-11-02T09:00:00.000Z","client":"acme","clientName":"Acme Dental","clock":"resolution",\
            "dueAt":"2026-11-02T09:00:00.000Z","event":"sla-breached","id":"\(page.messageId)","priority":"P3","subject":"Printer offline",\
            "ticket":"T-1001"}
            """)
        #expect(try pages(.ticketSLA(.warned(TicketSLAWarned(clock: .response, percent: 75, dueAt: Self.now)))).map(\.to) == [["chat"]])
        let escalation = try pages(.ticketSLA(.escalated(TicketEscalated(rule: "p1-untouched", dueAt: Self.now, action: .notifyDispatchers))))
        #expect(escalation.map(\.to) == [["on-call"]])
        #expect(escalation.first?.message.contains(#""rule":"p1-untouched""#) == true)
        let moot = TicketEscalated(rule: "p1-untouched", dueAt: Self.now, action: .notifyDispatchers, skipped: "assigned before it ran")
        #expect(try pages(.ticketSLA(.escalated(moot))).isEmpty, "an escalation skipped as moot pages nobody")

        // A rule that pages a channel pages it, whatever it is subscribed to, once; a removed one still gets its page
        // queued (outbox send cancels it) and the tick a warning.
        let paging = TicketEscalated(rule: "p1-page", dueAt: Self.now, action: .page(channel: "chat"))
        #expect(try pages(.ticketSLA(.escalated(paging))).map(\.to) == [["on-call"], ["chat"]])
        let twice = TicketEscalated(rule: "p1-page", dueAt: Self.now, action: .page(channel: "on-call"))
        #expect(try pages(.ticketSLA(.escalated(twice))).map(\.to) == [["on-call"]], "subscribed and named: one page")
        let removed = try TicketReactions.run(input([.ticketSLA(.escalated(TicketEscalated(rule: "p1-page", dueAt: Self.now, action: .page(channel: "gone"))))]), state: state)
        #expect(queued(removed).filter { $0.reason == .page }.map(\.to) == [["on-call"], ["gone"]])
        #expect(removed.warnings.contains { $0.text(\.iso8601).contains("escalation rule p1-page pages notification channel gone, which was removed") }, "\(removed.warnings)")
        #expect(try pages(.ticketSLA(.escalated(TicketEscalated(rule: "p1-page", dueAt: Self.now, action: .page(channel: "chat"), skipped: "met")))).isEmpty)
    }
}

