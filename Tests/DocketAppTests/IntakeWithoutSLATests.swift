import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import MailParser
import Testing

/// Issue 15 point 11: intake never refuses a client's mail over configuration; it opens the ticket without an SLA and warns.
@Suite struct IntakeWithoutSLATests {
    /// Collects warnings from the service (tests only; one task at a time).
    final class Warnings: @unchecked Sendable {
        var lines: [String] = []
    }

    /// acme's contract names the SLA policy "gold", which does not exist: written as a store from before contracts were
    /// checked would hold it (today `contract add` refuses it).
    func fixture() throws -> ServiceFixture {
        let f = try ServiceFixture()
        let created = ContractEvent.created(
            ContractCreated(
                id: "acme-sla", client: "acme", name: "SLA", effectiveFrom: Timestamp(iso8601: "2026-01-01T00:00:00Z")!, slaPolicy: "gold",
                billingTerms: nil))
        try f.store.append([
            AppendRequest(
                stream: "contract-acme-sla", expectedVersion: .any,
                events: [NewEvent(type: created.eventType, schemaVersion: created.schemaVersion, payload: created.payload())], actor: "ann")
        ])
        return f
    }

    @Test func mailFromTheClientOpensATicketWithoutSLAAndAWarning() throws {
        let f = try fixture()
        let warnings = Warnings()
        let service = DocketApplication(store: f.store, models: f.models, clock: f.clock, warnings: { warnings.lines.append($0) })
        let raw = "From: Carla Client <carla@acme.example>\r\nTo: help@msp.example\r\nSubject: Printer offline\r\nMessage-ID: <p1@acme.example>\r\n\r\nIt is broken.\r\n"
        let outcome = try service.intake.receiveMail(try ParsedMessage(parsing: Array(raw.utf8)), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora")
        guard case .opened(let number) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        let types = try f.store.read(stream: StreamName.ticket(number)).map(\.type)
        #expect(types.contains("ticket.opened"))
        #expect(!types.contains("ticket.sla-started"))
        #expect(warnings.lines.count == 1)
        #expect(warnings.lines.first?.contains("without an SLA: unknown SLA policy gold") == true, "\(warnings.lines)")
    }

    @Test func aTicketOpenedByHandIsStillRefusedSoThePersonSeesTheProblem() throws {
        let f = try fixture()
        let before = try f.store.head()
        #expect(throws: DomainError.self) { try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Call"), as: "bob") }
        #expect(try f.store.head() == before)
    }

    @Test func contractsNamingAnUnknownPolicyOrCalendarAreRefused() throws {
        let f = try ServiceFixture()
        let start = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
        let before = try f.store.head()
        let policy = try #require(
            throwing(try f.app.directory.createContract(
                CreateContract(id: "acme-a", client: "acme", clientSnapshot: nil, name: "A", effectiveFrom: start, slaPolicy: "gold"), as: "bill")))
        #expect(policy.code == .notFound && policy.message.hasPrefix("unknown SLA policy gold"), "\(policy.message)")
        let terms: JSONValue = [
            "model": "hourly", "currency": "USD", "rates": ["*": 10_000], "afterHours": ["calendar": "nowhere", "multiplierPercent": 150],
        ]
        let calendar = try #require(
            throwing(try f.app.directory.createContract(
                CreateContract(id: "acme-b", client: "acme", clientSnapshot: nil, name: "B", effectiveFrom: start, billingTerms: terms), as: "bill")))
        #expect(calendar.message.hasPrefix("unknown calendar nowhere"), "\(calendar.message)")
        #expect(try f.store.head() == before)
        // And at amend.
        try f.app.directory.createContract(
            CreateContract(id: "acme-c", client: "acme", clientSnapshot: nil, name: "C", effectiveFrom: start, billingTerms: BillingServiceTests.hourly),
            as: "bill")
        let amend = try #require(
            throwing(try f.app.directory.contract("acme-c", .amend(effectiveFrom: start, slaPolicy: "gold", billingTerms: nil), as: "bill")))
        #expect(amend.message.hasPrefix("unknown SLA policy gold"))
    }

    func throwing<T>(_ body: @autoclosure () throws -> T) -> DomainError? {
        do {
            _ = try body()
            return nil
        } catch let error as DomainError {
            return error
        } catch {
            return nil
        }
    }
}
