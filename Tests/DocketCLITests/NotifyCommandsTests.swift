import Foundation
import TestSupport
import Testing

/// `docket notify add/list/rotate/remove`: outbound channels that page on call (docs/operations.md, "Paging on call").
@Suite struct NotifyCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    func setUp() throws {
        _ = try DocketProcess.run(["init"], store: store)
        _ = try docket(["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"])
    }

    func logSize() throws -> Int { try docket(["log", "--json"]).stdout.utf8.count }

    func rows() throws -> [[String: Any]] {
        let list = try docket(["notify", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
    }

    @Test(arguments: DocketMode.allCases) func addPrintsTheSecretOnceAndTheLogKeepsItSealed(_ mode: DocketMode) throws {
        try mode.run {
            try setUp()
            let added = try docket(["notify", "add", "on-call", "--url", "https://events.example.com/docket", "--on", "sla-warned,escalated"])
            #expect(added.status == 0, "\(added.stderr)")
            let secret = added.stdout.trimmingCharacters(in: .newlines)
            #expect(secret.hasPrefix("dkn_") && secret.count == 68, "\(secret)")
            let log = try docket(["log", "--json"]).stdout
            #expect(log.contains("notify.channel-added"))
            #expect(!log.contains(String(secret.dropFirst(4))), "the secret is sealed in the log, never in clear")
            let unescaped = log.replacingOccurrences(of: "\\/", with: "/")
            #expect(!unescaped.contains("events.example.com/docket"), "so is the URL, but for its scheme and host: \(log)")
            #expect(unescaped.contains("\"url\":\"https://events.example.com\""), "\(log)")
            let mode = try FileManager.default.attributesOfItem(atPath: store + "/hook-secrets.key")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            _ = try docket(["notify", "add", "chat", "--url", "http://127.0.0.1:9000/hook"])
            let listed = try rows()
            #expect(listed.compactMap { $0["name"] as? String } == ["chat", "on-call"])
            #expect(listed.last?["url"] as? String == "https://events.example.com", "the scheme and host only")
            #expect(listed.last?["on"] as? [String] == ["sla-warned", "escalated"])
            #expect(listed.first?["on"] as? [String] == ["sla-breached", "escalated"], "the default: what pages someone")
            #expect((listed.last?["fingerprint"] as? String)?.count == 16)
            let table = try docket(["notify", "list"]).stdout
            #expect(table.hasPrefix("NAME") && table.contains("https://events.example.com ") && !table.contains("/docket"), "\(table)")
            #expect(!table.contains(String(secret.dropFirst(4))))
        }
    }

    @Test(arguments: DocketMode.allCases) func rotateGivesANewSecretAndRemoveStopsTheChannel(_ mode: DocketMode) throws {
        try mode.run {
            try setUp()
            let first = try docket(["notify", "add", "on-call", "--url", "https://events.example.com/docket"]).stdout
            let before = try #require(try rows().first?["fingerprint"] as? String)
            let rotated = try docket(["notify", "rotate", "on-call"])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            #expect(rotated.stdout.hasPrefix("dkn_") && rotated.stdout != first)
            #expect(try rows().first?["fingerprint"] as? String != before)
            #expect(try docket(["notify", "remove", "on-call"]).stdout == "removed notification channel on-call\n")
            #expect(try rows().isEmpty)
            let size = try logSize()
            let again = try docket(["notify", "remove", "on-call"])
            #expect(again.status == 4 && again.stderr.split(separator: "\n").count == 1, "\(again.stderr)")
            // Rotate said "no such notification channel" without its name, where remove names it.
            let rotatedGone = try docket(["notify", "rotate", "on-call"])
            #expect(rotatedGone.status == 4, "\(rotatedGone.stderr)")
            #expect(rotatedGone.stderr == "docket: error: no notification channel on-call; list them with `docket notify list`\n")
            #expect(try logSize() == size)
            #expect(try docket(["notify", "add", "on-call", "--url", "https://other.example.com/"]).status == 0, "a removed name may be added again")
            #expect(try rows().first?["url"] as? String == "https://other.example.com")
        }
    }

    /// Each bad input is one line naming the problem and the fix, its exit code, and nothing written (no key file
    /// either).
    @Test(arguments: DocketMode.allCases) func badInputIsOneLineAndWritesNothing(_ mode: DocketMode) throws {
        try mode.run {
            try setUp()
            _ = try docket(["queue"], as: "dora")  // served: dora's token is made on first use
            let size = try logSize()
            let cases: [([String], Int32, String)] = [
                (["notify", "add", "x", "--url", "ftp://files.example.com/"], 65, "is not http:// or https://"),
                (["notify", "add", "x", "--url", "https://"], 65, "has no host"),
                (["notify", "add", "x", "--url", "https:///path"], 65, "has no host"),
                (["notify", "add", "x", "--url", "events.example.com"], 65, "is not http:// or https://"),
                (["notify", "add", "x", "--url", "https://user:pw@events.example.com/"], 65, "user or password"),
                (["notify", "add", "x", "--url", "https://events.example.com:99999/"], 65, "bad port"),
                (["notify", "add", "x", "--url", "https://events.example.com/a b"], 65, "spaces"),
                (["notify", "add", "Bad Name", "--url", "https://events.example.com/"], 65, "channel name"),
                // It said only that the value is invalid: which entry, and the events, are named now.
                (["notify", "add", "x", "--url", "https://events.example.com/", "--on", "sla-breached,paged"], 64,
                 "--on <events>': \"paged\" is not an event; use sla-warned, sla-breached or escalated, comma-separated"),
                (["notify", "add", "x", "--url", "https://events.example.com/", "--on", "sla-breached,"], 64, "an empty entry is not an event"),
                (["notify", "add", "x"], 64, "--url"),
            ]
            for (arguments, status, words) in cases {
                let run = try docket(arguments)
                #expect(run.status == status, "\(arguments): \(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains(words), "\(arguments): \(run.stderr)")
            }
            let dora = try docket(["notify", "add", "x", "--url", "https://events.example.com/"], as: "dora")
            #expect(dora.status == 5 && dora.stderr.contains("only an admin"), "\(dora.stderr)")
            #expect(try docket(["notify", "list"], as: "dora").status == 5)
            #expect(try logSize() == size)
            #expect(!FileManager.default.fileExists(atPath: store + "/hook-secrets.key"))
            _ = try docket(["notify", "add", "x", "--url", "https://events.example.com/"])
            let twice = try docket(["notify", "add", "x", "--url", "https://events.example.com/"])
            #expect(twice.status == 6, "\(twice.stderr)")
            #expect(twice.stderr.contains("already exists"))
        }
    }
}
