import Domain
import EventLog
import Foundation

/// Docket's one write path. Every command goes through ``execute(commandId:actor:replay:decide:)``:
///
/// 1. a command id already in the log is a retry: nothing is decided or written, and `replay` answers from
///    what the first attempt appended — when the same user gave it for the same request (another user's id, or the
///    id of another request, is refused: a command id never returns what someone else, or something else, did; see
///    ``RequestFingerprint``);
/// 2. `decide` loads the stream(s) it needs, decides with the pure domain and returns the appends, each guarded
///    by the version its stream was read at;
/// 3. a decision with a ``ReactionCue`` gets the follow-ups of ``TicketReactions/all`` added to each ticket append
///    (SLA start, routing, client and staff mail, escalation actions);
/// 4. all appends go in one transaction, so no crash leaves a ticket without its follow-ups;
/// 5. a concurrent change to any of those streams (`WrongExpectedVersion`) makes the kernel wait a bounded,
///    jittered while and decide again from the new state, up to ``RetryPolicy/attempts`` times.
public struct CommandKernel: Sendable {
    public let store: EventStore
    public let retry: RetryPolicy
    let reactions: ReactionRunner
    /// Where the reactions' warnings go once their transaction is in; nil drops them.
    let warnings: (@Sendable (String) -> Void)?

    public init(
        store: EventStore, retry: RetryPolicy = RetryPolicy(), configuration: DocketConfiguration = DocketConfiguration(),
        warnings: (@Sendable (String) -> Void)? = nil
    ) {
        self.store = store
        self.retry = retry
        reactions = ReactionRunner(store: store, configuration: configuration)
        self.warnings = warnings
    }

    /// What one attempt decided: the appends to make together, what the caller gets back, and — for ticket
    /// commands — what the reactions need (nil runs none).
    public struct Decision<Output> {
        public var appends: [AppendRequest]
        public var output: Output
        public var reacting: ReactionCue?
        /// The caller's output from the appends made, reactions' follow-ups included (the entry a close logged);
        /// nil returns ``output``.
        public var finish: (([AppendRequest]) throws -> Output)?

        public init(appends: [AppendRequest], output: Output, reacting: ReactionCue? = nil) {
            self.appends = appends
            self.output = output
            self.reacting = reacting
        }
    }

    /// Runs one command through the kernel (see the type's summary) for `actor` (the login the command acts as). A
    /// decision with no events writes nothing and returns its output.
    public func execute<Output>(
        commandId: String?, actor: String, replay: (AppendResult) throws -> Output, decide: () throws -> Decision<Output>
    ) throws -> Output {
        if let commandId, let earlier = try store.result(ofCommand: commandId) {
            try requireSameRequest(earlier, commandId: commandId, actor: actor)
            return try replay(earlier)
        }
        var attempt = 0
        while true {
            attempt += 1
            let decision = try decide()
            var appends = decision.appends.filter { !$0.events.isEmpty }
            guard !appends.isEmpty else { return decision.output }
            var warned: [String] = []
            if let cue = decision.reacting { (appends, warned) = try reactions.react(appends, cue: cue) }
            stamp(&appends, commandId: commandId)
            do {
                let results = try store.append(appends)
                // Another process ran the same command id between our check and our append.
                if let earlier = results.first(where: \.isRetry), let commandId {
                    try requireSameRequest(earlier, commandId: commandId, actor: actor)
                    return try replay(earlier)
                }
                if let warnings { warned.forEach(warnings) }
                return try decision.finish?(appends) ?? decision.output
            } catch let conflict as WrongExpectedVersion {
                guard attempt < retry.attempts else { throw conflict }
                retry.pause(afterAttempt: attempt)
            } catch let reused as EventLogError where reused.code == .commandReused {
                // Another process ran the same command id between our check and our append, and its decision went to
                // another stream (it took the ticket number this one had chosen): that run is this command's outcome.
                guard let commandId, let earlier = try store.result(ofCommand: commandId) else { throw reused }
                try requireSameRequest(earlier, commandId: commandId, actor: actor)
                return try replay(earlier)
            }
        }
    }

