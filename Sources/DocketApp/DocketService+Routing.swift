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
    /// `intake`. Pass the result to ``applyRouting(_:to:as:)`` once the ticket is open.
    func routeNewTicket(_ intake: inout TicketIntake, alertLabels: [String: String] = [:], severity: String? = nil) throws -> RoutingDecision? {
        let input = RoutingInput(
            client: intake.client, source: intake.source, category: intake.category, subject: intake.subject,
            body: intake.description, alertLabels: alertLabels, severity: severity)
        guard let decision = try route(input) else { return nil }
        if let priority = decision.rule.actions.priority { intake.priority = priority }
        if let category = decision.rule.actions.openingCategory { intake.category = category }
        return decision
    }

    /// Records which rule routed the new ticket `number` (an internal comment `Routed by rule …`), then assigns
    /// it and sends the reply template. The ticket is already open, so an action that fails (an unknown user or
    /// template) is noted in an internal comment instead of failing the intake.
    func applyRouting(_ decision: RoutingDecision?, to number: TicketNumber, as actor: String) throws {
        guard let decision else { return }
        let id = decision.rule.id
        let note = "Routed by rule \(id): \(decision.reasons.joined(separator: "; ")). Actions: \(decision.actionsText)."
        try ticket(number, .comment(note, visibility: .internal), as: actor)
        if let login = decision.rule.actions.assign {
            do {
                try ticket(number, .assign(to: login, user: nil), as: actor)
            } catch {
                try ticket(number, .comment("Routing rule \(id) could not assign to \(login): \(error)", visibility: .internal), as: actor)
            }
        }
        if let template = decision.rule.actions.replyTemplate {
            do {
                try reply(number, template: template, as: actor)
            } catch {
                try ticket(number, .comment("Routing rule \(id) could not reply with template \(template): \(error)", visibility: .internal), as: actor)
            }
        }
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
