import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

extension ReplayCommandTests {
    /// A store written by the previous release (`sla` format 2 in `rm.sla2.*`, `queue` format 3 in `rm.queue3.*`: JSON rows)
    /// opens with this one: the two models are rebuilt in their new format on first open, the old databases and
    /// checkpoints are gone afterwards, every read model's digest is what a store written by this release has, and
    /// the log (its export and `verify`) is untouched.
    @Test func aStoreOfThePreviousFormatIsUpgradedOnFirstOpen() throws {
        try writeBeforeT1()
        let current = try digests(of: store)
        let export = try ok(["export"], at: "2026-12-01T12:00:00Z").stdout
        do {
            // Turn the store back into what the previous release left: old databases and checkpoints, none of the new.
            let environment = try Environment(path: store)
            for name in try environment.databaseNames() where name.hasPrefix("rm.sla3.") || name.hasPrefix("rm.queue4.") {
                try environment.dropDatabase(named: name)
            }
            let checkpoints = try environment.openDatabase(named: "checkpoints")
            for name in ["rm.sla2.tickets", "rm.sla2.by-due", "rm.queue3.tickets", "rm.queue3.sla-terms"] {
                let database = try environment.openDatabase(named: name)
                try environment.write { txn in try txn.put(database, key: [0, 0, 0, 0, 0, 0, 3, 233], value: Array("{}".utf8)) }
            }
            try environment.write { txn in
                _ = try txn.delete(checkpoints, key: Array("sla-v3".utf8))
                _ = try txn.delete(checkpoints, key: Array("queue-v4".utf8))
                try txn.put(checkpoints, key: Array("sla-v2".utf8), value: [0, 0, 0, 0, 0, 0, 0, 9])
                try txn.put(checkpoints, key: Array("queue-v3".utf8), value: [0, 0, 0, 0, 0, 0, 0, 9])
            }
        }
        #expect(try digests(of: store) == current, "rebuilt on first open, byte-identical")
        let stats = try json(try docket(["stats", "--read-models", "--json"]))
        #expect(stats["staleDatabases"] as? [String] == [])
        #expect(try docket(["stats", "--read-models"]).stdout.contains("left-over read-model databases: none"))
        let environment = try Environment(path: store)
        #expect(try environment.databaseNames().filter { $0.hasPrefix("rm.sla2.") || $0.hasPrefix("rm.queue3.") }.isEmpty)
        let checkpoints = try environment.openDatabase(named: "checkpoints")
        #expect(try environment.read { txn in try txn.get(checkpoints, key: Array("sla-v2".utf8)) } == nil)
        #expect(try ok(["export"], at: "2026-12-01T12:00:00Z").stdout == export)
        try ok(["verify"], at: "2026-12-01T12:00:00Z")
    }
}
