import BusinessTime
import DocketTime
import Domain
import EventLog

/// What the command kernel needs to run the reactions of a decision: who acts (and when), and the routing rule
/// that matched each ticket being opened (by ticket stream).
public struct ReactionCue: Sendable {
    public var context: DecisionContext
    public var routing: [String: RoutingDecision]

    public init(context: DecisionContext, routing: [String: RoutingDecision] = [:]) {
        self.context = context
        self.routing = routing
    }

    /// Both cues' routing (the first context), for decisions put together in one transaction.
    func merged(with other: ReactionCue?) -> ReactionCue {
        ReactionCue(context: context, routing: routing.merging(other?.routing ?? [:]) { first, _ in first })
    }
}

/// Runs ``TicketReactions/all`` on each ticket append of a decision and adds their follow-ups to the same append,
/// reading the state they need from the log as the decision leaves it (``LogState``).
struct ReactionRunner: Sendable {
    let store: EventStore
    let configuration: DocketConfiguration

    /// `appends` with every ticket append's follow-ups added after its events (those on other streams in appends
    /// before it), and the reactions' warnings.
    func react(_ appends: [AppendRequest], cue: ReactionCue) throws -> (appends: [AppendRequest], warnings: [String]) {
        var appends = appends
        var warnings: [String] = []
        var index = 0
        while index < appends.count {
            defer { index += 1 }
            let stream = appends[index].stream
            guard stream.hasPrefix("ticket-"), let number = TicketNumber(String(stream.dropFirst("ticket-".count))) else { continue }
            let caused = try appends[index].events.map { try DocketEvent.decode(type: $0.type, schemaVersion: $0.schemaVersion, payload: $0.payload) }
            guard !caused.isEmpty else { continue }
            let input = ReactionInput(
                ticket: number, caused: caused, context: cue.context, recordedAt: max(cue.context.now, try store.head().recordedAt),
                routing: cue.routing[stream], supportAddress: configuration.supportAddress, messageSeed: UInt64.random(in: 0...UInt64.max),
                surveySecret: caused.contains { if case .ticket(.closed) = $0 { true } else { false } } ? PortalService.surveySecret() : nil)
            let reads = StreamReads()
            let state = LogState(store: store, ticketStream: stream, pending: appends, reads: reads)
            let output = try TicketReactions.run(input, state: state)
            appends[index].events += output.events.map(NewEvent.init)
            if !output.warnings.isEmpty {
                let time = Self.clientTime(of: caused, in: state)
                warnings += output.warnings.map { $0.text(time.text(_:)) }
            }
            for followUp in output.elsewhere {
                let events = followUp.events.map(NewEvent.init)
                if let other = appends.firstIndex(where: { $0.stream == followUp.stream }) {
                    appends[other].events += events
                    continue
                }
                let version = reads.versions[followUp.stream] ?? 0
                appends.insert(
                    AppendRequest(
                        stream: followUp.stream, expectedVersion: version == 0 ? .noStream : .exact(version), events: events,
                        actor: cue.context.actor.login),
                    at: index)
                index += 1
            }
        }
        return (appends, warnings)
    }

    /// How a ticket's warnings name instants (an SLA policy that starts later): in its client's zone, where its SLA,
    /// contracts and bills are read, named (`2026-11-09 09:00 EST`); UTC for a client without one.
    static func clientTime(of caused: [DocketEvent], in state: LogState) -> ZoneText {
        let client = state.ticket(history: (try? state.ticketHistory()) ?? [], caused: caused).state.client
        return ZoneText(zone: (try? state.client(client)).flatMap { WallTimeZone($0.timeZone) } ?? .utc)
    }
}
