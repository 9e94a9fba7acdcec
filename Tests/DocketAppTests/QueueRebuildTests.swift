import DocketApp
import Domain
import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct QueueRebuildTests {
    /// A seeded random history of a few thousand commands (many refused by the rules, as in real life):
    /// the queue rebuilt from the log is byte-identical to the one maintained as events were appended.
    @Test(arguments: [11, 2026])
    func aRebuiltQueueEqualsTheIncrementalOne(seed: UInt64) throws {
        let f = try ServiceFixture()
        var random = SeededRandom(seed: seed)
        var tickets: [TicketNumber] = []
        let actors = ["bob", "tia", "dora", "ann"]
        var refused = 0
        for _ in 0..<2_500 {
            f.clock.advance(milliseconds: Int64(random.next() % 600_000))
            let actor = actors[Int(random.next() % UInt64(actors.count))]
            do {
                if tickets.isEmpty || random.next() % 6 == 0 {
                    let client = random.next() % 2 == 0 ? "acme" : "globex"
                    let priority = Priority.allCases[Int(random.next() % 4)]
                    tickets.append(try f.app.tickets.openTicket(TicketIntake(client: client, priority: priority, subject: "Issue \(tickets.count)"), as: actor))
                    continue
                }
                let number = tickets[Int(random.next() % UInt64(tickets.count))]
                switch random.next() % 11 {
                case 0: try f.app.tickets.ticket(number, .assign(to: ["bob", "tia", "dora"][Int(random.next() % 3)], user: nil), as: actor)
                case 1: try f.app.tickets.ticket(number, .unassign, as: actor)
                case 2: try f.app.tickets.ticket(number, .setPriority(Priority.allCases[Int(random.next() % 4)]), as: actor)
                case 3: try f.app.tickets.ticket(number, .setStatus(TicketStatus.settable[Int(random.next() % 3)]), as: actor)
                case 4: try f.app.tickets.ticket(number, .comment("note", visibility: random.next() % 2 == 0 ? .public : .internal), as: actor)
                case 5: try f.app.tickets.ticket(number, .close(resolution: "fixed", time: .none(reason: "no time in this test")), as: actor)
                case 6: try f.app.tickets.ticket(number, .reopen(reason: nil), as: actor)
                case 7: try f.app.tickets.ticket(number, .setCategory(["backup", "network", "email"][Int(random.next() % 3)]), as: actor)
                case 8: try f.app.tickets.ticket(number, .addWatcher(actors[Int(random.next() % 4)]), as: actor)
                case 9: try f.app.tickets.mergeTicket(number, into: tickets[Int(random.next() % UInt64(tickets.count))], as: actor)
                default: try f.app.tickets.ticket(number, .removeWatcher(actors[Int(random.next() % 4)]), as: actor)
                }
            } catch is DomainError {
                refused += 1
            }
        }
        #expect(tickets.count > 300)
        #expect(refused > 100 && refused < 2_000, "the history mixes accepted and refused commands (\(refused) refused)")
        let incremental = try f.store.dump(projection: "queue")
        try f.store.rebuild("queue", batchSize: 997)
        #expect(try f.store.dump(projection: "queue") == incremental)
        // The model agrees with the deciders: each ticket's status folded from its own stream.
        for number in tickets.prefix(50) {
            let folded = TicketDecider.fold(try f.app.tickets.ticketHistory(number).compactMap(\.change.ticketEvent))
            let row = try f.app.tickets.ticketSummary(number)
            #expect(row.status == folded.status && row.assignee == folded.assignee && row.priority == folded.priority)
        }
    }
}

/// SplitMix64, so a failing history can be replayed from its seed.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
