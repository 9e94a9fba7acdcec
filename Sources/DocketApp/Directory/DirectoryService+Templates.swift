import Domain
import EventLog

extension DirectoryService {
    /// Runs a template command as `actor`. Updating a mail template (``MailTemplate``) the store does not hold yet
    /// (it runs on its shipped default) adds it; removing one the store never held changes nothing (no events). Changing
    /// any other template the store never held is refused, naming it.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func template(_ name: String, _ command: TemplateCommand, as actor: String, commandId: String? = nil) throws -> [TemplateEvent] {
        var command = command
        let isMail = MailTemplate.named(name) != nil
        switch command {
        case .update(let subject, let body) where isMail:
            if try LogState(store: store).storedTemplate(name) == nil { command = .add(name: name, subject: subject, body: body) }
        case .update, .remove:
            // A template never added has an empty stream, whose state the decider cannot name.
            if try store.version(of: StreamName.template(name)) == 0 {
                try Permissions.require(.manageTemplates, by: try context(for: actor).actor.role)
                guard isMail else {
                    // Updating one that was never added is most likely meant to add it: say how.
                    let fix = if case .update = command { "add it with `docket template add \(name) --body …`, or " } else { "" }
                    throw DomainError(.notFound, "unknown template \(name); \(fix)list templates with `docket template list`")
                }
                return []
            }
        case .add:
            break
        }
        return try kernel.run(TemplateDecider.self, stream: StreamName.template(name), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// A live template, or a not-found error. A mail template the store does not hold is its shipped default.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func template(_ name: String) throws -> TemplateState {
        if let stored = try LogState(store: store).storedTemplate(name) { return stored }
        if let mail = MailTemplate.named(name) { return TemplateState(name: name, isLive: true, body: mail.defaultBody) }
        throw DomainError(.notFound, "unknown template \(name); list templates with `docket template list`")
    }

    /// Every live template the store holds, in name order (mail templates on their shipped default are not among them).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func templates() throws -> [TemplateState] {
        try store.streams(prefix: "template-").map { try kernel.load(TemplateDecider.self, stream: $0.name).state }
            .filter(\.isLive)
    }

    /// Every template in force, in name order: the live stored ones (`isDefault` false) and the mail templates the
    /// store does not hold, on their shipped default (`isDefault` true).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func templatesInForce() throws -> [(template: TemplateState, isDefault: Bool)] {
        let stored = try templates()
        let defaults = MailTemplate.all.filter { mail in !stored.contains { $0.name == mail.name } }
            .map { (template: TemplateState(name: $0.name, isLive: true, body: $0.defaultBody), isDefault: true) }
        return (stored.map { (template: $0, isDefault: false) } + defaults).sorted { ($0.template.name ?? "") < ($1.template.name ?? "") }
    }
}
