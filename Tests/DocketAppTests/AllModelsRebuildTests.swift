import AlertIntake
import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import MailParser
import TestSupport
import Testing

/// Every read model rebuilt from the log — all in one scan, in batches of 1, 997 and everything — has the bytes the
/// appends wrote event by event, over seeded random histories that touch every model: tickets with SLA clocks and
/// their alarms, mail received and threaded, monitoring alerts firing and resolving, time logged, corrected and
/// voided, invoices drafted, finalized, voided and discarded, and the acknowledgements queued in the outbox. The
/// appends apply every event to every model (`routesAppends` false), so that an interest that leaves out an event its
/// model reads makes the rebuild (which routes) differ; and, with one seed, only to the models of its interest, as a
/// store does by default.
@Suite struct AllModelsRebuildTests {
    @Test(arguments: [(3, false), (1984, false), (3, true)])
    func everyModelRebuiltInOneScanEqualsTheIncrementalOne(seed: UInt64, routesAppends: Bool) throws {
        let f = try PendingRowsTests().fixtureWithSLAs(routesAppends: routesAppends)
        try f.app.directory.createContract(
            CreateContract(
                id: "acme-msa", client: "acme", clientSnapshot: nil, name: "MSA", effectiveFrom: f.clock.now(),
                billingTerms: BillingServiceTests.hourly), as: "bill")
        try Self.writeHistory(f, seed: seed, steps: 700, maxAdvance: 9_000_000)
        // The history reached every model.
        #expect(try f.app.billing.invoices().count > 1)
        #expect(try f.app.billing.timeEntries(TimeFilter()).contains { $0.voided })
        #expect(try f.models.alerts.record(source: "generic", client: "acme", fingerprint: "disk-1", in: f.store) != nil
            || f.models.alerts.record(source: "generic", client: "acme", fingerprint: "disk-2", in: f.store) != nil)
        #expect(try f.models.mail.ticket(forMessageId: "m1@acme.example", in: f.store) != nil)
        #expect(try !f.app.outbox.messages().isEmpty)
        #expect(try f.app.directory.client("acme").contacts.count > 1, "a sender became a contact")
        #expect(try f.app.billing.timeEntries(TimeFilter()).contains { $0.tech == "tia" && $0.minutes == 20 }, "time was logged with a close")

