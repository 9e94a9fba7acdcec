import Foundation
import TestSupport
import Testing

/// `?asOf=` on the read routes (a replay of the log as of a moment, admins only) and the report routes.
@Suite(.serialized) struct AsOfRoutesTests {
    static let between = "2026-11-03T12:00:00Z"

    func items(_ body: String) throws -> [[String: Any]] {
        let page = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return try #require(page["items"] as? [[String: Any]])
    }

    func rows(_ body: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]], "\(body)")
    }

    @Test func asOfReadsTheStoreAsItStoodThen() throws {
        let served = ServedStore()
        let tokens = try AuthenticationTests().setUp(served)
        let t1 = ["DOCKET_NOW": "2026-11-03T09:00:00Z"], t2 = ["DOCKET_NOW": "2026-11-04T09:00:00Z"]
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--subject", "First"], environment: t1).stdout == "T-1001\n")
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--subject", "Second"], environment: t2).stdout == "T-1002\n")
        #expect(try served.docket(["ticket", "assign", "T-1002", "--to", "bob"], environment: t2).status == 0)
        let close = try served.docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "duplicate"], environment: t2)
        #expect(close.status == 0, "\(close.stderr)")
        try served.start(environment: ["DOCKET_NOW": AuthenticationTests.later], socket: false)
        let ann = tokens["ann"]

        let listed = try served.curl("GET", "/v1/tickets", token: ann)
        #expect(listed.status == 200, "\(served.address): \(listed.body)")
        let now = try items(listed.body)
        #expect(Set(now.compactMap { $0["number"] as? String }) == ["T-1001", "T-1002"])
        let thenList = try served.curl("GET", "/v1/tickets?asOf=\(Self.between)", token: ann)
        #expect(thenList.status == 200, "\(thenList.body)")
        let then = try items(thenList.body)
        #expect(then.compactMap { $0["number"] as? String } == ["T-1001"], "T-1002 was opened later")
        #expect(then.first?["status"] as? String != "closed", "it was closed later: \(then)")
        #expect(try served.curl("GET", "/v1/tickets/T-1002?asOf=\(Self.between)", token: ann).status == 404)
        let shown = try served.curl("GET", "/v1/tickets/T-1001?asOf=\(Self.between)", token: ann)
        #expect(shown.status == 200 && shown.body.contains("First"), "\(shown.body)")
        let queue = try served.curl("GET", "/v1/queue?asOf=\(Self.between)", token: ann)
        #expect(try items(queue.body).compactMap { $0["number"] as? String } == ["T-1001"], "\(queue.body)")

        let notAdmin = try served.curl("GET", "/v1/queue?asOf=\(Self.between)", token: tokens["bob"])
        #expect(notAdmin.status == 403, "as `docket replay`: \(notAdmin.body)")
        #expect(try served.curl("GET", "/v1/queue?asOf=yesterday", token: ann).status == 400)
        let before = try served.curl("GET", "/v1/queue?asOf=2025-01-01T00:00:00Z", token: ann)
        #expect(before.status == 404 && before.body.contains("give a later asOf"), "\(before.body)")

        let window = "from=2026-11-01&to=2026-12-01"
        let closedNow = try served.curl("GET", "/v1/reports/closed-without-time?\(window)", token: ann)
        #expect(closedNow.status == 200, "\(closedNow.body)")
        #expect(try rows(closedNow.body).count == 1, "\(closedNow.body)")
        let closedThen = try served.curl("GET", "/v1/reports/closed-without-time?\(window)&asOf=\(Self.between)", token: ann)
        #expect(try rows(closedThen.body).isEmpty, "not closed yet: \(closedThen.body)")
        for report in ["sla", "profitability", "leakage", "utilization", "volume"] {
            let answer = try served.curl("GET", "/v1/reports/\(report)?\(window)", token: ann)
            #expect(answer.status == 200, "\(report): \(answer.body)")
            _ = try rows(answer.body)
        }
        let volume = try rows(try served.curl("GET", "/v1/reports/volume?\(window)&asOf=\(Self.between)", token: ann).body)
        #expect(volume.contains { ($0["opened"] as? Int) == 1 }, "one ticket opened by then: \(volume)")
        let missing = try served.curl("GET", "/v1/reports/volume?from=2026-11-01", token: ann)
        #expect(missing.status == 400 && missing.body.contains("to is required"), "\(missing.body)")

        // Beside the store's snapshots (its own file system), linked replays: the read models only, no log of their own.
        let replays = served.store + "/snapshots/.as-of-\(served.process?.processIdentifier ?? 0)"
        #expect(FileManager.default.fileExists(atPath: replays))
        let made = try FileManager.default.contentsOfDirectory(atPath: replays)
        #expect(!made.isEmpty)
        for name in made {
            let marker = try String(contentsOfFile: replays + "/" + name + "/REPLAY", encoding: .utf8)
            #expect(marker.contains("\"format\":\"docket-replay 2\""), "\(marker)")
        }
        #expect(served.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: replays), "the replays go with the server")
    }
}
