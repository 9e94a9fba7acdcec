import Domain
import EventLog

/// Who and what Docket knows: users, clients and their contacts, contracts, reply templates, API tokens, SLA
/// policies and calendars (contracts name them), and routing rules. It depends on no other service.
public struct DirectoryService: Sendable, FeatureService {
    let shared: ServiceContext

    init(shared: ServiceContext) { self.shared = shared }

    /// Creates the first admin when the store has no users; returns false when users exist already.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func bootstrapAdmin(login: String, name: String, email: String) throws -> Bool {
        guard try store.streams(prefix: "user-").isEmpty else { return false }
        let events = try UserDecider.bootstrapAdmin(login: login, name: name, email: email, now: clock.now(), isFirstUser: true)
        let context = DecisionContext(actor: Actor(login: login, role: .admin), now: clock.now())
        try store.append(kernel.request(stream: StreamName.user(login), version: 0, events: events, context: context, commandId: nil))
        return true
    }

    /// Runs a user command for `login` as `actor`.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func user(_ login: String, _ command: UserCommand, as actor: String, commandId: String? = nil) throws -> [UserEvent] {
        let context = try context(for: actor)
        do {
            return try kernel.run(UserDecider.self, stream: StreamName.user(login), command: command, context: context, commandId: commandId).events
        } catch let error as DomainError where error.code == .notFound {
            // The decider finds only the user it decides on missing, and cannot name them from an empty stream.
            throw DomainError(.notFound, "unknown user \(login); list users with `docket user list`")
        }
    }

    /// A user's state, or a not-found error.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func user(_ login: String) throws -> UserState { try LogState(store: store).user(login) }

    /// Every user, in login order.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func users() throws -> [UserState] { try LogState(store: store).users() }

    /// The user's snapshot for a decision that names them (an assignee), nil when unknown.
    func userSnapshot(_ login: String) throws -> UserSnapshot? {
        try kernel.load(UserDecider.self, stream: StreamName.user(login)).state.snapshot
    }
}
