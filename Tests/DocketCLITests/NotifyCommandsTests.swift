import Foundation
import Hooks
import TestSupport
import Testing

/// `docket notify add/list/rotate/remove`: outbound channels that page on call (docs/operations.md, "Paging on call").
@Suite struct NotifyCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", stdin: String = "") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    /// The whole URL channel `name` was added with, opened from the log's `sealedUrl` with the store's key file.
    func sealedURL(of name: String) throws -> String {
        let log = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["log", "--json"]).stdout.utf8)) as? [[String: Any]])
        let added = try #require(log.last { $0["type"] as? String == "notify.channel-added" && $0["stream"] as? String == "notify-\(name)" })
        let payload = try #require(added["payload"] as? [String: Any])
        let sealed = try #require((payload["sealedUrl"] as? [String: Any])?["sealed"] as? String, "\(payload)")
        let key = try #require(try HookKey.load(inFolder: store, create: false))
        return try key.open(sealed)
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
                 "--on <events>': \"paged\" is not an event; use sla-warned, sla-breached, escalated or rated-bad, comma-separated"),
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

    /// `--url URL` put a chat's incoming-webhook URL, a bearer secret, on the command line, where `ps` shows it to every
    /// account on the machine and the shell keeps it in its history. `--url -` reads it from one line of stdin and
    /// `--url-file PATH` from a file; the whole URL is sealed as with `--url URL`, and a retry under the same command id
    /// is for the same URL (it is no longer on the command line the id's fingerprint is made of).
    @Test(arguments: DocketMode.allCases) func theURLIsReadFromStdinOrAFileOffTheCommandLine(_ mode: DocketMode) throws {
        try mode.run {
            try setUp()
            let slack = "https://hooks.slack.example/services/T000/B000/XXXXXXXX"
            let added = try docket(["notify", "add", "chat", "--url", "-", "--command-id", "c-chat"], stdin: slack + "\n")
            #expect(added.status == 0 && added.stdout.hasPrefix("dkn_"), "\(added.stderr)")
            #expect(try sealedURL(of: "chat") == slack, "the whole URL, sealed")
            let file = folder.child("pager.url")
            try Data("  https://pager.example.com/docket/abc123\r\n".utf8).write(to: URL(fileURLWithPath: file))
            let fromFile = try docket(["notify", "add", "pager", "--url-file", file])
            #expect(fromFile.status == 0, "\(fromFile.stderr)")
            #expect(try sealedURL(of: "pager") == "https://pager.example.com/docket/abc123", "one line, its blanks and line break dropped")
            #expect(try rows().compactMap { $0["url"] as? String } == ["https://hooks.slack.example", "https://pager.example.com"])

            let retried = try docket(["notify", "add", "chat", "--url", "-", "--command-id", "c-chat"], stdin: slack + "\n")
            #expect(retried.status == 0 && retried.stdout.contains("was already added by command id c-chat"), "\(retried.stderr)")
            let size = try logSize()
            let other = try docket(["notify", "add", "chat", "--url", "-", "--command-id", "c-chat"], stdin: "https://hooks.slack.example/other\n")
            #expect(other.status == 65 && other.stderr.contains("command id c-chat was already used for another command"), "\(other.stderr)")
            #expect(try logSize() == size)
            let help = try docket(["notify", "add", "--help"]).stdout
            #expect(help.contains("Prefer `--url -`") && help.contains("--url-file"), "\(help)")
        }
    }

    /// What `--url -` and `--url-file` read is one line: an empty input, two lines, an unreadable file, both flags or
    /// neither are one line naming the problem and the fix, exit 65 (64 for the flags), and nothing is written (no key
    /// file either).
    @Test(arguments: DocketMode.allCases) func aURLOffTheCommandLineThatIsNotOneLineIsRefused(_ mode: DocketMode) throws {
        try mode.run {
            try setUp()
            let size = try logSize()
            let empty = folder.child("empty.url")
            try Data().write(to: URL(fileURLWithPath: empty))
            let cases: [([String], String, Int32, String)] = [
                (["--url", "-"], "", 65, "stdin (--url -) is empty; give the channel's URL on one line"),
                (["--url", "-"], " \n", 65, "stdin (--url -) is empty"),
                (["--url", "-"], "https://a.example/x\nhttps://b.example/y\n", 65, "stdin (--url -) holds more than one line; give the channel's URL alone on one line"),
                (["--url", "-"], "ftp://files.example.com/\n", 65, "is not http:// or https://"),
                (["--url-file", empty], "", 65, "--url-file \(empty) is empty"),
                (["--url-file", folder.child("missing.url")], "", 65, "--url-file \(folder.child("missing.url")): cannot read the file; check the path"),
                (["--url-file", folder.child("missing.url"), "--url", "https://a.example/"], "", 64, "give --url or --url-file, not both"),
                ([], "", 64, "give the channel's URL: `--url -` and the URL on stdin, --url-file PATH, or --url URL"),
            ]
            for (options, input, status, words) in cases {
                let run = try docket(["notify", "add", "x"] + options, stdin: input)
                #expect(run.status == status, "\(options) \(input.debugDescription): \(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains(words), "\(options): \(run.stderr)")
            }
            #expect(try logSize() == size)
            #expect(!FileManager.default.fileExists(atPath: store + "/hook-secrets.key"))
        }
    }

    /// `notify list`'s SINCE was RFC 3339 UTC (`2026-12-07T17:56:47.034Z`) where `hook list` and every other table give
    /// times in the viewer's zone; it is in the viewer's zone now, named. `--json` keeps RFC 3339 UTC.
    @Test(arguments: DocketMode.allCases) func listGivesItsTimesInTheViewersZone(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "ann", "Asia/Kolkata"]).status == 0)
        try mode.run {
            #expect(try docket(["notify", "add", "chat", "--url", "-"], stdin: "https://chat.example.com/hook/abc\n").status == 0)
            let since = try #require(try rows().first?["secretSince"] as? String)
            #expect(since.hasSuffix("Z"), "\(since)")
            let table = try docket(["notify", "list"]).stdout
            let row = try #require(table.split(separator: "\n").last.map(String.init))
            let local = /\s\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? IST$/
            #expect(row.contains(local), "\(table)")
            #expect(!row.contains(since), "\(table)")
        }
    }
}