        let names = f.store.projectionNames
        let incremental = try names.map { try f.store.dump(projection: $0) }
        let digests = try f.store.readModelDigests()
        for batchSize in [1, 997, 1_000_000] {
            try f.store.rebuild(names, batchSize: batchSize)
            for (name, dump) in zip(names, incremental) {
                #expect(try f.store.dump(projection: name) == dump, "\(name) rebuilt in batches of \(batchSize)")
            }
            #expect(try f.store.readModelDigests() == digests)
        }
        // The bulk fold on 1 thread (every model in turn, event by event), 2 (the models split by measured cost) and 9
        // (each model alone on a thread, the write transaction's thread folding one): the same bytes, rebuilt and
        // replayed (the replay's copy folds in its own batches).
        let head = try f.store.head().position
        for threads in [1, 2, 9] {
            f.store.foldThreads = threads
            try f.store.rebuild(names, batchSize: 250)
            for (name, dump) in zip(names, incremental) {
                #expect(try f.store.dump(projection: name) == dump, "\(name) rebuilt on \(threads) threads")
            }
            // The digests, hashed on as many threads, are each model's own, in the models' order.
            #expect(try f.store.readModelDigests() == names.map { try f.store.readModelDigest($0) }, "digests on \(threads) threads")
            let folder = f.folder.child("replay-\(threads)")
            let replay = try f.store.replay(through: head, into: folder, projections: ReadModels().all, batchSize: 250, snapshots: false)
            #expect(replay.digests == digests, "replayed on \(threads) threads")
            let replayed = try EventStore(path: folder, projections: ReadModels().all)
            for (name, dump) in zip(names, incremental) {
                #expect(try replayed.dump(projection: name) == dump, "\(name) replayed on \(threads) threads")
            }
        }
    }

    /// A model that fails while it folds (a bad row), on whichever thread took its task, fails the whole batch: nothing
    /// of that batch is committed — no model's rows or checkpoint move past the batch before it — exactly as when the
    /// models fold one after the other, and the next catch-up, the fault gone, ends with the bytes of the appends.
    @Test func aFailedTaskCommitsNothingOfItsBatch() throws {
        let fault = FaultAtPosition()
        let f = try PendingRowsTests().fixtureWithSLAs(extraProjections: [fault])
        try Self.writeHistory(f, seed: 7, steps: 330, maxAdvance: 9_000_000)
        let names = f.store.projectionNames
        let models = names.filter { $0 != fault.name }
        let incremental = try models.map { try f.store.dump(projection: $0) }
        let head = try f.store.head().position
        try #require(head > 500)
        fault.position = 450

        var stopped: [[[UInt8]]] = []
        for threads in [1, 2, 9] {
            f.store.foldThreads = threads
            #expect(throws: FaultAtPosition.BadRow.self) { try f.store.rebuild(names, batchSize: 200) }
            for name in names { #expect(try f.store.checkpoint(of: name) == 400, "\(name) on \(threads) threads") }
            let dumps = try models.map { try f.store.dump(projection: $0) }
            if threads == 1 { stopped = dumps }
            #expect(dumps == stopped, "on \(threads) threads the models stand where the serial fold left them")
        }
        #expect(stopped != incremental)
        fault.position = nil
        #expect(try f.store.catchUpProjections() == names)
        #expect(try models.map { try f.store.dump(projection: $0) } == incremental)
    }

    /// A seeded random history over `steps` commands that touches every read model, the clock moving up to
    /// `maxAdvance` milliseconds before each (also used by the snapshot replay tests).
    static func writeHistory(_ f: ServiceFixture, seed: UInt64, steps: Int, maxAdvance: UInt64) throws {
        var random = SeededRandom(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        var tickets: [TicketNumber] = []
        var entries: [String] = []
        var messages = 0
        for _ in 0..<steps {
            f.clock.advance(milliseconds: Int64(random.next() % maxAdvance))
            do {
                switch random.next() % 12 {
                case 0:
                    tickets.append(try f.app.tickets.openTicket(
                        TicketIntake(client: pick(["acme", "globex"]), priority: pick(Priority.allCases), subject: "Issue \(tickets.count)"),
                        as: "dora"))
                case 1:
                    messages += 1
                    let reply = messages > 1 && random.next() % 2 == 0 ? "In-Reply-To: <m\(random.next() % UInt64(messages - 1))@acme.example>\r\n" : ""
                    // Now and then a sender of Acme's domain who is no contact yet (the sender-contact reaction).
                    let from = messages % 5 == 0 ? "New \(messages) <new\(messages)@acme.example>" : "Carla Client <carla@acme.example>"
                    let raw = "From: \(from)\r\nTo: help@msp.example\r\nSubject: Help \(messages)\r\n"
                        + "Message-ID: <m\(messages)@acme.example>\r\n\(reply)\r\nIt is broken.\r\n"
                    let outcome = try f.app.intake.receiveMail(
                        try ParsedMessage(parsing: Array(raw.utf8)), raw: Array(raw.utf8), policy: MailPolicy(), as: "dora")
                    if case .opened(let number) = outcome { tickets.append(number) }
                case 2:
                    let id = "disk-\(random.next() % 6)"
                    let status = random.next() % 3 == 0 ? "resolved" : "firing"
                    let body = #"[{"client":"acme","check":"disk-space","severity":"critical","status":"\#(status)","id":"\#(id)","message":"C: low"}]"#
                    _ = try f.app.intake.receiveAlerts(
                        try AlertParser.parse(Array(body.utf8), format: .generic), policy: AlertPolicy(), as: "dora")
                case 3 where !tickets.isEmpty:
                    entries.append(try f.app.billing.logTime(
                        TimeLogRequest(ticket: pick(tickets), minutes: 15 + Int(random.next() % 120), workType: pick(["remote", "onsite"])),
                        as: pick(["bob", "tia"])))
                case 4 where !entries.isEmpty:
                    try f.app.billing.correctTime(pick(entries), TimeCorrection(minutes: 5 + Int(random.next() % 60), reason: "typo"), as: "ann")
                case 5 where !entries.isEmpty:
                    try f.app.billing.voidTime(pick(entries), reason: "duplicate", as: "ann")
                case 6:
                    let period = BillingPeriod(containing: f.clock.now()).previous
                    for run in try f.app.billing.runInvoices(period: period, as: "bill") {
                        for invoice in run.drafted {
                            switch random.next() % 4 {
                            case 0: try f.app.billing.discardInvoice(invoice.id, reason: "redo", as: "bill")
                            case 1: break
                            default:
                                try f.app.billing.finalizeInvoice(invoice.id, as: "bill")
                                if random.next() % 3 == 0 { try f.app.billing.voidInvoice(invoice.id, reason: "wrong", as: "bill") }
                            }
                        }
                    }
                case 7 where !tickets.isEmpty:
                    try f.app.tickets.ticket(pick(tickets), .comment("On it", visibility: .public), as: "bob")
                case 8 where !tickets.isEmpty:
                    if random.next() % 2 == 0 {
                        // Time logged with the close (the close-time reaction's entry).
                        try f.app.tickets.closeTicket(pick(tickets), resolution: "fixed", time: .log(minutes: 20, workType: "remote"), as: "tia")
                    } else {
                        try f.app.tickets.ticket(pick(tickets), .close(resolution: "fixed", time: .none(reason: "test")), as: "bob")
                    }
                case 9 where !tickets.isEmpty:
                    try f.app.tickets.ticket(pick(tickets), .reopen(reason: nil), as: "bob")
                default:
                    _ = try f.app.sla.tick(as: "ann")
                }
            } catch is DomainError {
                continue
            }
        }
    }
}

/// A model that folds in memory and fails on the event at `position`, as a fold does on a row it cannot decode. On
/// several fold threads any of them may take its task: the one that comes to it first.
final class FaultAtPosition: Projection, @unchecked Sendable {
    // @unchecked Sendable: `position` is set by the test between folds; `apply` only reads it.
    struct BadRow: Error {}
    let name = "test-fault"
    let tables: [String] = []
    let foldsInMemory = true
    var position: UInt64?
    func attach(_ tables: ReadModelTables) {}
    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        if event.position == position { throw BadRow() }
    }
}
