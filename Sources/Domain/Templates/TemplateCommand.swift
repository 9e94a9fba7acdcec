/// What a user asks of a reply template (stream `template-<name>`).
public enum TemplateCommand: Sendable, Equatable {
    /// Add a template (or add a removed one again).
    case add(name: String, subject: String?, body: String)
    /// Replace the subject and body.
    case update(subject: String?, body: String)
    /// Remove the template.
    case remove
}
