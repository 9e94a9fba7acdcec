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

    /// Two clients' systems may send the same alert id: a condition is a client's fingerprint.
    @Test func theSameAlertIdOfTwoClientsIsTwoConditions() throws {
        let t1001 = TicketNumber(1001)!, t1002 = TicketNumber(1002)!
        #expect(try intake.receiveAlerts(try generic([("disk-C", "acme", "firing")]), policy: AlertPolicy(), as: "dora") == [.opened(t1001)])
        #expect(try intake.receiveAlerts(try generic([("disk-C", "globex", "firing")]), policy: AlertPolicy(), as: "dora") == [.opened(t1002)])
        #expect(try fixture.app.tickets.ticketSummary(t1002).client == "globex")
        #expect(try intake.receiveAlerts(try generic([("disk-C", "globex", "resolved")]), policy: AlertPolicy(), as: "dora") == [.autoResolved(t1002)])
        #expect(try fixture.app.tickets.ticketSummary(t1001).isOpen, "globex's resolution leaves acme's ticket open")
        #expect(try intake.receiveAlerts(try generic([("disk-C", "acme", "firing")]), policy: AlertPolicy(), as: "dora") == [.occurrence(t1001)])
    }

    /// An alert recorded before events named the client (its condition keyed by source and id alone) still joins its
    /// ticket, for that ticket's client only.
    @Test func aConditionRecordedWithoutItsClientStillJoinsItsTicketForItsClientOnly() throws {
        let number = try fixture.app.tickets.openTicket(TicketIntake(client: "acme", source: .alert, subject: "[disk-space] C: low"), as: "dora")
        let old = TicketAlertReceived(
            fingerprint: "disk-C", source: "generic", status: "firing", check: "disk-space", device: nil, severity: "critical",
            summary: "C: low", description: "", startsAt: nil, endsAt: nil)
        let payload = TicketAlertEvent.received(old).payload()
        #expect(!String(decoding: payload, as: UTF8.self).contains("client"), "as an older Docket wrote it")
        try fixture.store.append(
            AppendRequest(
                stream: StreamName.ticket(number), events: [NewEvent(type: TicketAlertReceived.descriptor.type, payload: payload)], actor: "dora"))
        #expect(try intake.receiveAlerts(try generic([("disk-C", "globex", "firing")]), policy: AlertPolicy(), as: "dora") == [.opened(TicketNumber(1002)!)])
        #expect(try intake.receiveAlerts(try generic([("disk-C", "acme", "firing")]), policy: AlertPolicy(), as: "dora") == [.occurrence(number)])
        #expect(try intake.receiveAlerts(try generic([("disk-C", "acme", "resolved")]), policy: AlertPolicy(), as: "dora") == [.autoResolved(number)])
        #expect(try fixture.app.tickets.ticketSummary(TicketNumber(1002)!).isOpen)
    }

    /// Every alert's client is checked before anything is written: a delivery whose later alert names no client
    /// writes nothing, even when an earlier one touches a ticket the later ones would have waited for.
    @Test func aDeliveryRefusedForALaterAlertsClientWritesNothingAtAll() throws {
        _ = try intake.receiveAlerts(try generic([("q-1", "acme", "firing")]), policy: AlertPolicy(), as: "dora")
        let head = try fixture.store.head()
        var policy = AlertPolicy()
        policy.flapWindowMilliseconds = 0
        #expect(throws: DomainError.self) {
            try intake.receiveAlerts(try generic([("q-1", "acme", "resolved"), ("q-1", "nosuch", "firing")]), policy: policy, as: "dora")
        }
        #expect(try fixture.store.head() == head)
        #expect(try fixture.app.tickets.ticketSummary(TicketNumber(1001)!).isOpen)
    }

    /// An alert whose ticket was merged goes to the ticket it was merged into, as mail does.
    @Test func alertsFollowTheirTicketIntoAMerge() throws {
        let t1001 = TicketNumber(1001)!
        #expect(try intake.receiveAlerts(try generic([("bk-1", "acme", "firing")]), policy: AlertPolicy(), as: "dora") == [.opened(t1001)])
        let call = try fixture.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Backups failing (phone call)"), as: "dora")
        try fixture.app.tickets.mergeTicket(t1001, into: call, as: "dora")
        #expect(try intake.receiveAlerts(try generic([("bk-1", "acme", "firing")]), policy: AlertPolicy(), as: "dora") == [.occurrence(call)])
        #expect(try intake.receiveAlerts(try generic([("bk-1", "acme", "resolved")]), policy: AlertPolicy(), as: "dora") == [.autoResolved(call)])
        #expect(try fixture.app.tickets.list(QueueFilter(), limit: 10).count == 2, "no new ticket")
    }

    /// Copies of one firing alert in a delivery are one ticket and its occurrences, in one transaction: each copy
    /// was decided again in a transaction of its own (400 copies took 108 s in a debug build).
    @Test func manyCopiesOfAnAlertAreOneTransactionInLinearTime() throws {
        let before = try commits()
        let started = ContinuousClock.now
        let outcomes = try intake.receiveAlerts(try generic(Array(repeating: ("same", "acme", "firing"), count: 400)), policy: AlertPolicy(), as: "dora")
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(outcomes == [.opened(TicketNumber(1001)!)] + Array(repeating: .occurrence(TicketNumber(1001)!), count: 399))
        #expect(try commits() == before + 1)
        let again = try intake.receiveAlerts(try generic([("same", "acme", "firing"), ("same", "acme", "firing"), ("same", "acme", "resolved")]), policy: AlertPolicy(), as: "dora")
        #expect(again == [.occurrence(TicketNumber(1001)!), .occurrence(TicketNumber(1001)!), .autoResolved(TicketNumber(1001)!)])
        #expect(try fixture.store.verify().isClean)
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
