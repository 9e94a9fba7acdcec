import Domain
import EventLog

extension DirectoryService {
    /// Runs a template command as `actor`.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func template(_ name: String, _ command: TemplateCommand, as actor: String, commandId: String? = nil) throws -> [TemplateEvent] {
        try kernel.run(TemplateDecider.self, stream: StreamName.template(name), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// A live template, or a not-found error.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func template(_ name: String) throws -> TemplateState {
        let (state, _) = try kernel.load(TemplateDecider.self, stream: StreamName.template(name))
        guard state.isLive else {
            throw DomainError(.notFound, "unknown template \(name); list templates with `docket template list`")
        }
        return state
    }

    /// Every live template, in name order.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func templates() throws -> [TemplateState] {
        try store.streams(prefix: "template-").map { try kernel.load(TemplateDecider.self, stream: $0.name).state }
            .filter(\.isLive)
    }
}
