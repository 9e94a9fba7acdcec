import Foundation
import TestSupport
import Testing

/// `--json` prints times as RFC 3339 strings, never epoch milliseconds (issue 12, point 3).
@Suite struct JSONTimesTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String]) throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": "ann", "DOCKET_NOW": "2026-11-02T09:00:00Z"])
    }

    /// Every number in `value` under a key: none may look like an epoch-millisecond time (after 2000-01-01).
    func epochMilliseconds(in value: Any, path: String = "") -> [String] {
        switch value {
        case let object as [String: Any]: return object.flatMap { epochMilliseconds(in: $0.value, path: path + "." + $0.key) }
        case let array as [Any]: return array.flatMap { epochMilliseconds(in: $0, path: path + "[]") }
        case let number as NSNumber where number.int64Value > 946_684_800_000: return ["\(path) = \(number)"]
        default: return []
        }
    }

    @Test func queueTicketAndListPrintRFC3339Times() throws {
        try docket(["init"])
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"]).stdout == "T-1001\n")
        #expect(try docket(["ticket", "due", "T-1001", "2026-11-06T17:00:00Z"]).status == 0)
        for command in [["queue"], ["ticket", "list"], ["ticket", "show", "T-1001"], ["outbox", "list"], ["user", "list"], ["time", "list"]] {
            let run = try docket(command + ["--json"])
            #expect(run.status == 0, "\(command): \(run.stderr)")
            let value = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8), options: [.fragmentsAllowed])
            #expect(epochMilliseconds(in: value).isEmpty, "\(command): \(epochMilliseconds(in: value))")
        }
        let queue = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["queue", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(queue.first?["openedAt"] as? String == "2026-11-02T09:00:00.000Z")
        #expect(queue.first?["updatedAt"] as? String == "2026-11-02T09:00:00.000Z")
        #expect(queue.first?["dueDate"] as? String == "2026-11-06T17:00:00.000Z")
        #expect(queue.first?["openedPosition"] is NSNumber, "positions stay numbers")
    }
}
