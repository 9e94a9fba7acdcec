import Domain
import EventLog
import MailParser

// A technician's own email on a ticket's thread: they answered the client from their mailbox, with the support address
// on Cc, and the mail server hands Docket its copy.

extension IntakeService {
    /// The active user whose email address is `address` (case-insensitive); nil for anyone else, a deactivated user
    /// included (their mail is not trusted as staff).
    func activeUser(_ address: String) throws -> UserState? {
        let lower = address.lowercased()
        guard !lower.isEmpty else { return nil }
        return try directory.users().first { $0.isActive && $0.login != nil && $0.email.lowercased() == lower }
    }

    /// Takes mail from `user` that threads onto a ticket (`threaded`, by Message-ID; or, when the mail server proved the
    /// From, a `[T-1042]` subject token of any client's ticket, as the user may reply on any). Proven mail addressed to
    /// the client, on a ticket that is not closed, is the user's public reply, written as them: `ticket.mail-received`
    /// (kind `staff`) and `ticket.commented` with its Message-ID, which meets the response clock, changes no status,
    /// and sends the client no copy (they have the mail). Otherwise the mail is only noted (kind `staff`, as `actor`)
    /// and a warning says why it is not their reply. Nil when it threads onto no ticket: it then opens one as anyone's
    /// mail does.
    func receiveStaffMail(
        _ message: ParsedMessage, messageId: String, sender: MailAddress?, user: UserState, threaded: TicketNumber?, policy: MailPolicy,
        as actor: String, commandId: String
    ) throws -> MailOutcome? {
        guard let login = user.login, let address = sender?.address else { return nil }
        let unproven = MailAuthentication.problem(
            from: address, authenticationResults: message.headers.all("Authentication-Results").map(\.value),
            authservId: configuration.mailAuthservId)
        guard var number = try threaded ?? (unproven == nil ? ticketBySubjectToken(message.subject, client: nil) : nil) else { return nil }
        var summary = try tickets.ticketSummary(number)
        while let target = summary.mergedInto {
            number = target
            summary = try tickets.ticketSummary(target)
        }
        let stream = StreamName.ticket(number)
        let mail = mailEvent(message, messageId: messageId, sender: sender, kind: "staff")
        var why = unproven
        if why == nil, summary.status == .closed { why = "\(number) is closed; reopen it and reply with `docket ticket comment`" }
        if why == nil, try !isToTheClient(message, on: number) {
            why = "it is addressed to no one of the client (a contact, its domains, its thread), so it answers staff, not the client "
                + "(a reply to an SLA notice); an internal note is `docket ticket comment \(number) --internal`"
        }
        if why == nil {
            let text = (message.textBody ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let reply = text.isEmpty ? "(an email without text: \(TicketSubject.fromIntake(message.subject ?? "")))" : text
            let context = try context(for: login)
            do {
                return try kernel.execute(commandId: commandId, actor: login, replay: { _ in .staffReply(number, login: login) }) {
                    let (state, version) = try kernel.load(TicketDecider.self, stream: stream)
                    let decided = try TicketDecider.decide(.replyByMail(reply, messageId: messageId), state: state, context: context)
                    try storeAttachments(message, policy: policy)
                    var request = kernel.request(stream: stream, version: version, events: decided, context: context, commandId: commandId)
                    request.events.insert(mail, at: 0)
                    return CommandKernel.Decision(appends: [request], output: .staffReply(number, login: login), reacting: ReactionCue(context: context))
                }
            } catch let error as DomainError where error.code == .forbidden {
                why = error.message
            }
        }
        try storeAttachments(message, policy: policy)
        let intake = try context(for: actor)
        try store.append(AppendRequest(stream: stream, events: [mail], commandId: commandId, actor: intake.actor.login))
        warnings?(
            "mail \(messageId) from \(address) (user \(login)) is noted on \(number), not taken as \(login)'s reply: \(why ?? "")"
                + (unproven == nil ? "" : "; reply with `docket ticket comment \(number) \"…\"`, or see docs/security.md (staff mail)"))
        return .noted(number, kind: unproven == nil ? "staff mail" : "unverified staff mail")
    }

    /// Whether one of `message`'s To or Cc (other than the support address and users' addresses) is someone of ticket
    /// `number`'s client, as a reply from them would be trusted (``isTrustedReplySender(_:on:)``): a technician's answer
    /// to the client is addressed to them; one to an SLA notice goes to the support address or colleagues only.
    private func isToTheClient(_ message: ParsedMessage, on number: TicketNumber) throws -> Bool {
        let staff = try staffAddresses()
        let recipients = (message.to + message.cc).compactMap(\.address).filter { !staff.contains($0.lowercased()) }
        return try recipients.contains { try isTrustedReplySender($0, on: number) }
    }
}
