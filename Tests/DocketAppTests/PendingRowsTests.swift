import BusinessTime
import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// The queue and sla projections keep a transaction's rows in memory and write each once at flush, with their
/// index entries (the read-model kit's `RowTable`): a rebuild in any batch size must still give the bytes the incremental path gave, and a
/// transaction that fails must leave nothing behind for the next one.
@Suite struct PendingRowsTests {
    /// Both clients run SLAs: acme on New York office hours (with a holiday and DST), globex round the clock.
    func fixtureWithSLAs(extraProjections: [any Projection] = [], routesAppends: Bool = true) throws -> ServiceFixture {
        let f = try ServiceFixture(extraProjections: extraProjections, routesAppends: routesAppends)
        let start = try #require(Timestamp(iso8601: "2026-01-01T00:00:00Z"))
        let office = try BusinessCalendar(
            timeZone: "America/New_York",
            weeklyHours: WeeklyHours([try BusinessSlot("09:00", "17:00")], on: [.mon, .tue, .wed, .thu, .fri]),
            holidays: [try LocalDate(parsing: "2026-11-26")])
        try f.app.directory.calendar(
            "ny-office", .define(DefineCalendar(id: "ny-office", name: "NY office", effectiveFrom: start, calendar: office)),
            as: "ann")
        let targets: [Priority: SLATarget] = [
            .p1: SLATarget(responseMinutes: 30, resolutionMinutes: 120),
            .p2: SLATarget(responseMinutes: 60, resolutionMinutes: 240),
            .p3: SLATarget(responseMinutes: 240, resolutionMinutes: 960),
            .p4: SLATarget(responseMinutes: 480, resolutionMinutes: 2400),
        ]
        let escalation = EscalationRule(id: "untouched", priorities: [.p1, .p2], untouchedMinutes: 45, action: .raisePriority)
        // Each policy gives one priority a calendar of its own (gold's P1 round the clock, round's P4 in office hours), so
        // that the random histories' priority changes move clocks from one calendar to the other and back.
        let policies: [(String, String, [Priority: String])] = [("gold", "ny-office", [.p1: "24x7"]), ("round", "24x7", [.p4: "ny-office"])]
        for (policy, calendar, calendars) in policies {
            try f.app.directory.slaPolicy(
                policy,
                .define(DefineSLAPolicy(
                    id: policy, name: policy, effectiveFrom: start,
                    terms: SLATerms(
                        calendar: calendar, calendars: calendars, targets: targets, warnAtPercent: [75, 90], escalations: [escalation]))),
                as: "ann")
        }
        for (client, policy) in [("acme", "gold"), ("globex", "round")] {
            try f.app.directory.createContract(
                CreateContract(id: "\(client)-2026", client: client, clientSnapshot: nil, name: "Managed", effectiveFrom: start, slaPolicy: policy),
                as: "ann")
        }
        return f
    }

