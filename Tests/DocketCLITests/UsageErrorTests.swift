import Foundation
import TestSupport
import Testing

/// Usage errors teach the fix: an option typed before its subcommand is what ArgumentParser calls unknown, so the
/// message shows the line with the subcommand first. Nothing runs, nothing is written.
@Suite struct UsageErrorTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    func docket(_ arguments: [String]) throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": "ann"])
    }

    @Test func anOptionBeforeItsSubcommandGetsTheReorderedLine() throws {
        let root = try docket(["--as", "bob", "queue", "--mine"])
        #expect(root.status == 64)
        #expect(root.stderr.hasPrefix("Error: Unknown option '--as'"), "\(root.stderr)")
        #expect(root.stderr.hasSuffix("Options go after the subcommand: docket queue --as bob --mine\n"), "\(root.stderr)")
        let nested = try docket(["ticket", "--json", "show", "T-1001"])
        #expect(nested.status == 64)
        #expect(nested.stderr.hasSuffix("Options go after the subcommand: docket ticket show --json T-1001\n"), "\(nested.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store), "a usage error creates no store")
    }

    @Test func anUnknownOptionAfterTheSubcommandGetsNoReordering() throws {
        let run = try docket(["queue", "--bogus"])
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("Error: Unknown option '--bogus'"))
        #expect(!run.stderr.contains("Options go after"))
    }

    /// An empty acting user is refused (64) instead of falling through to $DOCKET_USER or the OS user, who is often an
    /// admin: `--as ""`, and an empty $DOCKET_USER given explicitly. No message names an empty user.
    @Test func anEmptyActingUserIsBadUsage() throws {
        #expect(try DocketProcess.run(["init"], store: store).status == 0)
        let add = ["user", "add", "z1", "--name", "Z", "--email", "z1@msp.example", "--role", "admin"]
        let log = try docket(["log", "--json"]).stdout
        let flag = try docket(add + ["--as", ""])
        #expect(flag.status == 64, "\(flag.stderr)")
        #expect(flag.stderr.hasPrefix("Error: --as needs a login, e.g. --as bob"), "\(flag.stderr)")
        for environment in [["DOCKET_USER": ""], ["DOCKET_USER": "", "USER": "", "LOGNAME": ""]] {
            let run = try DocketProcess.run(add, store: store, environment: environment)
            #expect(run.status == 64, "\(environment): \(run.stderr)")
            #expect(run.stderr.hasPrefix("Error: $DOCKET_USER is set but empty"), "\(run.stderr)")
            #expect(!run.stderr.contains("unknown user ;"))
        }
        #expect(try docket(["log", "--json"]).stdout == log, "nothing written")
        #expect(try docket(add).status == 0, "ann, from $DOCKET_USER, may")
    }
}
