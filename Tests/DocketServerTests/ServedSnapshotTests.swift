import Foundation
import TestSupport
import Testing

/// `docket snapshot …` and `docket replay` through the server failed for everyone ("cannot open store at …: it is
/// already open in this process"): they opened the store a second time. They now use the store the server holds
/// open, with the same admin checks as embedded.
@Suite(.serialized) struct ServedSnapshotTests {
    @Test func snapshotsAndReplaysWorkThroughTheServer() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--subject", "Printer"]).status == 0)
        let admin = try served.docket(["token", "create", "--name", "a"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tech = try served.docket(["token", "create", "--user", "bob", "--name", "b"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(socket: false)
        func client(_ arguments: [String], token: String) throws -> DocketRun {
            try DocketProcess.runEmbedded(arguments, store: served.store, environment: ["DOCKET_SERVER": served.address, "DOCKET_TOKEN": token])
        }
        let list = try client(["snapshot", "list"], token: admin)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("no snapshots"), "\(list.stdout)")
        let take = try client(["snapshot", "take"], token: admin)
        #expect(take.status == 0, "\(take.stderr)")
        #expect(try client(["snapshot", "take"], token: tech).status == 5, "admin only, as embedded")

        Thread.sleep(forTimeInterval: 0.01)
        let moment = ISO8601DateFormatter().string(from: Date().addingTimeInterval(1))
        Thread.sleep(forTimeInterval: 1.1)
        let into = served.folder.child("replay")
        let replay = try client(["replay", "--as-of", moment, "--into", into], token: admin)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("replayed"), "\(replay.stdout)")
        #expect(try client(["replay", "--as-of", moment, "--into", served.folder.child("r2")], token: tech).status == 5)
        let shown = try DocketProcess.runEmbedded(["ticket", "list"], store: into)
        #expect(shown.status == 0 && shown.stdout.contains("Printer"), "\(shown.stdout)\(shown.stderr)")
    }
}
