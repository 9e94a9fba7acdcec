import Foundation
import TestSupport
import Testing

/// `--as-of TIME` on every read command: the answer a replay as of TIME gives (`docket replay --into DIR`, then the
/// command with `--store DIR`), in one command, embedded and through `docket serve`; admins only, nothing left behind.
@Suite struct AsOfReadTests {
    let base = ReplayCommandTests()
    var store: String { base.store }

    /// The read commands of ``LinkedReplayCommandTests/reads`` (the log's own tools take `--until`, not `--as-of`).
    static let reads = LinkedReplayCommandTests.reads.filter { !["log", "verify", "export", "stats"].contains($0[0]) }

    /// What the embedded store's scratch folder holds: its as-of replays are hidden folders there while they run.
    func scratch() throws -> [String] {
        let snapshots = store + "/snapshots"
        guard FileManager.default.fileExists(atPath: snapshots) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: snapshots).filter { $0.hasPrefix(".as-of") }
    }

    @Test(arguments: DocketMode.allCases) func everyReadCommandAsOfAMomentAnswersAsTheReplayThenDoes(_ mode: DocketMode) throws {
        try base.writeBeforeT1()
        try base.writeAfterT1()
        let replay = base.folder.child("replay")
        #expect(try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", replay]).status == 0)
        // Read embedded (a replay is read-only: no server makes its tokens there).
        let answers = try Self.reads.map { try base.docket($0, store: replay) }
        try mode.run {
            for (arguments, expected) in zip(Self.reads, answers) {
                let seen = try base.docket(arguments + ["--as-of", ReplayCommandTests.t1])
                #expect(seen.status == 0 && expected.status == 0, "\(arguments): \(seen.stderr) \(expected.stderr)")
                #expect(seen.stdout == expected.stdout, "\(arguments)")
                #expect(seen.stderr == expected.stderr, "\(arguments)")
            }
            // The live store answers with what came after t1: the option changed the answer.
            let now = try base.docket(["ticket", "show", "T-1001", "--json"])
            #expect(now.stdout != (try base.docket(["ticket", "show", "T-1001", "--json", "--as-of", ReplayCommandTests.t1])).stdout)
        }
        // Embedded, each command's replay went with it (the server's are its own, removed when it stops).
        #expect(try scratch() == [])
    }

    /// The billing reports scan the log (no read model): as of a moment they scan it through that moment's last event,
    /// as the report run on a replay then does, and leave out what was logged later for the same window.
    @Test(arguments: DocketMode.allCases) func theBillingReportsAsOfAMomentScanTheLogThroughIt(_ mode: DocketMode) throws {
        try base.writeBeforeT1()
        let replay = base.folder.child("replay")
        #expect(try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", replay]).status == 0)
        try base.writeAfterT1()
        // October's work, logged in November: the report run now counts it, the report as of t1 could not.
        try base.ok(["time", "log", "T-1003", "45m", "--at", "2026-10-10T10:00:00Z"], at: "2026-11-06T09:00:00Z", as: "bob")
        let report = ["report", "utilization", "--from", "2026-10-01", "--to", "2026-11-01", "--format", "json"]
        let expected = try base.docket(report, store: replay)
        #expect(expected.status == 0, "\(expected.stderr)")
        try mode.run {
            let seen = try base.docket(report + ["--as-of", ReplayCommandTests.t1])
            #expect(seen.status == 0 && seen.stdout == expected.stdout, "\(seen.stderr)")
            #expect(try base.docket(report).stdout != expected.stdout, "the late entry counts in the report run now")
            let bob = try base.docket(report + ["--as-of", ReplayCommandTests.t1], as: "bob")
            #expect(bob.status == 5 && bob.stderr.contains("only an admin"), "\(bob.stderr)")
        }
    }

    @Test(arguments: DocketMode.allCases) func aMomentWithoutAZoneIsTheViewersAndSaidSo(_ mode: DocketMode) throws {
        try base.writeBeforeT1()
        try base.writeAfterT1()
        try mode.run {
            // ann has no zone of her own: this machine's (the tests run in UTC), named on stderr as `replay` does.
            let typed = try base.docket(["invoice", "list", "--json", "--as-of", "2026-11-01"])
            let exact = try base.docket(["invoice", "list", "--json", "--as-of", "2026-11-01T00:00:00Z"])
            #expect(typed.status == 0 && typed.stdout == exact.stdout, "\(typed.stderr)")
            #expect(typed.stderr.contains("--as-of \"2026-11-01\" read as 2026-11-01 00:00"), "\(typed.stderr)")
            #expect(exact.stderr.isEmpty, "\(exact.stderr)")
        }
    }

    @Test(arguments: DocketMode.allCases) func badMomentsAndReadersAreRefusedWithOneLineAndNothingWritten(_ mode: DocketMode) throws {
        try base.writeBeforeT1()
        let replay = base.folder.child("replay")
        #expect(try base.docket(["replay", "--as-of", ReplayCommandTests.t1, "--into", replay]).status == 0)
        let events = { () throws -> Int in try base.docket(["log", "--json", "--limit", "100000"]).stdout.count }
        try mode.run {
            // Through a server each user's token is made (an event) on their first command: before counting.
            #expect(try base.docket(["queue"], as: "bob").status == 0)
            let before = try events()
            for (arguments, user, status, words) in [
                (["queue", "--as-of", ReplayCommandTests.t1], "bob", Int32(5), "only an admin may read the store as of a moment (--as-of"),
                (["queue", "--as-of", "2026-01-01T00:00:00Z"], "ann", 4, "give a later --as-of"),
                (["queue", "--as-of", "last tuesday"], "ann", 64, "--as-of <time>': a moment is a date (2026-10-31), a local time"),
            ] {
                let run = try base.docket(arguments, as: user)
                #expect(run.status == status, "\(arguments): \(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
                #expect(run.stderr.contains(words), "\(arguments): \(run.stderr)")
            }
            #expect(try events() == before)
        }
        // A replay shows one moment already.
        let twice = try base.docket(["queue", "--as-of", "2026-10-06T00:00:00Z"], store: replay)
        #expect(twice.status == 64 && twice.stderr.contains("is a replay already") && twice.stderr.contains("drop --as-of"), "\(twice.stderr)")
        #expect(try scratch() == [])
    }

    @Test func theHelpOfAReadCommandTeachesIt() throws {
        let help = try base.docket(["invoice", "show", "--help"])
        #expect(help.stdout.contains("--as-of <time>"), "\(help.stdout)")
        #expect(help.stdout.contains("as the store stood at this moment (admins)"), "\(help.stdout)")
    }
}
