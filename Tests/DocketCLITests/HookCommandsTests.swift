import Foundation
import TestSupport
import Testing

/// `docket hook create/rotate/list` (issue 13 §2).
@Suite struct HookCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    init() throws {
        _ = try DocketProcess.run(["init"], store: store)
        _ = try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        _ = try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"])
    }

    @Test func createPrintsTheSecretOnceAndTheLogKeepsItSealed() throws {
        let created = try docket(["hook", "create", "ninja", "--format", "generic", "--acts-as", "intake", "--default-client", "acme"])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .newlines)
        #expect(secret.hasPrefix("dkh_") && secret.count == 68, "\(secret)")
        let export = try docket(["export"]).stdout
        #expect(export.contains("hook.created"))
        #expect(!export.contains(String(secret.dropFirst(4))))
        let mode = try FileManager.default.attributesOfItem(atPath: store + "/hook-secrets.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let list = try docket(["hook", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["source"] as? String == "ninja")
        #expect(rows.first?["format"] as? String == "generic")
        #expect(rows.first?["actsAs"] as? String == "intake")
        #expect(rows.first?["defaultClient"] as? String == "acme")
        #expect((rows.first?["fingerprint"] as? String)?.count == 16)
        #expect(!list.stdout.contains(String(secret.dropFirst(4))))
    }

    @Test func rotateGivesANewSecretAndListShowsThePreviousDuringItsGrace() throws {
        let first = try docket(["hook", "create", "prom", "--format", "alertmanager", "--acts-as", "intake"]).stdout
        let rotated = try docket(["hook", "rotate", "prom", "--grace", "24h"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout != first)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["hook", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        #expect(rows.first?["previousFingerprint"] as? String != nil)
        #expect(rows.first?["previousValidUntil"] as? String != nil)
        #expect(try docket(["hook", "rotate", "prom", "--grace", "8d"]).status == 64, "at most 7 days: a bad value, as a malformed one")
        #expect(try docket(["hook", "rotate", "prom", "--grace", "169h"]).status == 64)
        #expect(try docket(["hook", "rotate", "prom", "--grace", "soon"]).status == 64)
    }

    @Test func aNonAdminIsRefusedAndNothingIsWritten() throws {
        let run = try docket(["hook", "create", "ninja", "--format", "generic", "--acts-as", "intake"], as: "intake")
        #expect(run.status == 5)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: store + "/hook-secrets.key"))
        #expect(!(try docket(["export"]).stdout.contains("hook.created")))
        #expect(try docket(["hook", "list"], as: "intake").status == 5)
    }

    /// `hook list`'s SINCE and PREVIOUS UNTIL were RFC 3339 UTC where every other table gives the viewer's zone.
    @Test func listGivesTimesInTheViewersZone() throws {
        // Secrets are dated by the wall clock (not $DOCKET_NOW): the rows are checked for their shape.
        #expect(try docket(["user", "time-zone", "ann", "America/New_York"]).status == 0)
        #expect(try docket(["hook", "create", "prom", "--format", "alertmanager", "--acts-as", "intake"]).status == 0)
        #expect(try docket(["hook", "rotate", "prom", "--grace", "24h"]).status == 0)
        let list = try docket(["hook", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        let local = #/\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? E[SD]T/#
        let row = try #require(list.stdout.split(separator: "\n").last.map(String.init))
        #expect(row.matches(of: local).count == 2, "SINCE and PREVIOUS UNTIL: \(list.stdout)")
        #expect(row.contains(" until "), "\(list.stdout)")
        #expect(row.wholeMatch(of: #/.*\d{2}:\d{2}:\d{2}(\.\d+)?Z.*/#) == nil, "no RFC 3339: \(list.stdout)")
    }

    @Test func badSourcesUsersAndClientsAreRefusedWithNothingWritten() throws {
        #expect(try docket(["hook", "create", "Bad Name", "--format", "generic", "--acts-as", "intake"]).status == 65)
        #expect(try docket(["hook", "create", "x", "--format", "generic", "--acts-as", "ghost"]).status == 4, "an unknown user is not found")
        #expect(try docket(["hook", "create", "x", "--format", "generic", "--acts-as", "intake", "--default-client", "nope"]).status == 4)
        #expect(try docket(["hook", "create", "x", "--format", "smoke", "--acts-as", "intake"]).status == 64)
        #expect(!(try docket(["export"]).stdout.contains("hook.created")))
        #expect(try docket(["hook", "rotate", "ghost"]).status == 4)
    }
}
