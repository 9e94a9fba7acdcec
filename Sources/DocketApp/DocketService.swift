import DocketTime
import Domain
import EventLog

/// The read models a Docket store keeps. Add one here and every store catches it up on the next open.
public struct ReadModels: Sendable {
    public let streamCounts = StreamCounts()
    public let queue = QueueProjection()
    public let alerts = AlertsProjection()
    public let mail = MailIntakeProjection()
    public let sla = SLAProjection()
    public let outbox = OutboxProjection()
    public let time = TimeProjection()
    public let billing = BillingProjection()

    public init() {}

    /// All of them, in the order they are applied.
    public var all: [any Projection] { [streamCounts, queue, alerts, mail, sla, outbox, time, billing] }
}

extension StreamCounts: @unchecked Sendable {}
// @unchecked Sendable: the projection's only state is its database handles, set once when the store opens.
extension QueueProjection: @unchecked Sendable {}
// @unchecked Sendable: the database handles are set once when the store opens; its pending rows guard themselves.

/// The application: Docket's use cases over the event log. Each method resolves the acting user,
/// loads what the decision needs, decides with the pure domain, and appends.
public struct DocketService: Sendable {
    public let store: EventStore
    public let models: ReadModels
    /// The one write path every command goes through.
    public let kernel: CommandKernel
    let clock: any WallClock
    /// Where warnings go that must not stop a command (intake opening a ticket without an SLA); the CLI prints them
    /// on stderr. Nil drops them.
    public var warnings: (@Sendable (String) -> Void)?
    /// The deployment's settings (the support address).
    public let configuration: DocketConfiguration

    public init(
        store: EventStore, models: ReadModels, clock: any WallClock, configuration: DocketConfiguration = DocketConfiguration(),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.store = store
        self.models = models
        self.kernel = CommandKernel(store: store, retry: retry)
        self.clock = clock
        self.configuration = configuration
    }

    /// The decision context for `login`: refuses unknown and deactivated users.
    public func context(for login: String) throws -> DecisionContext {
        let (state, _) = try kernel.load(UserDecider.self, stream: StreamName.user(login))
        return DecisionContext(actor: try UserDecider.actor(login: login, state: state), now: clock.now())
    }

    /// The instant a view looks at the SLA clocks: the clock's time, or the log's last `recordedAt` when the
    /// clock is behind it (a clock is never asked about an instant before the events folded into it).
    public func now() throws -> Timestamp {
        try notBeforeHead(clock.now())
    }

    /// `instant`, or the log's last `recordedAt` when that is later: the instant the log records an event
    /// decided at `instant` (it never records one earlier than its head). The SLA clock counts from the
    /// events' recorded instants, so what it is started with must be the same instant.
    func notBeforeHead(_ instant: Timestamp) throws -> Timestamp {
        max(instant, try store.head().recordedAt)
    }
}
