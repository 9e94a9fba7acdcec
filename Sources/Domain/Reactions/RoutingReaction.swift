/// Carries out the routing rule that matched a ticket being opened (its priority and category are already in the
/// opening): an internal comment `Routed by rule …`, the assignment and the reply template. An action that cannot be
/// carried out (an unknown user or template) is noted in an internal comment instead of failing the intake; one the
/// opener set itself (a schedule's assignee) is not carried out (``RoutingDecision/appliedActions``).
public struct RoutingReaction: Reaction {
    public init() {}

    public func react(to input: ReactionInput, state: any ReactionState) throws -> ReactionOutput {
        guard let routing = input.routing, let opened = input.opening else { return .none }
        var ticket = TicketDecider.fold(input.causedTicketEvents)
        var events: [TicketEvent] = []
        func add(_ command: TicketCommand, marked mark: (TicketEvent) -> TicketEvent = { $0 }) throws {
            let decided = try TicketDecider.decide(command, state: ticket, context: input.context).map(mark)
            ticket = decided.reduce(ticket, TicketDecider.evolve)
            events += decided
        }
        let id = routing.rule.id
        try add(.comment("Routed by rule \(id): \(routing.reasons.joined(separator: "; ")). Actions: \(routing.actionsText).", visibility: .internal))
        if let login = routing.appliedActions.assign {
            do {
                try add(.assign(to: login, user: (try? state.user(login))?.snapshot)) { $0.assignment(byRoutingRule: id) }
            } catch {
                try add(.comment("Routing rule \(id) could not assign to \(login): \(error)", visibility: .internal))
            }
        }
        if let name = routing.appliedActions.replyTemplate {
            do {
                let values = try ReplyPlaceholders.values(
                    number: input.ticket, subject: opened.subject, client: opened.client, contact: ticket.contact,
                    actor: input.context.actor.login, state: state)
                let reply = try ReplyPlaceholders.render(template: name, values, state: state)
                let decided = try TicketDecider.decide(
                    .comment(reply.text, visibility: .public, mailSubject: reply.subject), state: ticket, context: input.context)
                // Docket's reply, not a person's: it must not meet the response clock (docs/sla.md, rule 2), nor start
                // work on the ticket (``TicketDecider/workStarted(on:)``): only the comment is kept, marked.
                let replies = decided.compactMap { event -> TicketEvent? in
                    guard case .commented(var reply) = event else { return nil }
                    reply.isAutomatic = true
                    return .commented(reply)
                }
                ticket = replies.reduce(ticket, TicketDecider.evolve)
                events += replies
            } catch {
                try add(.comment("Routing rule \(id) could not reply with template \(name): \(error)", visibility: .internal))
            }
        }
        return ReactionOutput(events: events.map { .ticket($0) })
    }
}

/// What a reply template's placeholders are filled with (``TemplatePlaceholder/known``).
public enum ReplyPlaceholders {
    /// The values for a reply on `number` by `actor`: the ticket's number and subject, the technician's and the
    /// client's names, and the contact's name when the ticket has a contact.
    public static func values(
        number: TicketNumber, subject: String, client code: String, contact: String?, actor: String, state: any ReactionState
    ) throws -> [String: String] {
        let client = try? state.client(code)
        var values = [
            "ticket.number": number.description, "ticket.subject": subject, "tech.name": try state.user(actor).name,
            "client.name": client?.name ?? code,
        ]
        if let name = contact.flatMap({ client?.contacts[$0]?.name }) { values["contact.name"] = name }
        return values
    }

    /// The live template `name`'s subject (nil when it has none) and body, filled with `values`; a not-found error when
    /// there is none, and bad input when it needs the contact's name and the ticket has no contact (or its contact was
    /// removed from the client).
    public static func render(
        template name: String, _ values: [String: String], state: any ReactionState
    ) throws -> (subject: String?, text: String) {
        guard let template = try state.storedTemplate(name) else {
            throw DomainError(.notFound, "unknown template \(name); list templates with `docket template list`")
        }
        let used = try TemplateRenderer.placeholders(in: template.body) + TemplateRenderer.placeholders(in: template.subject ?? "")
        if values["contact.name"] == nil, used.contains("contact.name") {
            let ticket = values["ticket.number"] ?? "the ticket"
            throw DomainError(
                .invalid,
                "template \(name) greets the contact by name ({{contact.name}}), but \(ticket) has no contact (or its contact was removed); "
                    + "reply with a template without {{contact.name}}, or write the reply with `docket ticket comment \(ticket) TEXT`")
        }
        return (try template.subject.map { try TemplateRenderer.render($0, values: values) }, try TemplateRenderer.render(template.body, values: values))
    }
}
