import Dispatch
import Foundation
import LMDB
import TestSupport
import Testing

/// `Environment.openReaders()` (the server's `docket_lmdb_open_readers`): the read transactions open now.
@Suite struct OpenReadersTests {
    @Test func countsTheReadTransactionsOpenNowAndNoneAfterThem() throws {
        let folder = TemporaryFolder("docket-readers")
        let env = try Environment(path: folder.child("db"))
        let db = try env.openDatabase(named: "things")
        try env.write { txn in try txn.put(db, key: Array("k".utf8), value: Array("v".utf8)) }
        #expect(try env.openReaders() == 0)
        let one = try env.read { _ in try env.openReaders() }
        #expect(one == 1)
        // A second reader on another thread while the first is open: two.
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? env.read { _ in
                inside.signal()
                release.wait()
            }
        }
        inside.wait()
        let two = try env.read { _ in try env.openReaders() }
        #expect(two == 2)
        release.signal()
        var left = try env.openReaders()
        for _ in 0..<200 where left != 0 {
            usleep(5_000)
            left = try env.openReaders()
        }
        #expect(left == 0, "every reader ended")
        try env.write { txn in try txn.put(db, key: Array("k2".utf8), value: Array("v".utf8)) }
        #expect(try env.openReaders() == 0, "a write transaction is no reader")
    }
}
