import Domain
import EventLog

/// The write side's reads: aggregates folded from their streams in the log (never from a read model), as a
/// transaction being decided leaves them — events of `pending` appends are folded in after the stored ones. The
/// directory's lookups and the reactions' ``ReactionState`` both read through it.
struct LogState: ReactionState {
    let store: EventStore
    /// The ticket whose history ``ticketHistory()`` reads, if any.
    var ticketStream: String?
    /// Appends decided but not yet made (the events a reaction reacts to).
    var pending: [AppendRequest] = []
    /// Where the version each stream was read at is noted, when the reads guard an append (``StreamReads``).
    var reads: StreamReads? = nil

    /// The state and version of `stream` under decider `D` (see ``EventStore/fold(_:stream:)``), with `pending` folded in.
    func fold<D: Decider>(_: D.Type, stream: String) throws -> D.State {
        var (state, version) = try store.fold(D.self, stream: stream)
        reads?.note(stream, version)
        for request in pending where request.stream == stream {
            for event in request.events {
                guard let decoded = try? D.Event.decode(type: event.type, schemaVersion: event.schemaVersion, payload: event.payload) else { continue }
                state = D.evolve(state, decoded)
            }
        }
        return state
    }

    func ticketHistory() throws -> [DocketEvent] {
        guard let ticketStream else { return [] }
        return try history(of: ticketStream)
    }

    func ticketHistory(of number: TicketNumber) throws -> [DocketEvent] { try history(of: StreamName.ticket(number)) }

    /// The events of ticket stream `stream`, those of types this Docket does not know left out.
    private func history(of stream: String) throws -> [DocketEvent] {
        try store.read(stream: stream).compactMap { recorded in
            do {
                return try DocketEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            } catch let error as EventDecodingError where error.reason == .unknownType {
                return nil  // a newer Docket's event: no reaction reads it
            }
        }
    }

    func client(_ code: String) throws -> ClientState {
        let state = try fold(ClientDecider.self, stream: StreamName.client(code))
        guard state.code != nil else { throw DomainError(.notFound, "unknown client \(code); list clients with `docket client list`") }
        return state
    }

    func user(_ login: String) throws -> UserState {
        let state = try fold(UserDecider.self, stream: StreamName.user(login))
        guard state.login != nil else { throw DomainError(.notFound, "unknown user \(login); list users with `docket user list`") }
        return state
    }

    func users() throws -> [UserState] {
        try store.streams(prefix: "user-").map { try fold(UserDecider.self, stream: $0.name) }
    }

    func notifyChannels() throws -> [NotifyState] {
        try store.streams(prefix: "notify-").sorted { $0.name < $1.name }.map { try fold(NotifyDecider.self, stream: $0.name) }.filter(\.isActive)
    }

    func surveySettings(client: String) throws -> (store: SurveySettings, client: SurveySettings) {
        (try fold(SurveyDecider.self, stream: StreamName.surveySettings), try fold(SurveyDecider.self, stream: StreamName.clientSurveySettings(client)))
    }

    func storedTemplate(_ name: String) throws -> TemplateState? {
        let state = try fold(TemplateDecider.self, stream: StreamName.template(name))
        return state.isLive ? state : nil
    }

    /// Every contract, or only `client`'s.
    func contracts(of client: String?) throws -> [ContractState] {
        try store.streams(prefix: "contract-").map { try fold(ContractDecider.self, stream: $0.name) }
            .filter { client == nil || $0.client == client }
    }

    func contracts(client: String) throws -> [ContractState] { try contracts(of: client) }

    func slaPolicy(_ id: String) throws -> SLAPolicyState {
        let state = try fold(SLAPolicyDecider.self, stream: StreamName.slaPolicy(id))
        guard state.id != nil else { throw DomainError(.notFound, "unknown SLA policy \(id); list policies with `docket sla-policy list`") }
        return state
    }

    func calendar(_ id: String) throws -> CalendarState {
        if let builtIn = CalendarState.builtIn(id) { return builtIn }
        let state = try fold(CalendarDecider.self, stream: StreamName.calendar(id))
        guard state.id != nil else { throw DomainError(.notFound, "unknown calendar \(id); list calendars with `docket calendar list`") }
        return state
    }

    func nextTimeEntryNumber() throws -> Int {
        let n = try store.nextFree(from: 1) { StreamName.timeEntry("TE-\($0)") }
        reads?.note(StreamName.timeEntry("TE-\(n)"), 0)
        return n
    }
}

/// The version each stream was at when the reactions read it: their follow-ups on a stream are appended expecting
/// that version, so a concurrent change makes the command decide again. Used by one decision on one thread.
final class StreamReads {
    private(set) var versions: [String: UInt64] = [:]

    /// Notes the version `stream` was read at; the first read counts.
    func note(_ stream: String, _ version: UInt64) {
        if versions[stream] == nil { versions[stream] = version }
    }
}

extension EventStore {
    /// The current state and version of `stream` under decider `D`. Events of types `D` does not know belong to
    /// other subsystems sharing the stream and are passed over; a known type with a malformed payload is an error.
    /// `checked`: every event is checked against the hash chain first (`checkChain`), for identity.
    func fold<D: Decider>(_: D.Type, stream: String, checked: Bool = false) throws -> (state: D.State, version: UInt64) {
        var state = D.initialState
        var version: UInt64 = 0
        var from: UInt64 = 1
        while true {
            let batch = try read(stream: stream, from: from, limit: 1_000)
            if checked { try checkChain(batch) }
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
}
