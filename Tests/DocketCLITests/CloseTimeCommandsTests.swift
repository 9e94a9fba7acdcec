import Foundation
import TestSupport
import Testing

/// `docket ticket close` with time capture, and `docket report closed-without-time`, end to end.
/// Exit codes: --time with --no-time, --no-time without --reason 64 (usage); no time of the closer's and no flag
/// in a script 65, with nothing written.
@Suite struct CloseTimeCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String = "2026-11-03T10:00:00Z", stdin: String = "") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    /// ann (admin), dora (dispatcher), bob and tia (techs); clients acme and globex; tickets T-1001…T-1003 for acme.
    func setUp() throws {
        try docket(["init"])
        try StoreSetUp.addUsers([("dora", "dispatcher"), ("bob", "tech"), ("tia", "tech")]) { try docket($0) }
        for code in ["acme", "globex"] {
            #expect(try docket(["client", "add", code, "--name", code.capitalized, "--domain", "\(code).example", "--time-zone", "UTC", "--currency", "USD"], as: "dora").status == 0)
        }
        for subject in ["VPN down", "Printer jam", "New laptop"] {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", subject], as: "bob").status == 0)
        }
    }

    func eventCount() throws -> Int {
        try docket(["log", "--json", "--limit", "100000"]).stdout.components(separatedBy: "\"position\"").count - 1
    }

    func entries() throws -> [[String: Any]] {
        let run = try docket(["time", "list", "--json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
    }

    @Test func aScriptThatGivesNoTimeIsRefusedWithExit65AndNothingWritten() throws {
        try setUp()
        let before = try eventCount()
        let run = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"], as: "bob")
        #expect(run.status == 65)
        #expect(run.stderr == "docket: error: bob logged no time on T-1001; close it with --time 30m (logged with the close) or --no-time --reason \"why no time\"\n")
        #expect(run.stdout.isEmpty)
        #expect(try eventCount() == before)
    }

    @Test("conflicting or incomplete time flags are usage errors", arguments: [
        (["--time", "30m", "--no-time", "--reason", "x"], "not both"),
        (["--no-time"], "--no-time needs --reason"),
        (["--reason", "x"], "--reason goes with --no-time"),
        (["--work-type", "onsite"], "go with --time"),
        (["--non-billable"], "go with --time"),
    ])
    func badFlags(flags: [String], message: String) throws {
        try setUp()
        let run = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"] + flags, as: "bob")
        #expect(run.status == 64)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func timeGivenWithTheCloseIsLoggedForTheCloser() throws {
        try setUp()
        let close = ["ticket", "close", "T-1001", "--resolution", "Swapped the switch", "--time", "1h15m", "--work-type", "onsite", "--non-billable"]
        let run = try docket(close + ["--command-id", "c-1"], as: "tia")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "T-1001: closed; 75 min logged as TE-1\n")
        // A retry answers what the close did, the entry included (it printed "closed" alone).
        #expect(try docket(close + ["--command-id", "c-1"], as: "tia").stdout == run.stdout)
        let all = try entries()
        #expect(all.count == 1)
        #expect(all[0]["tech"] as? String == "tia")
        #expect(all[0]["minutes"] as? Int == 75)
        #expect(all[0]["workType"] as? String == "onsite")
        #expect(all[0]["billable"] as? Bool == false)
        // The close carries the time, and the close-time reaction appended the entry just before it, in its transaction.
        let log = try docket(["export"]).stdout.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let closed = try #require(log.lastIndex { $0["type"] as? String == "ticket.closed" })
        let loggedTime = (log[closed]["payload"] as? [String: Any])?["loggedTime"] as? [String: Any]
        #expect(loggedTime?["minutes"] as? Int == 75 && loggedTime?["workType"] as? String == "onsite" && loggedTime?["billable"] as? Bool == false)
        #expect(log[closed - 1]["type"] as? String == "time.logged" && log[closed - 1]["stream"] as? String == "time-TE-1")
        #expect(log[closed - 1]["recordedAt"] as? String == log[closed]["recordedAt"] as? String)
        let bad = try docket(["ticket", "close", "T-1002", "--resolution", "x", "--time", "soon"], as: "tia")
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("duration \"soon\" is not valid"))
    }

    @Test func aCloserWithTimeNeedsNoFlagsAndOthersTimeDoesNotCount() throws {
        try setUp()
        #expect(try docket(["time", "log", "T-1001", "30m"], as: "tia").status == 0)
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"], as: "bob").status == 65)
        let run = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"], as: "tia")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "T-1001: closed\n")
    }

    /// A tech whose timer runs on the ticket (or on one merged into it) cannot close it until the timer is stopped or
    /// cancelled: exit 6, one line naming the timer and the fix, nothing written. The close went through, with
    /// `--time 30m`, `--no-time`, or on time logged earlier, and left the timer running: its stop logged the same work
    /// again on the closed ticket (62 minutes for 32).
    @Test(arguments: DocketMode.allCases) func aCloseWhileTheClosersTimerRunsOnTheTicketIsRefused(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            #expect(try docket(["time", "log", "T-1001", "10m"], as: "bob").status == 0)
            #expect(try docket(["time", "start", "T-1001"], as: "bob").status == 0)
            let before = try eventCount()
            for flags in [["--time", "30m"], ["--no-time", "--reason", "duplicate"], []] {
                let run = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"] + flags, as: "bob")
                #expect(run.status == 6, "\(flags): \(run.stdout)\(run.stderr)")
                #expect(
                    run.stderr == "docket: error: your timer is running on T-1001; stop it first with `docket time stop` (it logs the time on "
                        + "T-1001) or discard it with `docket time cancel`, then close T-1001\n")
            }
            #expect(try eventCount() == before, "nothing written")
            #expect(try docket(["time", "cancel"], as: "bob").status == 0)

            // Timing a ticket merged into the one closed is timing it; a timer on another ticket is not.
            #expect(try docket(["time", "start", "T-1002"], as: "bob").status == 0)
            #expect(try docket(["ticket", "merge", "T-1002", "--into", "T-1001"], as: "tia").status == 0)
            let merged = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"], as: "bob")
            #expect(merged.status == 6)
            #expect(merged.stderr.contains("your timer is running on T-1002 (merged into T-1001); stop it first"), "\(merged.stderr)")
            #expect(try docket(["ticket", "close", "T-1003", "--resolution", "Fixed", "--time", "10m"], as: "bob").status == 0)
            #expect(try docket(["time", "stop", "--minutes", "4m"], as: "bob").status == 0)
            let closed = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"], as: "bob")
            #expect(closed.status == 0, "\(closed.stderr)")
            #expect(try entries().map { $0["minutes"] as? Int } == [10, 10, 4])
        }
    }

    /// `--time 0` on a close is refused (exit 65, nothing written) pointing at `--no-time --reason`, and `time log T 0m`
    /// says 0 minutes is no time: both said "0 minutes is out of range; an entry holds 1 minute to 24h (1440 minutes),
    /// split longer work", a fix for too much time given for none.
    @Test func zeroTimeNamesTheWayToCloseWithoutTime() throws {
        try setUp()
        let before = try eventCount()
        for zero in ["0", "0m"] {
            let run = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed", "--time", zero], as: "bob")
            #expect(run.status == 65)
            #expect(run.stderr == "docket: error: --time \(zero) logs no time; to close without time, say why: --no-time --reason \"why no time\"\n")
        }
        let log = try docket(["time", "log", "T-1001", "0m"], as: "bob")
        #expect(log.status == 65)
        #expect(log.stderr == "docket: error: 0 minutes is no time to log; an entry holds 1 minute to 24h (1440 minutes)\n")
        #expect(try eventCount() == before)
    }

    @Test func ticketShowGivesTheNoTimeReason() throws {
        try setUp()
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Dup", "--no-time", "--reason", "duplicate of T-1002"], as: "bob").status == 0)
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("closed: Dup (no time logged: duplicate of T-1002)"))
    }

    @Test func theHelpShowsTheTimeFlags() throws {
        let run = try docket(["ticket", "close", "--help"])
        #expect(run.stdout.contains("--time 30m") && run.stdout.contains("--no-time --reason \"duplicate\""), "\(run.stdout)")
    }

    @Test func theReportListsClosesWithoutTimeAsJSONAndCSV() throws {
        try setUp()
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Fixed", "--time", "30m"], as: "bob", now: "2026-11-04T10:00:00Z").status == 0)
        #expect(try docket(["ticket", "close", "T-1002", "--resolution", "Dup", "--no-time", "--reason", "duplicate, of T-1001"], as: "bob", now: "2026-11-05T10:00:00Z").status == 0)
        #expect(try docket(["time", "log", "T-1003", "20m"], as: "tia").status == 0)
        #expect(try docket(["ticket", "close", "T-1003", "--resolution", "Shipped", "--no-time", "--reason", "tia did it"], as: "dora", now: "2026-11-06T10:00:00Z").status == 0)
        #expect(try docket(["ticket", "open", "--client", "globex", "--subject", "Fax"], as: "tia").status == 0)
        #expect(try docket(["ticket", "close", "T-1004", "--resolution", "Gone", "--no-time", "--reason", "client fixed it"], as: "tia", now: "2026-12-02T10:00:00Z").status == 0)

        let json = try docket(["report", "closed-without-time", "--from", "2026-11-01", "--to", "2026-12-01", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["ticket"] as? String } == ["T-1002", "T-1003"])
        #expect(rows[0]["client"] as? String == "acme")
        #expect(rows[0]["closedBy"] as? String == "bob")
        #expect(rows[0]["closedAt"] as? String == "2026-11-05T10:00:00.000Z")
        #expect(rows[0]["reason"] as? String == "duplicate, of T-1001")
        #expect(rows[0]["ticketHasTime"] as? Bool == false)
        #expect(rows[0]["systemClose"] as? Bool == false)
        #expect(rows[1]["ticketHasTime"] as? Bool == true)

        let csv = try docket(["report", "closed-without-time", "--from", "2026-11-01", "--to", "2027-01-01", "--tech", "bob", "--format", "csv"])
        #expect(csv.stdout == """
            TICKET,CLIENT,CLOSED AT,CLOSED BY,SYSTEM,ANY TIME,REASON
            T-1002,acme,2026-11-05T10:00:00.000Z,bob,no,no,"duplicate, of T-1001"

            """)
        let globex = try docket(["report", "closed-without-time", "--from", "2026-11-01", "--to", "2027-01-01", "--client", "globex"])
        #expect(globex.stdout.contains("T-1004") && !globex.stdout.contains("T-1002"), "\(globex.stdout)")
        #expect(globex.stdout.hasPrefix("TICKET"))
        #expect(try docket(["report", "closed-without-time", "--from", "2026-12-01", "--to", "2026-11-01"]).status == 64)
    }
}
