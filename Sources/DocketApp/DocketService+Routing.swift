import AlertIntake
import Domain
import Foundation
import EventLog
import MailParser

/// The rule that fired for a new ticket, and why.
public struct RoutingDecision: Sendable, Equatable {
    /// The first rule whose conditions all held.
    public var rule: RoutingRule
    /// One line per condition that held.
    public var reasons: [String]

    /// A decision for `rule`.
    public init(rule: RoutingRule, reasons: [String]) {
        self.rule = rule
        self.reasons = reasons
    }

    /// `priority P1, category network, assign dora, reply template ack` (or `no actions`).
    public var actionsText: String {
        let a = rule.actions
        var parts: [String] = []
        if let priority = a.priority { parts.append("priority \(priority)") }
        if let category = a.category { parts.append("category \(category)") }
        if let queue = a.queue { parts.append("queue \(queue) (as category)") }
        if let login = a.assign { parts.append("assign \(login)") }
        if let template = a.replyTemplate { parts.append("reply template \(template)") }
        return parts.isEmpty ? "no actions" : parts.joined(separator: ", ")
    }
}

extension DocketService {
    // MARK: - The rules

    /// Replaces the routing rules with `rules` (validated; setting the same list again writes nothing).
    @discardableResult
    public func setRoutingRules(_ rules: [RoutingRule], as actor: String, commandId: String? = nil) throws -> [RoutingRulesEvent] {
        try kernel.run(RoutingRulesDecider.self, stream: StreamName.routingRules, command: .set(rules), context: context(for: actor), commandId: commandId).events
    }

    /// The routing rules in force (none until set).
    public func routingRules() throws -> RoutingRulesState {
        try kernel.load(RoutingRulesDecider.self, stream: StreamName.routingRules).state
    }

    /// The rule that would fire for `input` under the rules in force, without writing anything.
    public func route(_ input: RoutingInput) throws -> RoutingDecision? {
        try routingRules().matcher.firstMatch(for: input).map { RoutingDecision(rule: $0.rule, reasons: $0.reasons) }
    }

    // MARK: - Intake hooks

    /// Routes a ticket about to be opened: the matching rule's priority and category (or queue) go into
    /// `intake`. Pass the result to ``openTicket(_:as:commandId:newContact:routing:also:)``, which appends its other
    /// actions with the opening.
    func routeNewTicket(_ intake: inout TicketIntake, alertLabels: [String: String] = [:], severity: String? = nil) throws -> RoutingDecision? {
        let input = RoutingInput(
            client: intake.client, source: intake.source, category: intake.category, subject: intake.subject,
            body: intake.description, alertLabels: alertLabels, severity: severity)
        guard let decision = try route(input) else { return nil }
        if let priority = decision.rule.actions.priority { intake.priority = priority }
        if let category = decision.rule.actions.openingCategory { intake.category = category }
        return decision
    }

    /// The events routing adds to a ticket being opened, decided on `state` (the ticket as its opening leaves it) and
    /// appended in the same transaction as the opening, so no crash can leave a ticket open but unrouted: an internal
    /// comment `Routed by rule …`, the assignment and the reply template. An action that cannot be carried out (an
    /// unknown user or template) is noted in an internal comment instead of failing the intake.
    func routingEvents(
        _ decision: RoutingDecision, state: TicketDecider.State, reply: ReplyValues, context: DecisionContext
    ) throws -> [TicketEvent] {
        var state = state
        var events: [TicketEvent] = []
        func add(_ command: TicketCommand) throws {
            let decided = try TicketDecider.decide(command, state: state, context: context)
            state = decided.reduce(state, TicketDecider.evolve)
            events += decided
        }
        let id = decision.rule.id
        try add(.comment("Routed by rule \(id): \(decision.reasons.joined(separator: "; ")). Actions: \(decision.actionsText).", visibility: .internal))
        if let login = decision.rule.actions.assign {
            do {
                try add(.assign(to: login, user: try userSnapshot(login)))
            } catch {
                try add(.comment("Routing rule \(id) could not assign to \(login): \(error)", visibility: .internal))
            }
        }
        if let template = decision.rule.actions.replyTemplate {
            do {
                try add(.comment(try replyText(template: template, reply), visibility: .public))
            } catch {
                try add(.comment("Routing rule \(id) could not reply with template \(template): \(error)", visibility: .internal))
            }
        }
        return events
    }

    // MARK: - Inputs for `docket rules test`

    /// What routing would see if `message` opened a ticket: the sender's client (an exact contact address,
    /// then the domain, else `fallbackClient`), the subject and the text body.
    public func routingInput(forMail message: ParsedMessage, fallbackClient: String?) throws -> RoutingInput {
        let address = (message.from.first { $0.address != nil }?.address ?? "").lowercased()
        guard let client = try clientCode(forSender: address) ?? fallbackClient else {
            throw DomainError(
                .notFound,
                "mail from \(address.isEmpty ? "an unknown sender" : address) matches no client's contact or domain; pass --client CODE")
        }
        let subject = (message.subject ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return RoutingInput(client: client, source: .email, subject: subject.isEmpty ? "(no subject)" : subject, body: message.textBody ?? "")
    }

    /// What routing would see if `alert` opened a ticket: its client (when Docket knows it, else
    /// `fallbackClient`), `[check] summary`, the description, labels and severity.
    public func routingInput(forAlert alert: MonitoringAlert, fallbackClient: String?) throws -> RoutingInput {
        var client = alert.client.flatMap { (try? self.client($0))?.code ?? nil }
        if client == nil { client = fallbackClient }
        guard let client else {
            throw DomainError(.notFound, "alert \(alert.check) (\(alert.fingerprint)) names no known client; pass --client CODE")
        }
        return RoutingInput(
            client: client, source: .alert, subject: "[\(alert.check)] \(alert.summary)".trimmingCharacters(in: .whitespaces),
            body: alert.description, alertLabels: alert.labels, severity: alert.severity)
    }

    private func clientCode(forSender address: String) throws -> String? {
        guard !address.isEmpty else { return nil }
        let clients = try clients().filter { $0.code != nil }
        for client in clients where client.contacts.values.contains(where: { $0.email.lowercased() == address }) {
            return client.code
        }
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = String(address[address.index(after: at)...])
        return clients.first { $0.domains.contains(domain) }?.code
    }
}
