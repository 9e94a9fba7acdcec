import Domain
import EventLog

/// Runs a decider against the log: load a stream, fold it, decide, append with the version it read.
///
/// A concurrent change to the stream surfaces as `WrongExpectedVersion`; the runner reloads and decides
/// once more (safe: the decision is re-made against the new state, so a rule the other writer's change
/// broke is caught), then gives up with the conflict.
public struct CommandRunner: Sendable {
    public let store: EventStore

    public init(store: EventStore) {
        self.store = store
    }

    /// The current state and version of `stream` under decider `D`. Events of types `D` does not know
    /// belong to other subsystems sharing the stream and are passed over; a known type with a malformed
    /// payload is an error.
    public func load<D: Decider>(_: D.Type, stream: String) throws -> (state: D.State, version: UInt64) {
        var state = D.initialState
        var version: UInt64 = 0
        var from: UInt64 = 1
        while true {
            let batch = try store.read(stream: stream, from: from, limit: 1_000)
            for recorded in batch {
                version = recorded.streamVersion
                do {
                    state = D.evolve(state, try D.Event.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload))
                } catch let error as EventDecodingError where error.reason == .unknownType {
                    // Another subsystem's event on this stream (e.g. SLA events on a ticket): not this decider's.
                    continue
                }
            }
            if batch.count < 1_000 { return (state, version) }
            from = version + 1
        }
    }

    /// Decides `command` on `stream` and appends the events. Returns the events and where they landed
    /// (nil when the decision produced no events: the command was already satisfied).
    /// A command id already in the log is a retry: nothing is decided or written, and the events that
    /// command appended the first time are returned.
    @discardableResult
    public func run<D: Decider>(
        _: D.Type, stream: String, command: D.Command, context: DecisionContext, commandId: String? = nil
    ) throws -> (events: [D.Event], result: AppendResult?) {
        if let commandId, let earlier = try earlierEvents(D.self, commandId: commandId, stream: stream) {
            return earlier
        }
        var attempts = 0
        while true {
            attempts += 1
            let (state, version) = try load(D.self, stream: stream)
            let events = try D.decide(command, state: state, context: context)
            guard !events.isEmpty else { return ([], nil) }
            do {
                let result = try store.append(request(stream: stream, version: version, events: events, context: context, commandId: commandId))
                return (events, result)
            } catch let conflict as WrongExpectedVersion where attempts < 2 {
                _ = conflict
                continue
            }
        }
    }

    /// The events a command id appended before, when it is in the log.
    func earlierEvents<D: Decider>(_: D.Type, commandId: String, stream: String) throws -> (events: [D.Event], result: AppendResult?)? {
        guard let earlier = try store.result(ofCommand: commandId) else { return nil }
        guard earlier.stream == stream else {
            throw EventLogError(.commandReused, "command id \(commandId) was already used for stream \(earlier.stream); use a new command id")
        }
        let recorded = try store.read(from: earlier.positions.lowerBound, limit: earlier.positions.count)
        let events = try recorded.map { try D.Event.decode(type: $0.type, schemaVersion: $0.schemaVersion, payload: $0.payload) }
        return (events, earlier)
    }

    /// The append request for decided events, guarded by the version they were decided on.
    public func request<E: DomainEvent>(
        stream: String, version: UInt64, events: [E], context: DecisionContext, commandId: String?
    ) -> AppendRequest {
        AppendRequest(
            stream: stream, expectedVersion: version == 0 ? .noStream : .exact(version),
            events: events.map { NewEvent(type: $0.eventType, schemaVersion: $0.schemaVersion, payload: $0.payload()) },
            commandId: commandId, actor: context.actor.login)
    }
}
