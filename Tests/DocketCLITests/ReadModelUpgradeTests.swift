import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

extension ReplayCommandTests {
    /// A store written by the previous release (`sla` format 6 in `rm.sla6.*`, `queue` format 7 in `rm.queue7.*`, `alerts`
    /// format 2 in `rm.alerts2.*`, `mail` format 1 in `rm.mail.*`, `outbox` format 2 in `rm.outbox2.*`, `time` format 3 in `rm.time3.*`, `billing` format 5 in `rm.billing5.*`)
    /// opens with this one: the models are rebuilt in their new format on first open, the old databases and
    /// checkpoints are gone afterwards, every read model's digest is what a store written by this release has, and
    /// the log (its export and `verify`) is untouched.
    @Test func aStoreOfThePreviousFormatIsUpgradedOnFirstOpen() throws {
        try writeBeforeT1()
        let current = try digests(of: store)
        let export = try ok(["export"], at: "2026-12-01T12:00:00Z").stdout
        do {
            // Turn the store back into what the previous release left: old databases and checkpoints, none of the new.
            let environment = try Environment(path: store)
            let current = ["rm.sla8.", "rm.queue10.", "rm.alerts3.", "rm.mail2.", "rm.outbox5.", "rm.time4.", "rm.billing6."]
            for name in try environment.databaseNames() where current.contains(where: name.hasPrefix) {
                try environment.dropDatabase(named: name)
            }
            let checkpoints = try environment.openDatabase(named: "checkpoints")
            for name in Self.previousDatabases {
                let database = try environment.openDatabase(named: name)
                try environment.write { txn in try txn.put(database, key: [0, 0, 0, 0, 0, 0, 3, 233], value: Array("{}".utf8)) }
            }
            try environment.write { txn in
                for key in ["sla-v8", "queue-v10", "alerts-v3", "mail-v2", "outbox-v5", "time-v4", "billing-v6"] {
                    _ = try txn.delete(checkpoints, key: Array(key.utf8))
                }
                for key in ["sla-v7", "queue-v8", "alerts-v2", "mail", "outbox-v2", "time-v3", "billing-v5"] {
                    try txn.put(checkpoints, key: Array(key.utf8), value: [0, 0, 0, 0, 0, 0, 0, 9])
                }
            }
        }
        #expect(try digests(of: store) == current, "rebuilt on first open, byte-identical")
        let stats = try json(try docket(["stats", "--read-models", "--json"]))
        #expect(stats["staleDatabases"] as? [String] == [])
        #expect(try docket(["stats", "--read-models"]).stdout.contains("left-over read-model databases: none"))
        let environment = try Environment(path: store)
        #expect(Set(try environment.databaseNames()).isDisjoint(with: Self.previousDatabases))
        let checkpoints = try environment.openDatabase(named: "checkpoints")
        for key in ["sla-v7", "queue-v8", "alerts-v2", "outbox-v2", "time-v3", "billing-v5"] {
            #expect(try environment.read { txn in try txn.get(checkpoints, key: Array(key.utf8)) } == nil)
        }
        #expect(try ok(["export"], at: "2026-12-01T12:00:00Z").stdout == export)
        try ok(["verify"], at: "2026-12-01T12:00:00Z")
    }

    /// Databases of the formats before this release's.
    static let previousDatabases = [
        "rm.sla7.tickets", "rm.sla7.by-due", "rm.sla7.alarms", "rm.sla7.terms", "rm.queue8.tickets", "rm.queue8.open",
        "rm.queue8.sla-terms", "rm.alerts2.conditions",
        "rm.mail.message-ids", "rm.outbox2.messages", "rm.time3.entries", "rm.time3.by-ticket", "rm.billing5.invoices",
        "rm.billing5.numbers", "rm.billing5.tickets",
    ]
}
