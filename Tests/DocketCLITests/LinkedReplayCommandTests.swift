import Foundation
import TestSupport
import Testing

/// `docket replay` makes a linked replay by default and a standalone one with `--standalone`: every read command gives
/// the same bytes on both (`--json`), and a linked replay whose live store moved refuses with one line naming the fix.
@Suite struct LinkedReplayCommandTests {
    let base = ReplayCommandTests()
    var store: String { base.store }

    /// The read commands compared, each run as `ann` (an admin) with `--json` where it takes it.
    static let reads: [[String]] = [
        ["queue", "--json"], ["ticket", "list", "--json"], ["ticket", "show", "T-1001", "--json"],
        ["ticket", "show", "T-1002", "--json"], ["ticket", "show", "T-1003", "--json"], ["time", "list", "--json"],
        ["client", "list", "--json"], ["client", "show", "acme", "--json"], ["contract", "list", "--json"],
        ["user", "list", "--json"], ["calendar", "list", "--json"], ["sla-policy", "list", "--json"],
        ["invoice", "list", "--json"], ["outbox", "list", "--json"], ["log", "--json", "--limit", "1000"],
        ["log", "--json", "--stream", "ticket-T-1001", "--backward"], ["verify", "--json"], ["export"],
        ["stats", "--read-models", "--json"], ["report", "closed-without-time", "--from", "2026-01-01", "--to", "2027-01-01", "--format", "json"],
        ["report", "sla", "--from", "2026-01-01", "--to", "2027-01-01", "--format", "json"],
    ]

    @Test func everyReadCommandAnswersTheSameOnALinkedAndAStandaloneReplay() throws {
        try base.writeBeforeT1()
        try base.writeAfterT1()
        let linked = base.folder.child("linked")
        let standalone = base.folder.child("standalone")
        let made = try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", linked, "--json"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try base.json(made)["linked"] as? Bool == true)
        let copy = try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", standalone, "--standalone", "--json"])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(try base.json(copy)["linked"] as? Bool == false)
        #expect(!FileManager.default.fileExists(atPath: linked + "/data.mdb") || FileManager.default.fileExists(atPath: linked + "/REPLAY"))
        // More history after t1 on the live store, so a leak would show.
        try base.ok(["ticket", "comment", "T-1003", "After t1"], at: "2026-11-06T09:00:00Z", as: "bob")

        for arguments in Self.reads {
            let seen = try base.docket(arguments, store: linked)
            let expected = try base.docket(arguments, store: standalone)
            #expect(seen.status == 0 && expected.status == 0, "\(arguments): \(seen.stderr) \(expected.stderr)")
            var output = seen.stdout
            if arguments.first == "stats" {
                // The marker differs by design (a linked replay names its link); the rest must not.
                let strip = { (text: String) throws -> String in
                    var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                    object["replay"] = nil
                    return String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
                }
                output = try strip(output)
                #expect(output == (try strip(expected.stdout)), "\(arguments)")
                continue
            }
            #expect(output == expected.stdout, "\(arguments)")
            #expect(seen.stderr == expected.stderr, "\(arguments)")
        }
        let live = try base.docket(["log", "--json", "--limit", "1000"])
        #expect(live.stdout != (try base.docket(["log", "--json", "--limit", "1000"], store: linked)).stdout, "the live store moved on")
    }

    @Test func aLinkedReplayWhoseStoreMovedSaysHowToMakeItAgain() throws {
        try base.writeBeforeT1()
        let linked = base.folder.child("linked")
        #expect(try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", linked]).status == 0)
        let shown = try base.docket(["replay", "--as-of", "2026-10-06", "--into", base.folder.child("shown")])
        #expect(shown.stdout.contains("linked to      \(store)"), "\(shown.stdout)")
        try FileManager.default.moveItem(atPath: store, toPath: base.folder.child("elsewhere"))
        let run = try base.docket(["queue", "--json"], store: linked)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("which is gone") && run.stderr.contains("--standalone"), "\(run.stderr)")
    }

    @Test func theHelpTeachesBothKinds() throws {
        let help = try base.docket(["replay", "--help"])
        #expect(help.stdout.contains("--standalone"))
        #expect(help.stdout.contains("Linked (the default)"))
    }
}
