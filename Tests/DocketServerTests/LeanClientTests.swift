import Foundation
import TestSupport
import Testing

/// The client sends the command line untouched and the server parses it (docs/architecture.md): usage errors,
/// `--help`, refusals and failures come back with the embedded CLI's exact text and exit code, over the Unix
/// socket and over HTTP, and a refused command writes nothing.
@Suite(.serialized) struct LeanClientTests {
    static let cases: [[String]] = [
        ["ticket", "open", "--client", "acme", "--subject", "x", "--bogus"],
        ["ticket", "open", "--client", "acme"],
        ["tikcet", "list"],
        ["ticket", "show", "T-9999"],
        ["ticket", "comment", "T-1001", "--internal"],
        ["event", "append", "--stream", "s-1", "--type", "test.noted", "--payload", #"{"x":2}"#, "--expected-version", "none"],
        ["time", "log", "T-1001", "forever"],
        ["--help"],
        ["ticket", "open", "--help"],
        ["help", "invoice", "list"],
        [],
        ["ticket", "show", "T-1001", "--json"],
    ]

    @Test func theServerAnswersAsTheEmbeddedCLIDoes() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--subject", "Printer"]).stdout == "T-1001\n")
        #expect(try served.docket(["event", "append", "--stream", "s-1", "--type", "test.noted", "--payload", #"{"x":1}"#]).status == 0)
        // The socket identifies the OS account: link it to ann, so both clients act as the embedded runs do.
        #expect(try served.docket(["user", "link-os", "ann", "--uid", String(getuid())]).status == 0)
        let token = try served.docket(["token", "create", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start()
        let before = try served.eventCount()
        let clients: [(String, [String: String])] = [
            ("socket", ["DOCKET_SERVER": served.socket]),
            ("HTTP", ["DOCKET_SERVER": served.address, "DOCKET_TOKEN": token]),
        ]
        for arguments in Self.cases {
            let embedded = try served.docket(arguments)
            for (label, environment) in clients {
                let remote = try DocketProcess.runEmbedded(arguments, store: served.store, environment: environment)
                let what = "`docket \(arguments.joined(separator: " "))` via \(label)"
                #expect(remote.status == embedded.status, "\(what): \(remote.stderr)")
                #expect(remote.stdout == embedded.stdout, "\(what)")
                #expect(remote.stderr == embedded.stderr, "\(what)")
            }
            if embedded.status != 0 {
                #expect(embedded.stderr.hasPrefix("docket: error: ") || embedded.stderr.hasPrefix("Error: "), "\(embedded.stderr)")
            }
        }
        #expect(try served.eventCount() == before, "a refused command writes nothing")
        #expect(served.stop() == 0)
    }

    /// What differs on purpose: `--as` and `--store` are refused through a server (you act as who the server
    /// identifies), with a usage error from the server's parse, and nothing is written.
    @Test func actingAsSomeoneElseIsRefusedByTheServersParse() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        let token = try served.docket(["token", "create", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start()
        let before = try served.eventCount()
        for flag in [["--as", "ann"], ["--store", "/tmp/elsewhere"]] {
            let run = try DocketProcess.runEmbedded(
                ["ticket", "open", "--client", "acme", "--subject", "x"] + flag, store: served.store,
                environment: ["DOCKET_SERVER": served.address, "DOCKET_TOKEN": token])
            #expect(run.status == 64, "\(run.stderr)")
            #expect(run.stderr.contains("through a server"), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        #expect(try served.eventCount() == before)
        #expect(served.stop() == 0)
    }
}
