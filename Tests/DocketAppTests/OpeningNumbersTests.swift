import BusinessTime
@testable import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// Queue and sla share one decoder of ticket events (`TicketChanges`) but each folds its own SLA clock. A log whose
/// `ticket.opened` names another ticket than its stream (imported or made by hand) makes the two models hold different
/// clocks under one number (the queue keys an opening by the payload's number, sla by the stream's): a fold shared
/// between them would have to tell the two apart (see Benchmarks/results/2026-12-04-fold-cpu-2.txt for one that did,
/// and why it was taken out), and the bytes must be the same appended, rebuilt and replayed in any batch.
@Suite struct OpeningNumbersTests {
    static let office = try! BusinessCalendar(
        timeZone: "America/New_York",
        weeklyHours: WeeklyHours([try! BusinessSlot("09:00", "17:00")], on: [.mon, .tue, .wed, .thu, .fri]))

    static func started(_ priority: Priority, at instant: Timestamp) -> TicketSLAStarted {
        TicketSLAStarted(
            policy: "gold", policyAmendment: 0, calendarId: "ny-office", calendarAmendment: 0, calendar: office,
            targets: [
                .p1: SLATarget(responseMinutes: 30, resolutionMinutes: 120), .p2: SLATarget(responseMinutes: 60, resolutionMinutes: 240),
                .p3: SLATarget(responseMinutes: 240, resolutionMinutes: 960), .p4: SLATarget(responseMinutes: 480, resolutionMinutes: 2400),
            ],
            warnAtPercent: [75, 90], escalations: [], priority: priority, startedAt: instant)
    }

    /// Hand-made history: `ticket-T-1002` opens naming T-1001 (the queue starts its row 1001 anew, sla keeps its own),
    /// then both streams go on with SLA starts, public replies, waiting on client, closes and reopens; `ticket-T-1004`
    /// opens naming T-1003 before T-1003 itself opens; then the same again in one transaction. A queue and an sla that
    /// share one decoder (a store's `ReadModels`) give the bytes of a queue and an sla with a decoder each, appended in
    /// the same transactions, and both give those bytes rebuilt (and replayed) in batches of 1, 997 and all on 1 and 2 threads.
    @Test func openingsNamingAnotherTicketGiveTheBytesOfSeparateFolds() throws {
        let folder = TemporaryFolder()
        let clock = ManualClock("2026-11-02T09:00:00Z")
        let models = ReadModels()
        let shared = try EventStore(path: folder.child("shared"), clock: clock, projections: models.all)
        let separate = try EventStore(path: folder.child("separate"), clock: clock, projections: [QueueProjection(), SLAProjection()])
        func append(_ requests: [AppendRequest]) throws {
            clock.advance(milliseconds: 47 * 60_000)
            for store in [shared, separate] { try store.append(requests) }
        }
        func append(_ stream: String, _ events: [any DomainEvent]) throws {
            try append([AppendRequest(stream: stream, expectedVersion: .any, events: events.map { NewEvent($0) }, actor: "bob")])
        }
        func opened(_ number: String, _ priority: Priority) -> TicketEvent {
            .opened(TicketOpened(
                number: TicketNumber(number)!, client: "acme", contact: nil, category: nil, priority: priority, source: .portal,
                subject: "Issue \(number)", description: ""))
        }
        func started(_ priority: Priority) -> TicketSLAEvent { .started(Self.started(priority, at: clock.now())) }
        let reply = TicketEvent.commented(TicketCommented(text: "on it", visibility: .public))
        func status(_ status: TicketStatus, _ previous: TicketStatus) -> TicketEvent {
            .statusChanged(TicketStatusChanged(status: status, previousStatus: previous))
        }
        let close = TicketEvent.closed(TicketClosed(resolution: "fixed"))
        let reopen = TicketEvent.reopened(TicketReopened(reason: nil))

        try append("ticket-T-1001", [opened("T-1001", .p2), started(.p2)])
        try append("ticket-T-1001", [status(.waitingOnClient, .new)])
        try append("ticket-T-1002", [opened("T-1001", .p3)])
        try append("ticket-T-1001", [started(.p1)])
        try append("ticket-T-1001", [reply, status(.inProgress, .waitingOnClient)])
        try append("ticket-T-1002", [started(.p3), reply, status(.waitingOnClient, .new)])
        try append("ticket-T-1004", [opened("T-1003", .p4), started(.p4)])
        try append("ticket-T-1003", [opened("T-1003", .p2), started(.p2), reply])
        try append("ticket-T-1001", [close])
        try append("ticket-T-1003", [status(.waitingOnClient, .inProgress), close, reopen])
        try append("ticket-T-1004", [reply, close])
        try append("ticket-T-1001", [reopen, status(.waitingOnClient, .inProgress), status(.inProgress, .waitingOnClient)])
        try append("ticket-T-1002", [status(.inProgress, .waitingOnClient), .priorityChanged(TicketPriorityChanged(priority: .p1, previousPriority: .p3)), close])
        // The same history again under T-2001…T-2004, in one transaction.
        let head = try shared.head().position
        try append(try shared.read(from: 1, limit: Int(head)).map { event in
            let renamed = { (text: String) in text.replacingOccurrences(of: "T-100", with: "T-200") }
            return AppendRequest(
                stream: renamed(event.stream), expectedVersion: .any,
                events: [NewEvent(type: event.type, schemaVersion: event.schemaVersion, payload: Array(renamed(String(decoding: event.payload, as: UTF8.self)).utf8))],
                actor: "bob")
        })
        let last = try shared.head().position

        // The two models really fold different clocks under one number.
        for number in ["T-1001", "T-2001"] {
            let queued = try #require(try models.queue.summary(TicketNumber(number)!, in: shared))
            let clock = try #require(try models.sla.row(TicketNumber(number)!, in: shared)?.clock)
            #expect(queued.sla != QueueSLA(clock), "queue and sla keep different clocks for \(number)")
        }

        let names = ["queue", "sla"]
        let appended = try names.map { try shared.dump(projection: $0) }
        #expect(try appended == names.map { try separate.dump(projection: $0) }, "appended")
        for threads in [1, 2] {
            for store in [shared, separate] { store.foldThreads = threads }
            for batchSize in [1, 997, 1_000_000] {
                for store in [shared, separate] { try store.rebuild(names, batchSize: batchSize) }
                #expect(try names.map { try shared.dump(projection: $0) } == appended, "rebuilt in batches of \(batchSize) on \(threads) threads")
                #expect(try names.map { try separate.dump(projection: $0) } == appended, "alone, rebuilt in batches of \(batchSize) on \(threads) threads")
                let replayed = folder.child("replay-\(threads)-\(batchSize)")
                _ = try shared.replay(through: last, into: replayed, projections: ReadModels().all, batchSize: batchSize, snapshots: false)
                let replay = try EventStore(path: replayed, projections: ReadModels().all)
                #expect(try names.map { try replay.dump(projection: $0) } == appended, "replayed in batches of \(batchSize) on \(threads) threads")
            }
        }
    }
}
