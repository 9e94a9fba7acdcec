@testable import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

/// `verify(readModelsRebuiltIn:)` on a model behind the log (a rebuild, import or catch-up cut short): compared with the
/// rebuild at its own checkpoint, so the same bytes there are no damage, and other bytes still are.
@Suite struct VerifyBehindTests {
    let folder = TemporaryFolder()

    @Test func aModelBehindTheLogMatchesTheRebuildAtItsCheckpointAndOtherBytesAreDamage() throws {
        let path = folder.child("store")
        do {
            let store = try EventStore(path: path, clock: ManualClock(), projections: [StreamCounts()])
            for i in 0..<6 { try store.append(sampleAppend("ticket-T-\(i % 4)")) }
        }
        do {
            // Appends by a store without the model leave it at 6.
            let store = try EventStore(path: path, clock: ManualClock())
            for i in 0..<4 { try store.append(sampleAppend("client-c\(i)")) }
        }
        let store = try EventStore(path: path, clock: ManualClock(), projections: [StreamCounts()])
        var (report, checks) = try store.verify(readModelsRebuiltIn: folder.child("scratch"), fresh: [StreamCounts()], batchSize: 3)
        #expect(report.isClean && report.head == 10)
        let behind = try #require(checks.first)
        #expect(behind.matches && behind.live?.checkpoint == 6 && behind.rebuilt?.checkpoint == 6, "\(behind)")

        // The same rows with a checkpoint moved back: not what a rebuild gives there.
        try store.environment.write { try store.setCheckpoint("stream-counts", to: 3, txn: $0) }
        (report, checks) = try store.verify(readModelsRebuiltIn: folder.child("scratch"), fresh: [StreamCounts()], batchSize: 3)
        let damaged = try #require(checks.first)
        #expect(!damaged.matches && damaged.rebuilt?.checkpoint == 3, "\(damaged)")

        try store.catchUpProjections()
        (report, checks) = try store.verify(readModelsRebuiltIn: folder.child("scratch"), fresh: [StreamCounts()])
        #expect(!(checks.first?.matches ?? true), "caught up from a wrong checkpoint, the rows count events twice")
    }
}
