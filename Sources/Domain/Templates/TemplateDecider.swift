/// The reply-template aggregate (stream `template-<name>`).
public enum TemplateDecider: Decider {
    public static let initialState = TemplateState()

    /// Decides `command`. Needs ``Action/manageTemplates``. Subjects and bodies may use only
    /// ``TemplatePlaceholder/known`` placeholders; a mail template (``MailTemplate``) has no subject and its body may
    /// use its own placeholders.
    public static func decide(
        _ command: TemplateCommand, state: TemplateState, context: DecisionContext
    ) throws(DomainError) -> [TemplateEvent] {
        try Permissions.require(.manageTemplates, by: context.actor.role)
        switch command {
        case .add(let name, let subject, let body):
            if let existing = state.name, state.isLive {
                throw DomainError(
                    .conflict,
                    "template \(existing) already exists; change it with `docket template update \(existing)`")
            }
            let name = try Validate.slug(name, "template name", length: 2...64)
            // `mail-` names are the mail templates': a misspelt one would be kept as a reply template while the mail
            // it meant to change went on as before.
            if name.hasPrefix("mail-"), MailTemplate.named(name) == nil {
                throw DomainError(
                    .invalid,
                    "template names starting with mail- are Docket's mail templates (\(MailTemplate.all.map(\.name).joined(separator: ", "))); "
                        + "check the spelling, or give a reply template another name")
            }
            let (subject, body) = try validated(name: name, subject: subject, body: body)
            return [.added(TemplateAdded(name: name, subject: subject, body: body))]
        case .update(let subject, let body):
            let name = try requireLive(state)
            let (subject, body) = try validated(name: name, subject: subject, body: body)
            guard subject != state.subject || body != state.body else { return [] }
            return [.updated(TemplateUpdated(subject: subject, body: body))]
        case .remove:
            guard state.name != nil else { throw missing }
            return state.isLive ? [.removed(TemplateRemoved())] : []
        }
    }

    private static func validated(name: String, subject: String?, body: String) throws(DomainError) -> (String?, String) {
        let subject = Validate.optional(subject)
        _ = try Validate.nonEmpty(body, "the template body", fix: "write the reply text")
        guard let mail = MailTemplate.named(name) else {
            if let subject { try TemplatePlaceholder.validate(subject) }
            try TemplatePlaceholder.validate(body)
            return (subject, body)
        }
        guard subject == nil else {
            throw DomainError(
                .invalid, "mail template \(name) has no subject (Docket writes it, with the [T-1042] token replies thread by); leave out --subject")
        }
        try TemplatePlaceholder.validate(body, allowed: mail.allowedPlaceholders)
        return (nil, body)
    }

    private static var missing: DomainError {
        DomainError(.notFound, "no such template; list templates with `docket template list`")
    }

    private static func requireLive(_ state: TemplateState) throws(DomainError) -> String {
        guard let name = state.name else { throw missing }
        guard state.isLive else {
            throw DomainError(
                .notFound, "template \(name) was removed; add it again with `docket template add \(name)`")
        }
        return name
    }
}
