/// Something that happened to a reply template (stream `template-<name>`).
public enum TemplateEvent: Sendable, Equatable {
    /// See ``TemplateAdded``.
    case added(TemplateAdded)
    /// See ``TemplateUpdated``.
    case updated(TemplateUpdated)
    /// See ``TemplateRemoved``.
    case removed(TemplateRemoved)
}

/// `template.added.v1`.
public struct TemplateAdded: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "template", type: "template.added", schemaVersion: 1,
        summary: "A reply template was added (or added again after removal).")
    /// The template's name.
    public var name: String
    /// The subject line, if any; may hold placeholders.
    public var subject: String?
    /// The body; may hold placeholders.
    public var body: String

    /// A payload with the given fields.
    public init(name: String, subject: String?, body: String) {
        self.name = name
        self.subject = subject
        self.body = body
    }
}

/// `template.updated.v1`: the complete new subject and body.
public struct TemplateUpdated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "template", type: "template.updated", schemaVersion: 1,
        summary: "A template's subject and body were replaced (absent subject means none).")
    /// The subject line, if any.
    public var subject: String?
    /// The body.
    public var body: String

    /// A payload with the given fields.
    public init(subject: String?, body: String) {
        self.subject = subject
        self.body = body
    }
}

/// `template.removed.v1`.
public struct TemplateRemoved: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "template", type: "template.removed", schemaVersion: 1,
        summary: "The template was removed; its name may be added again.")
    /// The payload (it has no fields).
    public init() {}
}

extension TemplateEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<TemplateEvent>] = [
        .init(TemplateAdded.self) { .added($0) },
        .init(TemplateUpdated.self) { .updated($0) },
        .init(TemplateRemoved.self) { .removed($0) },
    ]
}
