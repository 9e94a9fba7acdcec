import Foundation
import TestSupport
import Testing

/// `docket token create/list/revoke` (issue 12 §2).
@Suite struct TokenCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    init() throws {
        _ = try DocketProcess.run(["init"], store: store)
        _ = try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"])
    }

    @Test func createPrintsTheTokenOnceAndTheLogKeepsOnlyItsHash() throws {
        let created = try docket(["token", "create", "--user", "bob", "--name", "laptop", "--expires", "90d"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("dkt_") && token.count == 4 + 12 + 1 + 64, "\(token)")
        let secret = String(token.suffix(64))
        let export = try docket(["export"]).stdout
        #expect(export.contains("token.created"))
        #expect(!export.contains(secret))
        let list = try docket(["token", "list", "--json"])
        #expect(list.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["user"] as? String == "bob")
        #expect(rows.first?["status"] as? String == "active")
        #expect(rows.first?["id"] as? String == String(token.dropFirst(4).prefix(12)))
        #expect(!list.stdout.contains(secret))
    }

    @Test func revokeMarksTheTokenAndAStrangersRevokeIsForbidden() throws {
        let token = try docket(["token", "create", "--user", "bob", "--name", "laptop"]).stdout
        let id = String(token.dropFirst(4).prefix(12))
        _ = try docket(["user", "add", "tia", "--name", "Tia", "--email", "tia@msp.example", "--role", "tech"])
        #expect(try docket(["token", "revoke", id], as: "tia").status == 5)
        #expect(try docket(["token", "list"], as: "tia").stdout.contains(id) == false)
        let revoked = try docket(["token", "revoke", id, "--reason", "lost"], as: "bob")
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try docket(["token", "list"]).stdout.contains("revoked"))
    }

    /// The table gives times in the viewer's zone, as every other table does; it printed RFC 3339 UTC.
    @Test func theListsTimesAreInTheViewersZone() throws {
        #expect(try docket(["user", "time-zone", "ann", "America/New_York"]).status == 0)
        let created = try DocketProcess.run(
            ["token", "create", "--user", "bob", "--name", "laptop", "--expires", "30d"], store: store,
            environment: ["DOCKET_USER": "ann", "DOCKET_NOW": "2026-11-02T15:00:00Z"])
        #expect(created.status == 0, "\(created.stderr)")
        let table = try DocketProcess.run(["token", "list"], store: store, environment: ["DOCKET_USER": "ann", "DOCKET_NOW": "2026-11-02T15:00:00Z"])
        let row = try #require(table.stdout.split(separator: "\n").dropFirst().first)
        #expect(row.contains("2026-12-02 10:00 EST"), "expires 30 days after 15:00Z, 10:00 in New York: \(row)")
        #expect(row.split(separator: " ").filter { $0 == "EST" }.count == 2 && !row.contains("Z "), "created and expires, in EST: \(row)")
        let json = try docket(["token", "list", "--json"])
        #expect(json.stdout.contains("\"expiresAt\" : \"2026-12-02T15:00:00.000Z\""), "\(json.stdout)")
    }

    @Test func aTechCannotMintATokenForSomeoneElse() throws {
        let run = try docket(["token", "create", "--user", "ann", "--name", "sneaky"], as: "bob")
        #expect(run.status == 5)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!(try docket(["export"]).stdout.contains("token.created")))
    }

    @Test(arguments: ["0d", "soon", "-3", "100000d", "3651d"])
    func aBadLifetimeIsBadUsage(expires: String) throws {
        let run = try docket(["token", "create", "--name", "x", "--expires", expires])
        #expect(run.status == 64, "\(run.stderr)")
        #expect(!(try docket(["export"]).stdout.contains("token.created")))
    }

    /// A token for an unknown user is not found (4), naming the login; a deactivated one stays bad input (65).
    @Test func aTokenForAnUnknownUserIsNotFound() throws {
        let run = try docket(["token", "create", "--user", "nosuch", "--name", "c1"])
        #expect(run.status == 4)
        #expect(run.stderr.hasPrefix("docket: error: unknown user nosuch;"), "\(run.stderr)")
        #expect(try docket(["token", "create", "--name", "c1", "--expires", "3650d"]).status == 0)
    }
}
