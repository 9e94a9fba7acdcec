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
            #expect(bob.status == 5 && bob.stderr.contains("only billing or an admin"), "\(bob.stderr)")
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
                (["queue", "--as-of", ReplayCommandTests.t1], "bob", Int32(5), "only billing or an admin may read the store as of a moment (--as-of)"),
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

    /// Billing staff settle billing disputes ("the invoice as it stood on 5 November"): `--as-of` was an admin's only.
    /// It is billing's too, reading then what billing reads now (carl, an admin then and billing now, is refused then
    /// what only an admin reads); dispatchers and techs are still refused, and `replay --into`, a copy of the whole
    /// log, stays an admin's.
    @Test(arguments: DocketMode.allCases) func billingReadsAsOfAMomentWhatBillingReadsNow(_ mode: DocketMode) throws {
        let t1 = ReplayCommandTests.t1
        try base.writeBeforeT1()
        try base.ok(["user", "add", "carl", "--name", "Carl", "--email", "carl@msp.example", "--role", "admin"], at: t1)
        try base.writeAfterT1()
        try base.ok(["user", "role", "carl", "billing"], at: "2026-11-04T09:00:00Z")
        let replay = base.folder.child("replay")
        #expect(try base.docket(["replay", "--as-of", t1, "--into", replay]).status == 0)
        let reads = [["invoice", "list", "--json"], ["ticket", "show", "T-1001", "--json"], ["time", "list", "--json"]]
        let answers = try reads.map { try base.docket($0, as: "bill", store: replay) }
        try mode.run {
            for (arguments, expected) in zip(reads, answers) {
                let seen = try base.docket(arguments + ["--as-of", t1], as: "bill")
                #expect(seen.status == 0 && expected.status == 0, "\(arguments): \(seen.stderr) \(expected.stderr)")
                #expect(seen.stdout == expected.stdout, "\(arguments)")
            }
            let report = try base.docket(
                ["report", "profitability", "--from", "2026-10-01", "--to", "2026-11-01", "--format", "json", "--as-of", t1], as: "bill")
            #expect(report.status == 0 && report.stdout.hasPrefix("["), "\(report.stderr)")
            let dora = try base.docket(["invoice", "list", "--as-of", t1], as: "dora")
            #expect(dora.status == 5, "\(dora.stderr)")
            #expect(
                dora.stderr == "docket: error: only billing or an admin may read the store as of a moment (--as-of); dora is dispatcher: "
                    + "ask billing or an admin\n", "\(dora.stderr)")
            let hooks = try base.docket(["hook", "list", "--as-of", t1], as: "carl")
            #expect(hooks.status == 5 && hooks.stderr.contains("only an admin may manage webhook sources"), "\(hooks.stdout) \(hooks.stderr)")
            let copy = try base.docket(["replay", "--as-of", t1, "--into", base.folder.child("bills-copy")], as: "bill")
            #expect(copy.status == 5 && copy.stderr.contains("only an admin may"), "\(copy.stderr)")
        }
    }

    @Test func theHelpOfAReadCommandTeachesIt() throws {
        let help = try base.docket(["invoice", "show", "--help"])
        #expect(help.stdout.contains("--as-of <time>"), "\(help.stdout)")
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("as the store stood at this moment (billing, admins)"), "\(help.stdout)")
    }
}

extension AsOfReadTests {
    /// As of a moment, a reader reads with their time zone and role now (docs/security.md, "Who reads what"): the
    /// replay took both from itself, so bill, who set New York after t1, read `ticket show --as-of t1` in the zone he
    /// had then (the machine's, UTC), and carl, a tech at t1 and billing now, read `charge list --as-of t1` without the
    /// unit cost billing reads. Both come from the live store now, embedded and through `docket serve`.
    @Test(arguments: DocketMode.allCases) func asOfAMomentTheReaderReadsWithTheirZoneAndRoleNow(_ mode: DocketMode) throws {
        let t1 = ReplayCommandTests.t1
        try base.writeBeforeT1()
        try base.ok(["user", "add", "carl", "--name", "Carl", "--email", "carl@msp.example", "--role", "tech"], at: "2026-10-30T12:00:00Z")
        try base.ok(
            ["contract", "add", "acme-fees", "--client", "acme", "--name", "Fees", "--effective", "2026-01-01", "--terms",
             #"{"model":"hourly","currency":"USD","rates":{"*":12000}}"#], at: "2026-10-30T12:00:00Z", as: "bill")
        try base.ok(
            ["charge", "add", "acme", "--description", "Dell Latitude", "--unit-price", "1249.00", "--quantity", "1", "--unit-cost", "980.00"],
            at: "2026-10-30T12:00:00Z", as: "bill")
        try base.writeAfterT1()
        try base.ok(["user", "time-zone", "bill", "America/New_York"], at: "2026-11-06T09:00:00Z")
        try base.ok(["user", "role", "carl", "billing"], at: "2026-11-06T09:00:00Z")
        try mode.run {
            let shown = try base.docket(["ticket", "show", "T-1001", "--as-of", t1], as: "bill")
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains(" EDT") && !shown.stdout.contains(" UTC"), "bill's zone now: \(shown.stdout)")
            let charges = try base.docket(["charge", "list", "--json", "--as-of", t1], as: "carl")
            #expect(charges.status == 0, "\(charges.stderr)")
            #expect(charges.stdout.contains("\"unitCostMinor\" : 98000"), "carl is billing now: \(charges.stdout)")
        }
    }
}
