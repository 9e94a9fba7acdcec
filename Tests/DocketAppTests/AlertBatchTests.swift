import AlertIntake
import DocketApp
import Domain
import EventLog
import Foundation
import Testing

/// Issue 13 §1: a grouped notification with many alerts is one transaction — all of it lands, or none of it.
@Suite struct AlertBatchTests {
    let fixture: ServiceFixture
    var intake: IntakeService { fixture.app.intake }

    init() throws {
        fixture = try ServiceFixture()
    }

    /// Commits so far: Docket appends one anchor line per commit.
    func commits() throws -> Int {
        try String(contentsOfFile: fixture.store.anchorsPath, encoding: .utf8).split(separator: "\n").count
    }

    func generic(_ alerts: [(id: String, client: String, status: String)]) throws -> AlertBatch {
        let items = alerts.map {
            #"{"client":"\#($0.client)","check":"disk-space","severity":"critical","status":"\#($0.status)","id":"\#($0.id)","message":"C: low on \#($0.id)"}"#
        }
        return try AlertParser.parse(Array("[\(items.joined(separator: ","))]".utf8), format: .generic)
    }

    @Test func aGroupedNotificationOfManyAlertsIsOneTransaction() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/alerts/alertmanager/002-grouped-3-firing.json")
        let batch = try AlertParser.parse(Array(try Data(contentsOf: url)), format: .alertmanager)
        #expect(batch.alerts.count == 3)
        let before = try commits()
        let outcomes = try intake.receiveAlerts(batch, policy: AlertPolicy(), as: "dora")
        #expect(outcomes == [.opened(TicketNumber(1001)!), .opened(TicketNumber(1002)!), .opened(TicketNumber(1003)!)])
        #expect(try commits() == before + 1, "three tickets, one commit")
        // The repeat: three occurrences, again one commit.
        #expect(try intake.receiveAlerts(batch, policy: AlertPolicy(), as: "dora").allSatisfy { if case .occurrence = $0 { true } else { false } })
        #expect(try commits() == before + 2)
        #expect(try fixture.store.verify().isClean)
    }

    @Test func oneBadAlertRefusesTheWholeDeliveryWithNothingWritten() throws {
        let head = try fixture.store.head()
        #expect(throws: DomainError.self) {
            try intake.receiveAlerts(try generic([("a", "acme", "firing"), ("b", "acme", "firing"), ("c", "nobody", "firing")]), policy: AlertPolicy(), as: "dora")
        }
        #expect(try fixture.store.head() == head)
    }

    @Test func theSameConditionTwiceInOneDeliveryIsOneTicketWithItsLaterStateDecidedAfterTheFirst() throws {
        let outcomes = try intake.receiveAlerts(
            try generic([("a", "acme", "firing"), ("b", "globex", "firing"), ("a", "acme", "firing"), ("a", "acme", "resolved")]),
            policy: AlertPolicy(), as: "dora")
        #expect(outcomes == [.opened(TicketNumber(1001)!), .opened(TicketNumber(1002)!), .occurrence(TicketNumber(1001)!), .autoResolved(TicketNumber(1001)!)])
        #expect(try fixture.app.tickets.ticketSummary(TicketNumber(1001)!).isOpen == false)
        #expect(try fixture.app.tickets.ticketSummary(TicketNumber(1002)!).isOpen)
    }

    @Test func resolveAndFlapInOneDeliveryStillAutoResolveAndReopen() throws {
        _ = try intake.receiveAlerts(try generic([("a", "acme", "firing"), ("b", "acme", "firing")]), policy: AlertPolicy(), as: "dora")
        let before = try commits()
        let resolved = try intake.receiveAlerts(try generic([("a", "acme", "resolved"), ("b", "acme", "resolved")]), policy: AlertPolicy(), as: "dora")
        #expect(resolved == [.autoResolved(TicketNumber(1001)!), .autoResolved(TicketNumber(1002)!)])
        #expect(try commits() == before + 1)
        let again = try intake.receiveAlerts(try generic([("a", "acme", "firing"), ("c", "acme", "firing")]), policy: AlertPolicy(), as: "dora")
        #expect(again == [.reopened(TicketNumber(1001)!), .opened(TicketNumber(1003)!)])
        #expect(try commits() == before + 2)
        #expect(try fixture.store.verify().isClean)
    }
}
