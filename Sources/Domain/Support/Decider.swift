/// The shape of every aggregate: a starting state, a pure decision that may refuse, and a total fold.
///
/// The application reads a stream, folds its events with ``evolve(_:_:)`` from ``initialState``,
/// calls ``decide(_:state:context:)``, and appends the returned events with the stream version it read.
/// An empty result means there is nothing to do (the command is already satisfied).
public protocol Decider {
    /// What the user asks for, in the imperative.
    associatedtype Command: Sendable
    /// What happened, in the past tense; what the log stores.
    associatedtype Event: DomainEvent
    /// What decisions need to know, nothing more.
    associatedtype State: Sendable, Equatable

    /// The state of a stream with no events.
    static var initialState: State { get }

    /// Checks permission and rules, then returns the events that carry out `command`.
    static func decide(_ command: Command, state: State, context: DecisionContext) throws(DomainError) -> [Event]

    /// Applies one event. Never fails: events are facts.
    static func evolve(_ state: State, _ event: Event) -> State
}

extension Decider {
    /// The state after `events`, from ``initialState``.
    public static func fold(_ events: some Sequence<Event>) -> State {
        events.reduce(initialState, evolve)
    }
}