    /// Refuses a retry of `commandId` that is not one: by another user than the one whose command appended `earlier`
    /// (a command id is one user's: two people, or a script and a person, picking the same id must not get each other's
    /// outcome), or for another request than the one stamped on `earlier`'s first event (``RequestFingerprint``; events
    /// appended without a stamp, e.g. before stamps existed, are answered as retries).
    func requireSameRequest(_ earlier: AppendResult, commandId: String, actor: String) throws {
        guard let first = try store.read(from: earlier.positions.lowerBound, limit: 1).first else { return }
        if first.actor != actor {
            throw EventLogError(.commandReused, "command id \(commandId) was already used by another user; use a new command id")
        }
        if let asked = RequestFingerprint.current, asked.commandId == commandId, RequestFingerprint.isStamp(first.eventId),
            first.eventId != asked.eventId
        {
            // Invalid input (exit 65, HTTP 422), as the log's own refusal of a reused id; its instant in the reader's
            // zone where the caller knows it (the CLI), RFC 3339 UTC in the API's problem.
            throw DomainError(
                .invalid,
                timed: "command id \(commandId) was already used for another command (\(first.type) on \(first.stream) at "
                    + "\(time: first.recordedAt)); if that was this command sent another way (the API, then the CLI), it "
                    + "is done; else use a new command id, or repeat that command exactly to retry it")
        }
    }

    /// Gives the first event appended under `commandId` the event id of the request being served
    /// (``RequestFingerprint/current``), when that request gave this command id.
    func stamp(_ appends: inout [AppendRequest], commandId: String?) {
        guard let commandId, let asked = RequestFingerprint.current, asked.commandId == commandId,
            let index = appends.firstIndex(where: { $0.commandId == commandId && !$0.events.isEmpty })
        else { return }
        appends[index].events[0].eventId = asked.eventId
    }

    /// Decides `command` on one stream with decider `D` and appends the events; returns them and where they
    /// landed (nil when the decision produced none: the command was already satisfied). A retried command id
    /// returns the events it appended the first time.
    @discardableResult
    public func run<D: Decider>(
        _: D.Type, stream: String, command: D.Command, context: DecisionContext, commandId: String? = nil
    ) throws -> (events: [D.Event], result: AppendResult?) {
        try execute(
            commandId: commandId, actor: context.actor.login, replay: { try earlierEvents(D.self, commandId: commandId, result: $0, stream: stream) }
        ) {
            let (state, version) = try load(D.self, stream: stream)
            let events = try D.decide(command, state: state, context: context)
            return Decision(
                appends: [request(stream: stream, version: version, events: events, context: context, commandId: commandId)],
                output: (events, nil))
        }
    }

    /// The current state and version of `stream` under decider `D`. Events of types `D` does not know
    /// belong to other subsystems sharing the stream and are passed over; a known type with a malformed
    /// payload is an error.
    public func load<D: Decider>(_: D.Type, stream: String) throws -> (state: D.State, version: UInt64) {
        try store.fold(D.self, stream: stream)
    }

    /// User `login`'s state for deciding who the actor is and what they may do: `load`, with each of the user's events
    /// checked against the hash chain first (`EventStore.checkChain`), so that a damaged event is reported as damage
    /// (a bit flipped in a `user.added` made its user unknown: "only an admin may …", exit 5, on a store only `verify`
    /// called damaged).
    public func loadUser(_ login: String) throws -> (state: UserState, version: UInt64) {
        try store.fold(UserDecider.self, stream: StreamName.user(login), checked: true)
    }

    /// The events of `D` a command appended before (`result` from ``EventStore/result(ofCommand:)``) on `stream`.
    /// A command id first used on another stream is refused: the caller reused an id.
    public func earlierEvents<D: Decider>(
        _: D.Type, commandId: String?, result: AppendResult, stream: String
    ) throws -> (events: [D.Event], result: AppendResult?) {
        guard result.stream == stream else {
            throw EventLogError(
                .commandReused, "command id \(commandId ?? "") was already used for stream \(result.stream); use a new command id")
        }
        let recorded = try store.read(from: result.positions.lowerBound, limit: result.positions.count)
        let events = try recorded.compactMap { recorded -> D.Event? in
            do {
                return try D.Event.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            } catch let error as EventDecodingError where error.reason == .unknownType {
                return nil  // a reaction's event (mail queued with a reply), not the decider's
            }
        }
        return (events, result)
    }

