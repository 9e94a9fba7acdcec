import Foundation
import TestSupport
import Testing

/// `docket ticket due`: a dispatcher sets or clears a ticket's due date; the queue and `ticket show` show it.
@Suite struct DueDateCommandTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    @Test func aDispatcherSetsADueDateTheQueueShows() throws {
        try docket(["init"])
        try StoreSetUp.addUsers([("dora", "dispatcher"), ("bob", "tech")]) { try docket($0) }
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"], as: "dora").status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob").stdout == "T-1001\n")

        let refused = try docket(["ticket", "due", "T-1001", "2026-11-06T17:00:00Z"], as: "bob")
        #expect(refused.status == 5, "a tech may not: \(refused.stderr)")
        #expect(refused.stderr.contains("set due dates"))
        #expect(try docket(["ticket", "due", "T-1001"], as: "dora").status == 64, "a date or --clear is required")
        let typo = try docket(["ticket", "due", "T-1001", "0026-11-06T17:00:00Z"], as: "dora")
        #expect(typo.status == 65, "a year 26 is refused: \(typo.stderr)")
        #expect(typo.stderr.contains("T-1001's due date 0026-11-06T17:00:00.000Z is out of range: due dates run from 2000-01-01"), "\(typo.stderr)")

        let set = try docket(["ticket", "due", "T-1001", "2026-11-06T17:00:00Z"], as: "dora")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout == "T-1001: due 2026-11-06T17:00:00.000Z\n")
        #expect(try docket(["ticket", "due", "T-1001", "2026-11-06T17:00:00Z"], as: "dora").stdout == "T-1001: nothing to change\n")

        let queue = try docket(["queue"], as: "dora").stdout
        #expect(queue.contains("DUE"))
        let row = try #require(queue.split(separator: "\n").first { $0.hasPrefix("T-1001") })
        #expect(row.contains("2026-11-06"), "\(queue)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["queue", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(json.first?["dueDate"] as? String == "2026-11-06T17:00:00.000Z", "RFC 3339, not epoch milliseconds")
        let show = try docket(["ticket", "show", "T-1001"]).stdout
        #expect(show.contains("\ndue 2026-11-06"), "\(show)")
        #expect(show.contains("due 2026-11-06T17:00:00.000Z"), "the history names the change: \(show)")

        #expect(try docket(["ticket", "due", "T-1001", "--clear"], as: "dora").stdout == "T-1001: due date cleared\n")
        let cleared = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["queue", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(cleared.first?["dueDate"] == nil)
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("due date cleared"))
    }
}
