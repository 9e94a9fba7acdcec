import DocketApp
import Domain
import EventLog
import Foundation
import TestSupport
import Testing

/// A linked replay (read models only, the log read from the live store through its position) has exactly what a
/// standalone replay of the same position has, on a seeded random history with every read model (invoices, SLA clocks,
/// alerts, mail): the same keys and values in every model, the same `verify`, the same invoice audits — exactly at a
/// month end (the snapshot's own file), between two (a snapshot and a tail), before the first and at the head.
@Suite struct LinkedReplayEqualityTests {
    @Test func aLinkedReplayHasTheBytesOfAStandaloneOne() throws {
        let f = try SnapshotReplayTests().fixture()
        let head = try f.store.head().position
        let ends = try f.store.monthEnds(after: 0, through: head)
        try #require(ends.count >= 3)
        _ = try f.store.replay(through: head, into: f.folder.child("first"), projections: ReadModels().all)  // takes the month ends
        let invoices = try f.app.billing.invoices()
        try #require(!invoices.isEmpty, "the history bills")
        let cuts = [ends[1].position, ends[1].position + (ends[2].position - ends[1].position) / 2, ends[0].position - 1, head]
        for (index, position) in cuts.enumerated() {
            let standaloneFolder = f.folder.child("standalone-\(index)")
            let linkedFolder = f.folder.child("linked-\(index)")
            let standalone = try f.store.replay(through: position, into: standaloneFolder, projections: ReadModels().all)
            let linked = try f.store.linkedReplay(through: position, into: linkedFolder, projections: ReadModels().all)
            #expect(linked.digests == standalone.digests, "position \(position)")
            #expect(linked.snapshot == standalone.snapshot, "position \(position)")
            #expect((linked.marker.link?.snapshot != nil) == (index == 0), "the snapshot's own file exactly at its month end")

            let reference = try DocketApplication.open(standaloneFolder, clock: f.clock)
            let replay = try DocketApplication.open(linkedFolder, clock: f.clock, linkedTo: f.app)
            #expect(try replay.log.readModelDigests() == reference.log.readModelDigests())
            for name in replay.log.readModelNames {
                #expect(try replay.store.dump(projection: name) == reference.store.dump(projection: name), "\(name) at \(position)")
            }
            let (verified, expected) = (try replay.log.verify(), try reference.log.verify())
            #expect(verified == expected && verified.isClean, "\(verified.problems)")
            let seen = try reference.billing.invoices()
            #expect(try replay.billing.invoices().map(\.id) == seen.map(\.id))
            for invoice in seen {
                #expect(try replay.billing.auditInvoice(invoice.id) == reference.billing.auditInvoice(invoice.id))
            }
            #expect(try replay.log.head() == reference.log.head())
        }
    }
}