    /// The append request for decided events, guarded by the version they were decided on, by the versions of the
    /// other streams the decision read (`read`: stream → version; ``AppendRequest/guards``), and by how many streams
    /// each family it listed had (`listed`: name prefix → count; ``AppendRequest/listGuards``).
    public func request<E: DomainEvent>(
        stream: String, version: UInt64, events: [E], context: DecisionContext, commandId: String?, read: [String: UInt64] = [:],
        listed: [String: UInt64] = [:]
    ) -> AppendRequest {
        AppendRequest(
            stream: stream, expectedVersion: Self.expected(version), events: events.map(NewEvent.init), commandId: commandId,
            actor: context.actor.login,
            guards: read.sorted { $0.key < $1.key }.map { StreamGuard(stream: $0.key, expectedVersion: Self.expected($0.value)) },
            listGuards: listed.sorted { $0.key < $1.key }.map { StreamListGuard(prefix: $0.key, count: $0.value) })
    }

    /// What a stream read at `version` must still be: not there (0), or exactly at it.
    private static func expected(_ version: UInt64) -> ExpectedVersion { version == 0 ? .noStream : .exact(version) }

    /// The first `n >= first` for which `stream(n)` does not exist yet, from the log's stream index (not a read
    /// model); see ``EventStore/nextFree(from:stream:)``.
    public func nextFree(from first: Int, stream: (Int) -> String) throws -> Int {
        try store.nextFree(from: first, stream: stream)
    }
}

extension EventStore {
    /// The first `n >= first` for which `stream(n)` does not exist yet, from the log's stream index. Numbered
    /// streams (tickets, time entries) are created in order without gaps, so the existing ones are a prefix and a
    /// doubling probe then a binary search finds the end in O(log n) lookups.
    func nextFree(from first: Int, stream: (Int) -> String) throws -> Int {
        func exists(_ n: Int) throws -> Bool { try version(of: stream(n)) > 0 }
        guard try exists(first) else { return first }
        var low = first  // exists
        var step = 1
        while try exists(low + step) {
            low += step
            step *= 2
        }
        var high = low + step  // does not exist
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if try exists(middle) { low = middle } else { high = middle }
        }
        return high
    }
}

extension NewEvent {
    /// The log's form of a domain event.
    public init(_ event: some DomainEvent) {
        self.init(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload())
    }
}

/// How long the kernel keeps deciding again when other writers change its streams first: up to `attempts`
/// decisions, with a random pause before each retry of up to `baseMilliseconds · 2^(n-1)`, capped at
/// `maxMilliseconds` ("full jitter", so racing writers spread out instead of colliding again in step).
public struct RetryPolicy: Sendable, Equatable {
    public var attempts: Int
    public var baseMilliseconds: Int
    public var maxMilliseconds: Int

    public init(attempts: Int = 50, baseMilliseconds: Int = 2, maxMilliseconds: Int = 500) {
        self.attempts = max(1, attempts)
        self.baseMilliseconds = max(0, baseMilliseconds)
        self.maxMilliseconds = max(0, maxMilliseconds)
    }

    /// The longest pause before retry number `attempt + 1`, in milliseconds.
    public func ceiling(afterAttempt attempt: Int) -> Int {
        let doublings = min(max(attempt - 1, 0), 20)
        return min(maxMilliseconds, baseMilliseconds << doublings)
    }

    /// The pause before the next attempt: uniform in `0...ceiling(afterAttempt:)`.
    public func delay(afterAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Int {
        Int.random(in: 0...ceiling(afterAttempt: attempt), using: &random)
    }

    /// The most all retries together can wait, in milliseconds.
    public var worstCaseMilliseconds: Int { (1..<attempts).reduce(0) { $0 + ceiling(afterAttempt: $1) } }

    @available(*, noasync, message: "sleeps the calling thread")
    func pause(afterAttempt attempt: Int) {
        var random = SystemRandomNumberGenerator()
        let milliseconds = delay(afterAttempt: attempt, using: &random)
        if milliseconds > 0 { usleep(useconds_t(milliseconds * 1_000)) }
    }
}
