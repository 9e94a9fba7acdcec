import DocketTime
import Domain
import EventLog

/// What every feature service shares: the store, its read models, the command kernel, the clock, the
/// configuration and where warnings go. It holds no service, so no service reaches another through it.
public struct ServiceContext: Sendable {
    public let store: EventStore
    public let models: ReadModels
    /// The one write path every command goes through.
    public let kernel: CommandKernel
    let clock: any WallClock
    /// The deployment's settings (the support address).
    public let configuration: DocketConfiguration
    /// Where warnings go that must not stop a command (the kernel sends the reactions' there too); nil drops them.
    let warnings: (@Sendable (String) -> Void)?
    /// Where the users who read come from when it is not this store: the live store's kernel, for a replay of it made
    /// for one read (`--as-of`, `?asOf=`), so a reader acts with the role they have now, not the one they had then
    /// (billing now but an admin then must not read then what only an admin reads).
    var readers: CommandKernel? = nil

    /// The decision context for `login`: refuses unknown and deactivated users.
    func context(for login: String) throws -> DecisionContext {
        DecisionContext(actor: try UserDecider.actor(login: login, state: try reader(login)), now: clock.now())
    }

    /// User `login` as they are now, where the users who read come from (``readers``): on a replay made for one read,
    /// the live store's user, so the role and time zone a reader reads with are theirs now, not the ones they had then.
    func reader(_ login: String) throws -> UserState {
        try (readers ?? kernel).loadUser(login).state
    }

    /// The client's billing months: months already invoiced keep their zone, later ones follow its time zone now.
    func billingMonths(of client: ClientState) throws -> BillingMonths {
        let ledger = try kernel.load(BillingDecider.self, stream: StreamName.billing(client.code ?? "")).state
        return ledger.billingMonths(current: client.timeZone.isEmpty ? "UTC" : client.timeZone)
    }

    /// `instant`, or the log's last `recordedAt` when that is later: the instant the log records an event
    /// decided at `instant` (it never records one earlier than its head). The SLA clock counts from the
    /// events' recorded instants, so what it is started with must be the same instant.
    func notBeforeHead(_ instant: Timestamp) throws -> Timestamp {
        max(instant, try store.head().recordedAt)
    }
}

/// A feature service: one part of the product over the shared context. The members below let each service's
/// code read `store`, `kernel`, `context(for:)` as its own.
protocol FeatureService {
    var shared: ServiceContext { get }
}

extension FeatureService {
    var store: EventStore { shared.store }
    var models: ReadModels { shared.models }
    var kernel: CommandKernel { shared.kernel }
    var clock: any WallClock { shared.clock }
    var configuration: DocketConfiguration { shared.configuration }
    var warnings: (@Sendable (String) -> Void)? { shared.warnings }

    func context(for login: String) throws -> DecisionContext { try shared.context(for: login) }

    func notBeforeHead(_ instant: Timestamp) throws -> Timestamp { try shared.notBeforeHead(instant) }
}
