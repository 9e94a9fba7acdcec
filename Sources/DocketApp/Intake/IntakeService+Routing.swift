import AlertIntake
import Domain
import EventLog
import MailParser

extension IntakeService {
    // MARK: - Intake hooks

    /// Routes a ticket about to be opened: the matching rule's priority and category (or queue) go into
    /// `intake`. Pass the result to ``TicketService/openTicket(_:as:commandId:routing:also:)``, which appends its other
    /// actions with the opening.
    func routeNewTicket(_ intake: inout TicketIntake, alertLabels: [String: String] = [:], severity: String? = nil) throws -> RoutingDecision? {
        try directory.routeNewTicket(&intake, alertLabels: alertLabels, severity: severity)
    }

    // MARK: - Inputs for `docket rules test`

    /// What routing would see if `message` opened a ticket: the sender's client (an exact contact address,
    /// then the domain, else `fallbackClient`), the subject and the text body.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func routingInput(forMail message: ParsedMessage, fallbackClient: String?) throws -> RoutingInput {
        let address = (message.from.first { $0.address != nil }?.address ?? "").lowercased()
        guard let client = try clientCode(forSender: address) ?? fallbackClient else {
            throw DomainError(
                .notFound,
                "mail from \(address.isEmpty ? "an unknown sender" : address) matches no client's contact or domain; pass --client CODE")
        }
        return RoutingInput(client: client, source: .email, subject: TicketSubject.fromIntake(message.subject ?? ""), body: message.textBody ?? "")
    }

    /// What routing would see if `alert` opened a ticket: its client (when Docket knows it, else
    /// `fallbackClient`), `[check] summary`, the description, labels and severity.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func routingInput(forAlert alert: MonitoringAlert, fallbackClient: String?) throws -> RoutingInput {
        var client = alert.client.flatMap { (try? directory.client($0))?.code ?? nil }
        if client == nil { client = fallbackClient }
        guard let client else {
            throw DomainError(.notFound, "alert \(alert.check) (\(alert.fingerprint)) names no known client; pass --client CODE")
        }
        return RoutingInput(
            client: client, source: .alert, subject: TicketSubject.fromIntake("[\(alert.check)] \(alert.summary)"),
            body: alert.description, alertLabels: alert.labels, severity: alert.severity)
    }

    private func clientCode(forSender address: String) throws -> String? {
        guard !address.isEmpty else { return nil }
        let clients = try directory.clients().filter { $0.code != nil }
        for client in clients where client.contacts.values.contains(where: { $0.email.lowercased() == address }) {
            return client.code
        }
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = String(address[address.index(after: at)...])
        return clients.first { $0.domains.contains(domain) }?.code
    }
}