    /// A seeded random history with SLA clocks (priority changes, waiting on client, closes, reopens, merges and
    /// `tick`s that record warnings, breaches and escalations): rebuilding queue and sla in batches of 1, 997 and
    /// everything at once gives the bytes the appends wrote one transaction at a time.
    @Test(arguments: [5, 2027])
    func rebuildsInAnyBatchSizeEqualTheIncrementalModels(seed: UInt64) throws {
        let f = try fixtureWithSLAs()
        var random = SeededRandom(seed: seed)
        var tickets: [TicketNumber] = []
        let actors = ["bob", "tia", "dora", "ann"]
        for _ in 0..<800 {
            f.clock.advance(milliseconds: Int64(random.next() % 1_800_000))
            let actor = actors[Int(random.next() % UInt64(actors.count))]
            do {
                if tickets.isEmpty || random.next() % 6 == 0 {
                    let client = random.next() % 2 == 0 ? "acme" : "globex"
                    let priority = Priority.allCases[Int(random.next() % 4)]
                    tickets.append(try f.app.tickets.openTicket(TicketIntake(client: client, priority: priority, subject: "Issue \(tickets.count)"), as: actor))
                    continue
                }
                let number = tickets[Int(random.next() % UInt64(tickets.count))]
                switch random.next() % 10 {
                case 0: try f.app.tickets.ticket(number, .assign(to: ["bob", "tia"][Int(random.next() % 2)], user: nil), as: actor)
                case 1: try f.app.tickets.ticket(number, .setPriority(Priority.allCases[Int(random.next() % 4)]), as: actor)
                case 2: try f.app.tickets.ticket(number, .setStatus(TicketStatus.settable[Int(random.next() % 3)]), as: actor)
                case 3: try f.app.tickets.ticket(number, .comment("note", visibility: random.next() % 2 == 0 ? .public : .internal), as: actor)
                case 4: try f.app.tickets.ticket(number, .close(resolution: "fixed", time: .none(reason: "no time in this test")), as: actor)
                case 5: try f.app.tickets.ticket(number, .reopen(reason: nil), as: actor)
                case 6: try f.app.tickets.mergeTicket(number, into: tickets[Int(random.next() % UInt64(tickets.count))], as: actor)
                case 7: try f.app.tickets.ticket(number, .unassign, as: actor)
                default: _ = try f.app.sla.tick(as: "ann")
                }
            } catch is DomainError {
                continue
            }
        }
        #expect(tickets.count > 80)
        let slaRows = try f.models.sla.open(limit: .max, in: f.store) { _ in true }
        #expect(slaRows.contains { $0.clock?.recorded.isEmpty == false }, "the history recorded SLA alarms")
        #expect(
            slaRows.contains { row in
                guard let clock = row.clock else { return false }
                return clock.resolution.intervals.contains { interval in
                    let change = interval.reason.split(separator: " ").dropFirst().first.map { $0.split(separator: "→").map(String.init) }
                    guard interval.reason.hasPrefix("priority "), let change, change.count == 2,
                        let from = Priority(rawValue: change[0]), let to = Priority(rawValue: String(change[1].prefix(2)))
                    else { return false }
                    return clock.started.calendarId(for: from) != clock.started.calendarId(for: to)
                }
            }, "a priority change moved a clock to another calendar")
        // The rows keep the clock's state, not its frozen terms: those are stored once per distinct content (two
        // policies here, whatever the tickets' priorities and start instants), and read back exactly.
        for (model, prefix, terms) in [("queue", "rm.queue10.", "sla-terms"), ("sla", "rm.sla8.", "terms")] {
            let dump = try f.store.dump(projection: model)
            let rows = dump.drop { $0 != Array("\(prefix)tickets".utf8) }.dropFirst().prefix { !$0.starts(with: Array(prefix.utf8)) }
            #expect(!rows.isEmpty && !rows.contains { String(decoding: $0, as: UTF8.self).contains("calendar") })
            let stored = dump.drop { $0 != Array("\(prefix)\(terms)".utf8) }.dropFirst().prefix { !$0.starts(with: Array(prefix.utf8)) }
            #expect(stored.count == 2 * 2, "\(model): one key and value per policy")
        }
        for number in tickets {
            let events = try f.store.read(stream: "ticket-\(number)")
            var expected: TicketSLAStarted?
            if let first = events.first(where: { $0.type == "ticket.sla-started" }),
                case .started(let started) = try TicketSLAEvent.decode(
                    type: first.type, schemaVersion: first.schemaVersion, payload: first.payload)
            {
                expected = started
            }
            #expect(try f.models.sla.row(number, in: f.store)?.clock?.started == expected, "\(number)'s terms read back")
            let summary = try #require(try f.models.queue.summary(number, in: f.store))
            #expect((summary.sla == nil) == (expected == nil))
        }
        // All models rebuilt in one scan give the same digests as the appends.
        let digests = try f.store.readModelDigests()
        try f.store.rebuild(f.store.projectionNames, batchSize: 333)
        #expect(try f.store.readModelDigests() == digests)
        for model in ["queue", "sla"] {
            let incremental = try f.store.dump(projection: model)
            for batchSize in [1, 997, 1_000_000] {
                try f.store.rebuild(model, batchSize: batchSize)
                #expect(try f.store.dump(projection: model) == incremental, "\(model) rebuilt in batches of \(batchSize)")
            }
        }
    }

    /// A transaction that fails after queue and sla applied its event (a later projection throws) commits
    /// nothing, and the rows they held for it do not leak into the next transaction.
    @Test func aFailedTransactionLeavesNoPendingRowBehind() throws {
        let tripwire = Tripwire()
        let f = try fixtureWithSLAs(extraProjections: [tripwire])
        let number = try f.app.tickets.openTicket(TicketIntake(client: "acme", priority: .p2, subject: "Printer"), as: "dora")
        let queueBefore = try f.store.dump(projection: "queue")
        let slaBefore = try f.store.dump(projection: "sla")

        tripwire.armed = true
        #expect(throws: Tripwire.Tripped.self) {
            try f.app.tickets.ticket(number, .comment("first", visibility: .public), as: "bob")
        }
        tripwire.armed = false
        #expect(try f.store.dump(projection: "queue") == queueBefore)
        #expect(try f.store.dump(projection: "sla") == slaBefore)

        f.clock.advance(milliseconds: 60_000)
        try f.app.tickets.ticket(number, .comment("second", visibility: .internal), as: "bob")
        let row = try f.app.tickets.ticketSummary(number)
        #expect(row.publicComments == 0 && row.internalComments == 1)
        let clock = try #require(try f.models.sla.row(number, in: f.store)?.clock)
        #expect(!clock.response.isMet, "the failed public reply did not meet the response clock")

        let (queue, sla) = (try f.store.dump(projection: "queue"), try f.store.dump(projection: "sla"))
        try f.store.rebuild("queue")
        try f.store.rebuild("sla")
        #expect(try f.store.dump(projection: "queue") == queue)
        #expect(try f.store.dump(projection: "sla") == sla)
    }
}

/// A projection that throws on a ticket event while armed, after the app's read models have applied it.
final class Tripwire: Projection, @unchecked Sendable {
    // @unchecked Sendable: `armed` is set by the test between appends, on one thread.
    struct Tripped: Error {}
    let name = "test-tripwire"
    let tables: [String] = []
    var armed = false
    func attach(_ tables: ReadModelTables) {}
    func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {
        if armed, event.stream.hasPrefix("ticket-") { throw Tripped() }
    }
}
