import DocketTime
import Domain
import EventLog
import LMDB

/// The read models a Docket store keeps. Add one here and every store catches it up on the next open.
/// Each instance is one store's set: queue, sla and billing share a decoder of ticket events (`TicketChanges`), no global.
public struct ReadModels: Sendable {
    public let streamCounts = StreamCounts()
    public let queue: QueueProjection
    public let alerts = AlertsProjection()
    public let mail = MailIntakeProjection()
    public let sla: SLAProjection
    public let outbox = OutboxProjection()
    public let time = TimeProjection()
    public let billing: BillingProjection

    public init() {
        let changes = TicketChanges()
        queue = QueueProjection(changes: changes)
        sla = SLAProjection(changes: changes)
        billing = BillingProjection(changes: changes)
    }

    /// All of them, in the order they are applied.
    public var all: [any Projection] { [streamCounts, queue, alerts, mail, sla, outbox, time, billing] }
}

extension StreamCounts: @unchecked Sendable {}
// @unchecked Sendable: the projection's only state is its database handles, set once when the store opens.
extension QueueProjection: @unchecked Sendable {}
// @unchecked Sendable: the database handles are set once when the store opens; its pending rows guard themselves.

/// The application: Docket's use cases over the event log, one feature service per part of the product.
///
/// The services depend on each other in one direction only (docs/architecture.md, "Feature services"):
///
///     directory
///     outbox
///     billing  → directory
///     sla      → directory
///     tickets  → directory, billing
///     intake   → directory, tickets
///     portal   → directory, tickets
///
/// Each service receives the ones it uses at init; services are values holding their dependencies, so a cycle
/// would not compile (a struct cannot contain itself). Follow-ups (SLA start, routing, client and staff mail,
/// escalation actions) are no service's: they are ``TicketReactions`` the command kernel runs on every ticket append.
public struct DocketApplication: Sendable {
    /// What every service shares: the store, its read models, the kernel, the clock and the configuration.
    public let shared: ServiceContext
    /// Users, clients and contacts, contracts, templates, API tokens, SLA policies and calendars, routing rules.
    public let directory: DirectoryService
    /// Queued client and staff mail, and its delivery.
    public let outbox: OutboxService
    /// Time entries, timers, invoices and the billing reports.
    public let billing: BillingService
    /// SLA clocks: the time-driven events, reading the clocks, the SLA report.
    public let sla: SLAService
    /// Opening, changing, merging and closing tickets, and reading them.
    public let tickets: TicketService
    /// Email and monitoring alerts turned into tickets, with routing.
    public let intake: IntakeService
    /// The client portal: sign-in links and sessions for clients' contacts, and their tickets.
    public let portal: PortalService
    /// The log itself, below the use cases: reading, raw appends, export, backup, verify, replay (admin tools).
    public let log: LogService

    /// Opens the services over `store`. `warnings` receives what must not stop a command (intake opening a ticket
    /// without an SLA); the CLI prints them on stderr. Nil drops them.
    public init(
        store: EventStore, models: ReadModels, clock: any WallClock, configuration: DocketConfiguration = DocketConfiguration(),
        retry: RetryPolicy = RetryPolicy(), warnings: (@Sendable (String) -> Void)? = nil
    ) {
        self.init(
            ServiceContext(
                store: store, models: models,
                kernel: CommandKernel(store: store, retry: retry, configuration: configuration, warnings: warnings), clock: clock,
                configuration: configuration, warnings: warnings))
    }

    private init(_ shared: ServiceContext) {
        self.shared = shared
        directory = DirectoryService(shared: shared)
        outbox = OutboxService(shared: shared)
        billing = BillingService(shared: shared, directory: directory)
        sla = SLAService(shared: shared, directory: directory)
        tickets = TicketService(shared: shared, directory: directory, billing: billing)
        intake = IntakeService(shared: shared, directory: directory, tickets: tickets)
        portal = PortalService(shared: shared, directory: directory, tickets: tickets, billing: billing)
        log = LogService(store: shared.store)
    }

    /// Opens (creating when missing) the store at `path` with Docket's read models, and the application over it.
    /// Lagging read models are not caught up here: see ``LogService/catchUp(progress:)``. With `checkPages`, every page
    /// of the file is checked before LMDB walks it (for commands that walk whole databases; docs/security.md).
    /// `live`: for a linked replay at `path`, the open application of the live store it reads (the server's), instead
    /// of opening that store again. `foldThreads`: the threads its bulk folds use (catch-up, rebuild, replay, import;
    /// `EventStore.foldThreads`), nil for the processors available. `warnings`, when given, also receives the store's
    /// own (`EventStore.warnings`: an anchor it could not write, a snapshot it will not use).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public static func open(
        _ path: String, clock: any WallClock, configuration: DocketConfiguration = DocketConfiguration(), checkPages: Bool = false,
        warnings: (@Sendable (String) -> Void)? = nil, linkedTo live: DocketApplication? = nil, foldThreads: Int? = nil
    ) throws -> DocketApplication {
        let models = ReadModels()
        var options = Environment.Options()
        options.checkPages = checkPages
        let store = try EventStore(path: path, options: options, clock: clock, projections: models.all, linkedTo: live?.store)
        if let foldThreads { store.foldThreads = foldThreads }
        // The store's own warnings (an anchor not written, a snapshot not used) go where the services' go: under
        // `docket serve`, to its logger or the client whose command it is, never raw onto the server's stderr.
        if let warnings { store.warnings = warnings }
        var context = DocketApplication(store: store, models: models, clock: clock, configuration: configuration, warnings: warnings).shared
        // A replay of `live` is read by its users as they are now (``ServiceContext/readers``).
        context.readers = live?.kernel
        return DocketApplication(context)
    }

    /// The event store.
    public var store: EventStore { shared.store }
    /// The read models.
    public var models: ReadModels { shared.models }
    /// The one write path every command goes through.
    public var kernel: CommandKernel { shared.kernel }
    /// The deployment's settings (the support address).
    public var configuration: DocketConfiguration { shared.configuration }

    /// The decision context for `login`: refuses unknown and deactivated users.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func context(for login: String) throws -> DecisionContext { try shared.context(for: login) }

    /// User `login` as they read now: on a replay made for one read (`--as-of`, `?asOf=`), the live store's user, so the
    /// time zone their times are written in and the role deciding what they see are theirs now, not the ones they had then.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func reader(_ login: String) throws -> UserState { try shared.reader(login) }

    /// The clock the services read: it stamps decisions and says when "now" is for views.
    public var clock: any WallClock { shared.clock }

    /// The same application over the same store, reading `clock` instead: a replay is looked at on a clock fixed at
    /// the moment it shows (``LogService/replayMoment``), so its views are those the live store showed then.
    public func reading(at clock: any WallClock) -> DocketApplication {
        var context = DocketApplication(
            store: shared.store, models: shared.models, clock: clock, configuration: shared.configuration, warnings: shared.warnings
        ).shared
        context.readers = shared.readers
        return DocketApplication(context)
    }

    /// The instant a view looks at the SLA clocks: the clock's time, or the log's last `recordedAt` when the
    /// clock is behind it (a clock is never asked about an instant before the events folded into it).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func now() throws -> Timestamp { try shared.notBeforeHead(shared.clock.now()) }
}
