/// What template decisions need: the name, whether it is live, and its current text (for no-op updates).
public struct TemplateState: Sendable, Equatable {
    /// The name; nil until first added.
    public var name: String?
    /// True between `template.added` and `template.removed`.
    public var isLive: Bool
    /// The subject line, if any.
    public var subject: String?
    /// The body.
    public var body: String

    /// A state with every field given; streams start from ``TemplateDecider/initialState``.
    public init(name: String? = nil, isLive: Bool = false, subject: String? = nil, body: String = "") {
        self.name = name
        self.isLive = isLive
        self.subject = subject
        self.body = body
    }
}

extension TemplateDecider {
    /// Applies one event.
    public static func evolve(_ state: TemplateState, _ event: TemplateEvent) -> TemplateState {
        var state = state
        switch event {
        case .added(let e):
            state = TemplateState(name: e.name, isLive: true, subject: e.subject, body: e.body)
        case .updated(let e):
            state.subject = e.subject
            state.body = e.body
        case .removed:
            state.isLive = false
        }
        return state
    }
}
