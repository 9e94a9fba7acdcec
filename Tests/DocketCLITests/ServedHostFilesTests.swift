import Foundation
import TestSupport
import Testing

/// Through `docket serve` a command runs as the server's OS user, so a file, folder or program named on its command
/// line is the server host's: only an admin may name one; everyone else sends the content on stdin.
@Suite struct ServedHostFilesTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func log() throws -> String { try docket(["log", "--json", "--limit", "100000"]).stdout }

    static let calendar = "timeZone: UTC\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n"

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "tom", "--name", "Tom", "--email", "tom@msp.example", "--role", "tech"])
        try docket(["user", "add", "dee", "--name", "Dee", "--email", "dee@msp.example", "--role", "dispatcher"])
        let run = try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "EUR"])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func aNonAdminCannotNameAFileFolderOrProgramOnTheServersHost() throws {
        try DocketMode.server.run {
            try setUp()
            let calendar = folder.child("office.yaml")
            try Data(Self.calendar.utf8).write(to: URL(fileURLWithPath: calendar))
            let maildir = folder.child("maildir")
            try FileManager.default.createDirectory(atPath: maildir + "/new", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: maildir + "/cur", withIntermediateDirectories: true)
            let anchors = folder.child("anchors")
            #expect(try docket(["rules", "show"], as: "dee").status == 0)  // dee's token is made (an event) before counting
            let before = try log()
            let refusals: [(arguments: [String], names: String, instead: String)] = [
                (["calendar", "define", "office", "--name", "Office", "--file", calendar], "read --file \(calendar)", "send the file on stdin with `--file -`"),
                (["rules", "set", calendar], "read rules file \(calendar)", "send the file on stdin with `-` in place of the file"),
                (["intake", "email", "--maildir", maildir], "read --maildir \(maildir)", "pipe each message on stdin"),
                (["import", calendar], "read \(calendar)", "send the file on stdin (`docket import < FILE`)"),
                (["anchor", "--to", anchors], "write --to \(anchors)", "run `docket anchor` on the server's host"),
                (["verify", "--anchors", anchors], "read --anchors \(anchors)", "run `docket verify --anchors` on the server's host"),
                (["outbox", "send", "--sendmail", "/bin/true"], "run --sendmail /bin/true", "run `docket outbox send` on the server's host"),
            ]
            for (arguments, names, instead) in refusals {
                let run = try docket(arguments, as: "dee")
                #expect(run.status == 5, "\(arguments): \(run.stderr)")
                #expect(run.stderr.hasPrefix("docket: error: only an admin may \(names) on the server's host; dee is dispatcher: \(instead)"), "\(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1)
            }
            #expect(!FileManager.default.fileExists(atPath: anchors), "nothing was written on the host")
            #expect(try log() == before, "nothing was written to the log")
            // The same content on stdin is fine for whoever may do the rest; an admin may still name the file.
            let piped = try docket(["rules", "set", "-"], stdin: "rules: []\n", as: "dee")
            #expect(piped.status == 0, "\(piped.stderr)")
            let named = try docket(["calendar", "define", "lab", "--name", "Lab", "--file", calendar])
            #expect(named.status == 0, "\(named.stderr)")
            #expect(try docket(["anchor", "--to", anchors]).status == 0)
        }
    }

    @Test func intakeLMTPNeverRunsThroughTheServerAndNeverReplacesAFile() throws {
        let victim = folder.child("victim.txt")
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: victim))
        try DocketMode.server.run {
            try setUp()
            let run = try docket(["intake", "lmtp", "--listen", victim])
            #expect(run.status == 64)
            #expect(run.stderr.contains("runs where the mail server delivers, not through `docket serve`"), "\(run.stderr)")
        }
        // Embedded (where it belongs), a path that is not a socket is refused and left as it is.
        try DocketMode.embedded.run {
            let run = try docket(["intake", "lmtp", "--listen", victim], as: "intake")
            #expect(run.status == 73, "\(run.stderr)")
            #expect(run.stderr == "docket: error: \(victim) exists and is not a socket; remove it or give another --listen\n")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n")
    }
}
