import DocketTime
import Domain
import Foundation

/// Shared people, clients and instants for the decider tests.
enum Fixture {
    static let now = Timestamp(millisecondsSinceEpoch: 1_793_000_000_000)

    static let admin = Actor(login: "root", role: .admin)
    static let tech = Actor(login: "alice", role: .tech)
    static let dispatcher = Actor(login: "dana", role: .dispatcher)
    static let billing = Actor(login: "bill", role: .billing)

    /// An actor holding `role`.
    static func actor(_ role: Role) -> Actor {
        switch role {
        case .tech: tech
        case .dispatcher: dispatcher
        case .billing: billing
        case .admin: admin
        }
    }

    static let acme = ClientSnapshot(code: "acme", name: "Acme Corp", isActive: true, contactIDs: ["c-1", "c-2"])
    static let alice = UserSnapshot(login: "alice", name: "Alice", role: .tech, isActive: true)
    static let bob = UserSnapshot(login: "bob", name: "Bob", role: .dispatcher, isActive: true)

    static let t1001 = TicketNumber.first
    static let t1002 = TicketNumber.first.next
    static let t1003 = TicketNumber.first.next.next

    /// `ticket.opened` for `number` at client acme.
    static func opened(_ number: TicketNumber = t1001, priority: Priority = "P3") -> TicketEvent {
        .opened(
            TicketOpened(
                number: number, client: "acme", contact: "c-1", category: "Network", priority: priority, source: .email,
                subject: "VPN down", description: "Since this morning"))
    }

    static let registeredAcme = ClientEvent.registered(
        ClientRegistered(
            code: "acme", name: "Acme Corp", domains: ["acme.example"], timeZone: "Europe/Paris", currency: "EUR"))

    /// 2026-`month`-`day` at midnight UTC.
    static func date(_ month: Int, _ day: Int, year: Int = 2026) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: CivilCalendar.daysSinceEpoch(year: year, month: month, day: day) * 86_400_000)
    }
}

/// Given these events, when this command, then these events (or this refusal).
struct Scenario<D: Decider> {
    let state: D.State

    /// The events `command` produces when `actor` issues it.
    func when(_ command: D.Command, by actor: Actor = Fixture.admin) throws(DomainError) -> [D.Event] {
        try D.decide(command, state: state, context: DecisionContext(actor: actor, now: Fixture.now))
    }

    /// The refusal of `command`, or nil when it was accepted.
    func refusal(of command: D.Command, by actor: Actor = Fixture.admin) -> DomainError? {
        do {
            _ = try when(command, by: actor)
            return nil
        } catch {
            return error
        }
    }
}

/// A scenario whose stream already holds `history`.
func given<D: Decider>(_: D.Type, _ history: [D.Event] = []) -> Scenario<D> {
    Scenario(state: D.fold(history))
}

/// The refusal thrown by `body`, or nil when it succeeded.
func refusal<T>(_ body: () throws(DomainError) -> T) -> DomainError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Where the package lives: four levels above this file (Support, DomainTests, Tests).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schemas = root.appendingPathComponent("schemas/events")
    static let eventsDoc = root.appendingPathComponent("docs/events.md")
}
