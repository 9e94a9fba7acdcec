import Foundation
import TestSupport
import Testing

/// `docket time …` end to end. Exit codes: unknown ticket 4, bad duration or time 65 (bad input data),
/// correcting someone else's entry as a tech 5, a running/missing timer or a voided entry 6.
@Suite struct TimeCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String? = nil) throws -> DocketRun {
        var environment = ["DOCKET_USER": user]
        if let now { environment["DOCKET_NOW"] = now }
        return try DocketProcess.run(arguments, store: store, environment: environment)
    }

    /// ann (admin), dora (dispatcher), bob and tia (techs), bill (billing); ticket T-1001 for acme.
    func setUp() throws {
        try docket(["init"])
        try StoreSetUp.addUsers([("dora", "dispatcher"), ("bob", "tech"), ("tia", "tech"), ("bill", "billing")]) { try docket($0) }
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"], as: "dora").status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN down"], as: "bob").stdout == "T-1001\n")
    }

    func eventCount() throws -> Int {
        try docket(["log", "--json", "--limit", "100000"]).stdout.components(separatedBy: "\"position\"").count - 1
    }

    func entries(_ arguments: [String] = []) throws -> [[String: Any]] {
        let run = try docket(["time", "list", "--json"] + arguments)
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
    }

    @Test func logCorrectVoidAndList() throws {
        try setUp()
        let first = try docket(["time", "log", "T-1001", "1.5h", "--work-type", "onsite", "--at", "2026-11-03 14:00", "--note", "Swapped router"], as: "bob")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "TE-1\n")
        #expect(try docket(["time", "log", "T-1001", "45m", "--non-billable"], as: "tia", now: "2026-11-04T09:00:00Z").stdout == "TE-2\n")
        #expect(try docket(["time", "log", "T-1001", "20"], as: "tia", now: "2026-11-05T09:00:00Z").stdout == "TE-3\n")

        #expect(try docket(["time", "correct", "TE-1", "--minutes", "1h", "--reason", "Typed the wrong duration"], as: "bob").stdout == "TE-1: corrected\n")
        #expect(try docket(["time", "void", "TE-3", "--reason", "Duplicate"], as: "bill").stdout == "TE-3: voided\n")

        let all = try entries()
        #expect(all.map { $0["entryId"] as? String } == ["TE-1", "TE-2", "TE-3"])
        #expect(all.map { $0["minutes"] as? Int } == [60, 45, 20])
        #expect(all.map { $0["tech"] as? String } == ["bob", "tia", "tia"])
        #expect(all.map { $0["voided"] as? Bool } == [false, false, true])
        #expect(all[0]["startedAt"] as? String == "2026-11-03T14:00:00.000Z")
        #expect(all[0]["workType"] as? String == "onsite")
        #expect(all[1]["billable"] as? Bool == false)

        #expect(try entries(["--tech", "tia"]).count == 2)
        #expect(try entries(["--from", "2026-11-04", "--to", "2026-11-05"]).map { $0["entryId"] as? String } == ["TE-2"])

        let table = try docket(["time", "list", "--ticket", "T-1001"])
        #expect(table.stdout.contains("ENTRY"))
        #expect(table.stdout.contains("T-1001: billable 60 min (1h), non-billable 45 min (45m)"), "\(table.stdout)")
    }

    @Test(arguments: DocketMode.allCases) func loggingOnAClosedTicketIsAllowed(_ mode: DocketMode) throws { try mode.run(loggingOnAClosedTicketIsAllowed) }
    func loggingOnAClosedTicketIsAllowed() throws {
        try setUp()
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Fixed", "--no-time", "--reason", "test"], as: "bob").status == 0)
        let run = try docket(["time", "log", "T-1001", "30m"], as: "bob")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "TE-1\n")
    }

    /// Time logged without `--at` is work just done: it ends now, as a close's `--time` does. It started now, so 45m
    /// logged at 17:00 ran to 17:45, in the future.
    @Test func timeLoggedWithoutAStartEndsNowAsACloseTimeDoes() throws {
        try setUp()
        #expect(try docket(["time", "log", "T-1001", "45m"], as: "bob", now: "2026-11-04T17:00:00Z").stdout == "TE-1\n")
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Fixed", "--time", "30m"], as: "tia", now: "2026-11-04T18:00:00Z").status == 0)
        let all = try entries()
        #expect(all.map { $0["startedAt"] as? String } == ["2026-11-04T16:15:00.000Z", "2026-11-04T17:30:00.000Z"])
        let help = try docket(["time", "log", "--help"])
        #expect(help.stdout.contains("it ends now"), "\(help.stdout)")
    }

    /// A refused command that read a time without a zone prints only its error; the note on how the time was read
    /// comes with a command that succeeded. `time log --at "…"` by a billing user printed the note, then the error;
    /// so did `time correct`, `time list --from` and `ticket due`.
    @Test func aRefusedCommandPrintsOnlyItsErrorNotHowItReadTheTime() throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "bill", "America/New_York"], as: "ann").status == 0)
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"], as: "ann").status == 0)
        let now = "2026-11-05T12:00:00Z"
        let refused: [([String], String, Int32)] = [
            (["time", "log", "T-1001", "45m", "--at", "2026-11-04 18:20"], "bill", 5),
            (["time", "log", "T-9999", "45m", "--at", "2026-11-04 18:20"], "bob", 4),
            (["time", "correct", "TE-9", "--at", "2026-11-04 18:20", "--reason", "r"], "bob", 4),
            (["time", "list", "--tech", "ghost", "--from", "2026-11-01"], "bob", 4),
            (["ticket", "due", "T-1001", "2026-11-06 17:00"], "bob", 5),
        ]
        for (arguments, user, status) in refused {
            let run = try docket(arguments, as: user, now: now)
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.hasPrefix("docket: error: "), "\(arguments): \(run.stderr)")
        }
        let logged = try docket(["time", "log", "T-1001", "45m", "--at", "2026-11-04 18:20"], as: "bob", now: now)
        #expect(logged.stdout == "TE-1\n", "\(logged.stderr)")
        #expect(logged.stderr.hasPrefix("--at \"2026-11-04 18:20\" read as 2026-11-04 18:20 EST"), "the note, on success: \(logged.stderr)")
        let listed = try docket(["time", "list", "--from", "2026-11-01"], as: "bob", now: now)
        #expect(listed.stderr.hasPrefix("--from \"2026-11-01\" read as"), "\(listed.stderr)")
    }

    /// A time with an offset may leave out its seconds, as people type it: `--at 2026-11-03T14:00-05:00` was refused as
    /// "not a time" (exit 65), since only `…T14:00:00-05:00` was read as RFC 3339.
    @Test func aTimeWithAnOffsetMayLeaveOutItsSeconds() throws {
        try setUp()
        let run = try docket(["time", "log", "T-1001", "45m", "--at", "2026-11-03T14:00-05:00"], as: "bob", now: "2026-11-04T09:00:00Z")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")  // exact: no note on how a zoneless time was read
        #expect(try docket(["time", "log", "T-1001", "15m", "--at", "2026-11-03T16:00Z"], as: "bob", now: "2026-11-04T09:00:00Z").status == 0)
        #expect(try entries().map { $0["startedAt"] as? String } == ["2026-11-03T19:00:00.000Z", "2026-11-03T16:00:00.000Z"])
        #expect(try docket(["time", "log", "T-1001", "15m", "--at", "2026-11-03T16:00+5"], as: "bob", now: "2026-11-04T09:00:00Z").status == 65)
    }

    /// Through a server too (the server's clock, the same rule): the entry ends when it was logged, never after.
    @Test(arguments: DocketMode.allCases) func timeLoggedWithoutAStartIsNeverInTheFuture(_ mode: DocketMode) throws {
        try mode.run(timeLoggedWithoutAStartIsNeverInTheFuture)
    }
    func timeLoggedWithoutAStartIsNeverInTheFuture() throws {
        try setUp()
        let before = Date()
        let run = try docket(["time", "log", "T-1001", "45m"], as: "bob")
        let after = Date()
        #expect(run.status == 0, "\(run.stderr)")
        let started = try #require(try entries().first?["startedAt"] as? String)
        let start = try #require(ISO8601DateFormatter.withFractions.date(from: started))
        let end = start.addingTimeInterval(45 * 60)
        #expect(end >= before.addingTimeInterval(-1) && end <= after.addingTimeInterval(1), "\(started) \(before) \(after)")
    }

    @Test func aTimerLogsTheElapsedMinutesRoundedUp() throws {
        try setUp()
        #expect(try docket(["time", "start", "T-1001", "--work-type", "remote"], as: "tia", now: "2026-11-03T10:00:00Z").status == 0)
        let second = try docket(["time", "start", "T-1001"], as: "tia", now: "2026-11-03T10:05:00Z")
        #expect(second.status == 6)
        #expect(second.stderr.contains("already running") && second.stderr.contains("docket time stop"))
        let stop = try docket(["time", "stop", "--note", "Reset the tunnel"], as: "tia", now: "2026-11-03T10:40:30Z")
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout == "TE-1: 41 minutes\n")
        let entry = try #require(try entries().first)
        #expect(entry["minutes"] as? Int == 41)
        #expect(entry["startedAt"] as? String == "2026-11-03T10:00:00.000Z")
        #expect(entry["note"] as? String == "Reset the tunnel")
        let again = try docket(["time", "stop"], as: "tia", now: "2026-11-03T11:00:00Z")
        #expect(again.status == 6)
        #expect(again.stderr.contains("no timer is running"))
        #expect(try docket(["time", "start", "T-1001"], as: "tia", now: "2026-11-03T12:00:00Z").status == 0, "a new timer after the stop")
    }

    /// A timer stopped with the clock behind its start, or at its start, logs nothing (it logged a minute silently);
    /// `--minutes` beyond the time since the start is refused too. Exit 65 and nothing is written.
    @Test func aStopBeforeOrAtTheStartIsRefused() throws {
        try setUp()
        #expect(try docket(["time", "start", "T-1001"], as: "bob", now: "2026-11-03T10:00:00Z").status == 0)
        let before = try eventCount()
        let cases: [([String], String, String)] = [
            (["time", "stop"], "2026-11-03T09:59:00Z", "the clock (2026-11-03 09:59 UTC) is behind the start of the timer on T-1001 (2026-11-03 10:00 UTC)"),
            (["time", "stop"], "2026-11-03T10:00:00Z", "no time has elapsed since the timer on T-1001 started"),
            (["time", "stop", "--minutes", "30m"], "2026-11-03T10:10:00Z", "give --minutes at most the time worked since the start"),
        ]
        for (arguments, now, message) in cases {
            let run = try docket(arguments, as: "bob", now: now)
            #expect(run.status == 65, "\(arguments) at \(now): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        #expect(try eventCount() == before)
        #expect(try docket(["time", "stop", "--minutes", "10m"], as: "bob", now: "2026-11-03T09:59:00Z").stdout == "TE-1: 10 minutes\n")
    }

    @Test func theTimerStopsAtTheMinute() throws {
        try setUp()
        _ = try docket(["time", "start", "T-1001"], as: "bob", now: "2026-11-03T10:00:00Z")
        #expect(try docket(["time", "stop"], as: "bob", now: "2026-11-03T10:41:00Z").stdout == "TE-1: 41 minutes\n")
    }

    @Test func refusalsExitWithTheirCodeAndWriteNothing() throws {
        try setUp()
        #expect(try docket(["time", "log", "T-1001", "45m"], as: "bob").stdout == "TE-1\n")
        _ = try docket(["time", "void", "TE-1", "--reason", "x"], as: "bob")
        #expect(try docket(["time", "log", "T-1001", "45m"], as: "bob").stdout == "TE-2\n")
        let before = try eventCount()
        let cases: [([String], String, Int32, String)] = [
            (["time", "log", "T-9999", "45m"], "bob", 4, "unknown ticket T-9999"),
            (["time", "log", "T-1001", "1.01h"], "bob", 65, "\"1.01h\""),
            (["time", "log", "T-1001", "abc"], "bob", 65, "1h30m"),
            (["time", "log", "T-1001", "25h"], "bob", 65, "out of range"),
            (["time", "log", "T-1001", "45m", "--at", "yesterday"], "bob", 65, "yesterday"),
            (["time", "log", "T-1001", "45m"], "bill", 5, "billing"),
            (["time", "correct", "TE-2", "--minutes", "30m", "--reason", "mine"], "tia", 5, "logged by bob"),
            (["time", "void", "TE-2", "--reason", "mine"], "tia", 5, "logged by bob"),
            (["time", "correct", "TE-2", "--minutes", "30m"], "bob", 65, "--reason"),
            (["time", "void", "TE-2"], "bob", 65, "--reason"),
            (["time", "correct", "TE-1", "--minutes", "30m", "--reason", "x"], "bob", 6, "voided"),
            (["time", "correct", "TE-99", "--minutes", "30m", "--reason", "x"], "bob", 4, "TE-99"),
            (["time", "start", "T-9999"], "bob", 4, "unknown ticket T-9999"),
            (["time", "stop"], "bob", 6, "no timer is running"),
        ]
        for (arguments, user, status, message) in cases {
            let run = try docket(arguments, as: user)
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments)")
        }
        #expect(try eventCount() == before)
    }

    /// Work logged ahead of the clock (a typo in the month or the year) is refused with the time it would end, for
    /// logs and corrections alike, and nothing is written, so no invoice bills it.
    @Test func workThatEndsAfterNowIsRefused() throws {
        try setUp()
        let now = "2026-11-03T12:00:00Z"
        #expect(try docket(["time", "log", "T-1001", "2h", "--at", "2026-11-03T10:00:00Z"], as: "bob", now: now).stdout == "TE-1\n")
        let before = try eventCount()
        let cases: [([String], String)] = [
            (["time", "log", "T-1001", "2h", "--at", "2026-11-28T10:00:00Z"], "ends at 2026-11-28 12:00 UTC, after now (2026-11-03 12:00 UTC)"),
            (["time", "log", "T-1001", "2h", "--at", "2199-12-31T23:00:00Z"], "ends at 2200-01-01 01:00 UTC"),
            (["time", "log", "T-1001", "2h", "--at", "2026-11-03T10:10:00Z"], "ends at 2026-11-03 12:10 UTC"),
            (["time", "correct", "TE-1", "--at", "2026-11-04 10:00", "--reason", "r"], "TE-1 would be work from 2026-11-04 10:00 UTC"),
            (["time", "correct", "TE-1", "--minutes", "3h", "--reason", "r"], "ends at 2026-11-03 13:00 UTC"),
        ]
        for (arguments, message) in cases {
            let run = try docket(arguments, as: "bob", now: now)
            #expect(run.status == 65, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message) && run.stderr.contains("--at"), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments)")
        }
        #expect(try eventCount() == before)
        let skew = try docket(["time", "log", "T-1001", "2h", "--at", "2026-11-03T10:05:00Z"], as: "bob", now: now)
        #expect(skew.stdout == "TE-2\n", "5 minutes of clock skew: \(skew.stderr)")
    }

    /// `time log --at` refused for ending after now gives its times in the tech's own zone, as the note saying how `--at`
    /// was read does: it printed UTC (`from 2026-11-28T15:00:00.000Z`) under a note in New York time.
    @Test(arguments: DocketMode.allCases) func workAfterNowIsRefusedInTheTechsZone(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"]).status == 0)
        let now = "2026-11-03T17:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now]) {
            _ = try docket(["time", "list"], as: "bob")  // served: bob's token is made first
            let before = try eventCount()
            let run = try docket(["time", "log", "T-1001", "2h", "--at", "2026-11-28 10:00"], as: "bob", now: now)
            #expect(run.status == 65)
            #expect(
                run.stderr.hasSuffix(
                    "docket: error: the work from 2026-11-28 10:00 EST for 2h ends at 2026-11-28 12:00 EST, after now (2026-11-03 12:00 EST); "
                        + "time is logged once it is worked: check the date and time of --at and the duration\n"), "\(run.stderr)")
            #expect(!run.stderr.contains(".000Z, after") && run.stdout.isEmpty, "\(run.stderr)")
            #expect(try eventCount() == before)
        }
    }

    /// Refusals that name times give them in the tech's own zone, as the rest of the CLI's text does: `time correct`
    /// ending after now, `time stop --minutes` past now, and an empty `time list` window printed RFC 3339 UTC
    /// (`TE-1 would be work from 2026-11-03T14:00:00.000Z …`) to a New York tech. `--json` and the API keep RFC 3339.
    @Test(arguments: DocketMode.allCases) func refusalsNameTimesInTheTechsZone(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"]).status == 0)
        let now = "2026-11-03T17:00:00Z"
        #expect(try docket(["time", "log", "T-1001", "2h", "--at", "2026-11-03T14:00:00Z"], as: "bob", now: now).stdout == "TE-1\n")
        #expect(try docket(["time", "start", "T-1001"], as: "bob", now: "2026-11-03T16:00:00Z").status == 0)
        try mode.run(serverEnvironment: ["DOCKET_NOW": now]) {
            _ = try docket(["time", "list"], as: "bob")  // served: bob's token is made first
            let before = try eventCount()
            let cases: [([String], Int32, String)] = [
                (["time", "correct", "TE-1", "--minutes", "4h", "--reason", "r"], 65,
                 "docket: error: TE-1 would be work from 2026-11-03 09:00 EST for 4h ends at 2026-11-03 13:00 EST, after now (2026-11-03 12:00 EST); "
                    + "time is logged once it is worked: check the date and time of --at and the duration\n"),
                (["time", "stop", "--minutes", "2h"], 65,
                 "docket: error: the timer on T-1001 started at 2026-11-03 11:00 EST: 2h from then ends after now (2026-11-03 12:00 EST); "
                    + "give --minutes at most the time worked since the start\n"),
                (["time", "list", "--from", "2026-11-05T00:00:00Z", "--to", "2026-11-04T00:00:00Z"], 65,
                 "docket: error: the window from 2026-11-04 19:00 EST to 2026-11-03 19:00 EST is empty; give a start (--from) before the end (--to)\n"),
            ]
            for (arguments, status, message) in cases {
                let run = try docket(arguments, as: "bob", now: now)
                #expect(run.status == status, "\(arguments): \(run.stderr)")
                #expect(run.stderr == message, "\(arguments)")
                #expect(run.stdout.isEmpty, "\(arguments)")
            }
            #expect(try eventCount() == before)
        }
    }

    /// `time list` prints START in the viewer's zone with the zone named, as `queue` and `ticket show` do (it printed
    /// UTC without a zone); `--json` keeps RFC 3339 UTC. The help of `--at` says whose zone a zoneless time is read in.
    @Test func theListPrintsStartsInTheViewersZone() throws {
        try setUp()
        #expect(try docket(["time", "log", "T-1001", "30m", "--at", "2026-11-03T14:00:00Z"], as: "bob").status == 0)
        #expect(try docket(["user", "time-zone", "tia", "America/New_York"]).status == 0)
        let machine = try docket(["time", "list"], as: "bob").stdout
        #expect(machine.contains("2026-11-03 14:00 UTC"), "\(machine)")
        let own = try docket(["time", "list"], as: "tia").stdout
        #expect(own.contains("2026-11-03 09:00 EST"), "\(own)")
        #expect(try entries().first?["startedAt"] as? String == "2026-11-03T14:00:00.000Z")
        for command in ["log", "correct"] {
            let help = try docket(["time", command, "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.contains("without a zone, in your time zone (`docket user time-zone`), else the client's"), "\(command): \(help)")
        }
    }

    @Test func mergedTicketsTakeNoTime() throws {
        try setUp()
        _ = try docket(["ticket", "open", "--client", "acme", "--subject", "dup"], as: "bob")
        #expect(try docket(["ticket", "merge", "T-1002", "--into", "T-1001"], as: "dora").status == 0)
        let run = try docket(["time", "log", "T-1002", "10m"], as: "bob")
        #expect(run.status == 6)
        #expect(run.stderr.contains("merged into T-1001"))
    }

    @Test func rebuildIsByteIdentical() throws {
        try setUp()
        _ = try docket(["time", "log", "T-1001", "45m", "--note", "a"], as: "bob", now: "2026-11-03T10:00:00Z")
        _ = try docket(["time", "log", "T-1001", "1h30m", "--non-billable"], as: "tia", now: "2026-11-03T11:00:00Z")
        _ = try docket(["time", "correct", "TE-1", "--work-type", "travel", "--reason", "drove"], as: "dora")
        _ = try docket(["time", "void", "TE-2", "--reason", "dup"], as: "ann")
        _ = try docket(["time", "start", "T-1001"], as: "bob", now: "2026-11-03T12:00:00Z")
        _ = try docket(["time", "stop"], as: "bob", now: "2026-11-03T12:10:00Z")
        let before = try docket(["time", "list", "--json"]).stdout
        let table = try docket(["time", "list", "--ticket", "T-1001"]).stdout
        #expect(before.contains("TE-3"))
        let rebuild = try docket(["rebuild", "time"])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(try docket(["time", "list", "--json"]).stdout == before)
        #expect(try docket(["time", "list", "--ticket", "T-1001"]).stdout == table)
    }

    @Test func everyTimeEventMatchesItsSchema() throws {
        try setUp()
        _ = try docket(["time", "log", "T-1001", "45m", "--note", "a"], as: "bob")
        _ = try docket(["time", "correct", "TE-1", "--minutes", "30", "--billable", "--reason", "r", "--note", "b", "--at", "2026-11-03 09:00"], as: "bob")
        _ = try docket(["time", "void", "TE-1", "--reason", "r"], as: "bob")
        _ = try docket(["time", "start", "T-1001"], as: "bob")
        _ = try docket(["time", "stop"], as: "bob")
        _ = try docket(["time", "start", "T-1001"], as: "bob")
        _ = try docket(["time", "cancel", "--reason", "wrong ticket"], as: "bob")
        let export = try docket(["export"]).stdout
        let (status, report) = try SchemaTests.validate(export, schema: "schemas/export-line.schema.json", events: true)
        #expect(status == 0, "\(report)")
        #expect(report.contains(" 0 errors"), "\(report)")
        for type in ["time.logged", "time.corrected", "time.voided", "time.timer-started", "time.timer-stopped", "time.timer-cancelled"] {
            #expect(export.contains("\"type\":\"\(type)\""), "the session produced \(type)")
        }
    }
}

extension TimeCommandsTests {
    @Test func retryingWithTheSameCommandIdWritesNothing() throws {
        try setUp()
        #expect(try docket(["time", "log", "T-1001", "45m", "--command-id", "c-1"], as: "bob").stdout == "TE-1\n")
        _ = try docket(["time", "start", "T-1001"], as: "bob", now: "2026-11-03T10:00:00Z")
        #expect(try docket(["time", "stop", "--command-id", "c-2"], as: "bob", now: "2026-11-03T10:10:00Z").stdout == "TE-2: 10 minutes\n")
        let before = try eventCount()
        #expect(try docket(["time", "log", "T-1001", "45m", "--command-id", "c-1"], as: "bob").stdout == "TE-1\n")
        #expect(try docket(["time", "stop", "--command-id", "c-2"], as: "bob", now: "2026-11-03T10:20:00Z").stdout == "TE-2: 10 minutes\n")
        #expect(try eventCount() == before)
    }

    @Test func showLogForATechAndStopALongTimer() throws {
        try setUp()
        #expect(try docket(["time", "log", "T-1001", "2h", "--for", "bob", "--at", "2026-11-03 09:00"], as: "dora").stdout == "TE-1\n")
        let forbidden = try docket(["time", "log", "T-1001", "2h", "--for", "bob"], as: "tia")
        #expect(forbidden.status == 5)
        #expect(try docket(["time", "correct", "TE-1", "--minutes", "90m", "--reason", "Left early"], as: "bob").status == 0)
        let shown = try docket(["time", "show", "TE-1"])
        #expect(shown.stdout.hasPrefix("TE-1  T-1001  bob  2026-11-03 09:00 UTC  90 min"), "\(shown.stdout)")
        #expect(shown.stdout.contains("time.corrected") && shown.stdout.contains("Left early"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["time", "show", "TE-1", "--json"]).stdout.utf8)) as? [String: Any])
        #expect((json["events"] as? [[String: Any]])?.map { $0["actor"] as? String } == ["dora", "bob"])
        #expect(try docket(["time", "show", "TE-9"]).status == 4)

        #expect(try docket(["time", "start", "T-1001"], as: "tia", now: "2026-11-03T09:00:00Z").status == 0)
        let tooLong = try docket(["time", "stop"], as: "tia", now: "2026-11-04T15:00:00Z")
        #expect(tooLong.status == 65)
        #expect(tooLong.stderr.contains("--minutes"))
        #expect(try docket(["time", "stop", "--minutes", "7h30m"], as: "tia", now: "2026-11-04T15:00:00Z").stdout == "TE-2: 450 minutes\n")
    }

    /// Starting a timer while one runs is refused (exit 6, nothing written) saying when the running one started in the
    /// tech's own zone: it said `since 2026-11-03T14:00:00.000Z` to a New York tech who had started it at 09:00.
    @Test(arguments: DocketMode.allCases) func aSecondTimerIsRefusedWithTheFirstsStartInTheTechsZone(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"]).status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob").stdout == "T-1002\n")
        #expect(try docket(["time", "start", "T-1001"], as: "bob", now: "2026-11-03T14:00:00Z").status == 0)
        try mode.run {
            _ = try docket(["time", "list"], as: "bob")  // through a server, bob's token is made (written) on his first command
            let before = try eventCount()
            let second = try docket(["time", "start", "T-1002"], as: "bob", now: "2026-11-03T14:20:00Z")
            #expect(second.status == 6)
            #expect(
                second.stderr == "docket: error: a timer is already running on T-1001 since 2026-11-03 09:00 EST; stop it first with "
                    + "`docket time stop` (or discard it with `docket time cancel`)\n")
            #expect(try eventCount() == before)
        }
    }

    /// `time show` gives the entry's start and its events' times in the viewer's zone, as `time list` does, named; JSON
    /// keeps RFC 3339 UTC. It printed them in UTC (`2026-11-03T14:00:00.000Z`) beside `time list`'s `09:00 EST` for the
    /// same entry, so a New York tech checking what they logged read 14:00.
    @Test(arguments: DocketMode.allCases) func timeShowGivesTimesInTheViewersZone(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"]).status == 0)
        #expect(try docket(["time", "log", "T-1001", "45m", "--at", "2026-11-03 09:00"], as: "bob", now: "2026-11-03T16:00:00Z").stdout == "TE-1\n")
        try mode.run {
            let shown = try docket(["time", "show", "TE-1"], as: "bob")
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.hasPrefix("TE-1  T-1001  bob  2026-11-03 09:00 EST  45 min (45m)  remote  billable\n"), "\(shown.stdout)")
            let logged = try #require(shown.stdout.split(separator: "\n").first { $0.contains("time.logged") })
            #expect(!logged.contains("Z ") && logged.contains(" EST "), "the event's time is the viewer's too: \(logged)")
            let listed = try docket(["time", "list", "--ticket", "T-1001"], as: "bob").stdout
            #expect(listed.contains("2026-11-03 09:00 EST"), "\(listed)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["time", "show", "TE-1", "--json"], as: "bob").stdout.utf8)) as? [String: Any])
            #expect((json["entry"] as? [String: Any])?["startedAt"] as? String == "2026-11-03T14:00:00.000Z")
        }
    }

    /// Correcting an entry to the values it already has writes nothing and says so (exit 0, as other commands'
    /// "nothing to change").
    @Test(arguments: DocketMode.allCases) func aCorrectionThatChangesNothingWritesNothing(_ mode: DocketMode) throws {
        try mode.run(aCorrectionThatChangesNothingWritesNothing)
    }
    func aCorrectionThatChangesNothingWritesNothing() throws {
        try setUp()
        #expect(try docket(["time", "log", "T-1001", "30m", "--at", "2026-11-05T10:00:00Z"], as: "bob").stdout == "TE-1\n")
        let before = try eventCount()
        for arguments in [["--minutes", "30m"], ["--work-type", "REMOTE"], ["--billable", "--at", "2026-11-05T10:00:00Z"]] {
            let run = try docket(["time", "correct", "TE-1"] + arguments + ["--reason", "no change"], as: "bob")
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            #expect(run.stdout == "TE-1: nothing to change (it already has these values)\n", "\(arguments)")
        }
        #expect(try eventCount() == before)
        #expect(try docket(["time", "correct", "TE-1", "--minutes", "45m", "--reason", "typo"], as: "bob").stdout == "TE-1: corrected\n")
        #expect(try eventCount() == before + 1)
    }

    /// A timer whose ticket is merged while it runs: stopping it logs the time on the ticket it was merged into
    /// (following merges to the end) and says so; a retry says the same and writes nothing.
    @Test(arguments: DocketMode.allCases) func aTimerOnAMergedTicketStopsOnTheSurvivingTicket(_ mode: DocketMode) throws {
        try mode.run(aTimerOnAMergedTicketStopsOnTheSurvivingTicket)
    }
    func aTimerOnAMergedTicketStopsOnTheSurvivingTicket() throws {
        try setUp()
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN down again"], as: "bob").stdout == "T-1002\n")
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN"], as: "bob").stdout == "T-1003\n")
        #expect(try docket(["time", "start", "T-1001", "--work-type", "onsite"], as: "bob").status == 0)
        #expect(try docket(["ticket", "merge", "T-1001", "--into", "T-1002"], as: "dora").status == 0)
        #expect(try docket(["ticket", "merge", "T-1002", "--into", "T-1003"], as: "dora").status == 0)
        // A server keeps its own clock: the minutes are given, as for a timer left running (a few, since the timer
        // started moments ago and work may not end after now).
        let stop = try docket(["time", "stop", "--minutes", "3m", "--command-id", "s-1"], as: "bob")
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout == "TE-1: 3 minutes on T-1003 (T-1001 was merged into it while the timer ran)\n")
        let entry = try #require(try entries().first)
        #expect(entry["ticket"] as? String == "T-1003")
        #expect(entry["workType"] as? String == "onsite")
        #expect(entry["minutes"] as? Int == 3)
        let before = try eventCount()
        #expect(try docket(["time", "stop", "--minutes", "3m", "--command-id", "s-1"], as: "bob").stdout == stop.stdout)
        #expect(try eventCount() == before)
        #expect(try docket(["time", "start", "T-1003"], as: "bob").status == 0, "the tech is not stuck")
    }

    /// `time status` shows the caller's running timer (ticket, subject, start in their own zone, time elapsed rounded up as
    /// a stop logs it), `--all` every tech's; nothing running says so and exits 0 (`--json`: `[]`). Reads write nothing.
    @Test(arguments: DocketMode.allCases) func timeStatusShowsTheRunningTimers(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["user", "time-zone", "bob", "America/New_York"]).status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer jam"], as: "tia").stdout == "T-1002\n")
        #expect(try docket(["time", "start", "T-1001", "--work-type", "onsite"], as: "bob", now: "2026-11-03T14:00:00Z").status == 0)
        #expect(try docket(["time", "start", "T-1002"], as: "tia", now: "2026-11-03T15:00:00Z").status == 0)
        let now = "2026-11-03T15:30:20Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now]) {
            for user in ["bob", "tia", "dora"] { _ = try docket(["time", "list"], as: user) }  // served: tokens are made first
            let before = try eventCount()
            let none = try docket(["time", "status"], as: "dora", now: now)
            #expect(none.status == 0, "\(none.stderr)")
            #expect(none.stdout == "no timer is running; start one with `docket time start T-<n>`\n")
            #expect(try docket(["time", "status", "--json"], as: "dora", now: now).stdout == "[]\n")

            let own = try docket(["time", "status"], as: "bob", now: now)
            #expect(own.status == 0, "\(own.stderr)")
            let lines = own.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(lines == ["TICKET SUBJECT WORK TYPE STARTED ELAPSED", "T-1001 VPN down onsite 2026-11-03 09:00 EST 1h31m"], "\(own.stdout)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try docket(["time", "status", "--json"], as: "bob", now: now).stdout.utf8)) as? [[String: Any]])
            #expect(json.count == 1)
            #expect(json.first?["tech"] as? String == "bob")
            #expect(json.first?["ticket"] as? String == "T-1001")
            #expect(json.first?["subject"] as? String == "VPN down")
            #expect(json.first?["workType"] as? String == "onsite")
            #expect(json.first?["startedAt"] as? String == "2026-11-03T14:00:00.000Z")
            #expect(json.first?["elapsedMinutes"] as? Int == 91)

            let all = try docket(["time", "status", "--all"], as: "dora", now: now)
            #expect(all.status == 0, "\(all.stderr)")
            let rows = all.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(rows == ["bob T-1001 VPN down onsite 2026-11-03 14:00 UTC 1h31m", "tia T-1002 Printer jam remote 2026-11-03 15:00 UTC 31m"], "\(all.stdout)")
            #expect(try eventCount() == before)
        }
    }

    /// A timer left running past a working day (8 h) is not billed silently: a plain `time stop` is refused (exit 6, one
    /// line naming --minutes, --elapsed and `time cancel`, nothing written) and `time status` shows it overdue;
    /// `--elapsed` logs all of it. It logged the 9h30m without a word.
    @Test(arguments: DocketMode.allCases) func aTimerPastAWorkingDayIsNotBilledSilently(_ mode: DocketMode) throws {
        try setUp()
        #expect(try docket(["time", "start", "T-1001"], as: "bob", now: "2026-11-03T09:00:00Z").status == 0)
        let now = "2026-11-03T18:30:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now]) {
            _ = try docket(["time", "list"], as: "bob")  // served: bob's token is made first
            let before = try eventCount()
            let status = try docket(["time", "status"], as: "bob", now: now)
            #expect(status.stdout.contains("9h30m (overdue)"), "\(status.stdout)")
            let json = try JSONSerialization.jsonObject(with: Data(try docket(["time", "status", "--json"], as: "bob", now: now).stdout.utf8)) as? [[String: Any]]
            #expect(json?.first?["overdue"] as? Bool == true)
            let refused = try docket(["time", "stop"], as: "bob", now: now)
            #expect(refused.status == 6)
            #expect(
                refused.stderr == "docket: error: the timer on T-1001 has run 9h30m, longer than a working day (8h), so nothing was logged: "
                    + "give the time worked (`docket time stop --minutes 7h30m`), log all of it (`docket time stop --elapsed`), or discard it "
                    + "(`docket time cancel`)\n")
            #expect(try docket(["time", "stop", "--elapsed", "--minutes", "8h"], as: "bob", now: now).status == 64)
            #expect(try eventCount() == before)
            let stopped = try docket(["time", "stop", "--elapsed"], as: "bob", now: now)
            #expect(stopped.status == 0, "\(stopped.stderr)")
            #expect(stopped.stdout == "TE-1: 570 minutes\n")
        }
    }

    /// Work starting on a New ticket moves it to In progress, in the command's transaction and by its actor: a public
    /// reply, time logged, a timer started. Waiting on client stays waiting; a retried command id writes nothing again.
    /// Tickets stayed New through all of it.
    @Test(arguments: DocketMode.allCases) func workStartingOnANewTicketMovesItToInProgress(_ mode: DocketMode) throws {
        try mode.run(workStartingOnANewTicketMovesItToInProgress)
    }
    func workStartingOnANewTicketMovesItToInProgress() throws {
        try setUp()
        for (subject, number) in [("Printer", "T-1002"), ("Mail", "T-1003"), ("Wi-Fi", "T-1004"), ("Scanner", "T-1005")] {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", subject], as: "bob").stdout == "\(number)\n")
        }
        #expect(try docket(["ticket", "status", "T-1004", "waiting-on-client"], as: "bob").status == 0)
        func status(_ ticket: String) throws -> String? {
            let shown = try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", ticket, "--json"]).stdout.utf8)) as? [String: Any]
            return (shown?["ticket"] as? [String: Any])?["status"] as? String
        }
        for login in ["tia", "dora"] { _ = try docket(["time", "list"], as: login) }  // served: tokens are made first
        #expect(try docket(["ticket", "comment", "T-1005", "note", "--internal"], as: "bob").status == 0)
        #expect(try status("T-1005") == "new", "an internal note is not work on the client's problem")
        #expect(try docket(["ticket", "comment", "T-1001", "Looking at it"], as: "bob").status == 0)
        #expect(try docket(["time", "log", "T-1002", "15m", "--command-id", "w-1"], as: "dora").stdout == "TE-1\n")
        let before = try eventCount()
        #expect(try docket(["time", "log", "T-1002", "15m", "--command-id", "w-1"], as: "dora").stdout == "TE-1\n")
        #expect(try eventCount() == before, "a retry writes nothing")
        #expect(try docket(["time", "start", "T-1003"], as: "tia").status == 0)
        #expect(try docket(["time", "log", "T-1004", "15m"], as: "bob").stdout == "TE-2\n")
        #expect(try ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005"].map(status) == ["in-progress", "in-progress", "in-progress", "waiting-on-client", "new"])
        let changes = try docket(["log", "--stream", "ticket-T-1002", "--json"]).stdout.split(separator: "\n").filter { $0.contains("ticket.status-changed") }
        #expect(changes.count == 1 && changes[0].contains("\"actor\":\"dora\""), "\(changes)")
    }

    /// Negative time is not logged: `time log T -5m` (which the argument parser takes for an unknown option) says so and
    /// names the corrections, exit 64, nothing written. It said `Unknown option '-5m'`.
    @Test(arguments: DocketMode.allCases) func negativeTimeIsNotLogged(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            _ = try docket(["time", "list"], as: "bob")  // served: bob's token is made first
            let before = try eventCount()
            for arguments in [["time", "log", "T-1001", "-5m"], ["time", "log", "T-1001", "-1h30m", "--note", "x"]] {
                let run = try docket(arguments, as: "bob")
                #expect(run.status == 64, "\(arguments)")
                #expect(
                    run.stderr == "docket: error: \(arguments[3]) is negative time, which is not logged; to take time off an entry, correct it "
                        + "(`docket time correct TE-n --minutes 30m --reason \"…\"`) or void it (`docket time void TE-n --reason \"…\"`)\n",
                    "\(run.stderr)")
            }
            let unknown = try docket(["time", "log", "T-1001", "5m", "--colour"], as: "bob")
            #expect(unknown.status == 64 && unknown.stderr.contains("Unknown option '--colour'"), "other unknown options read as before")
            #expect(try eventCount() == before)
        }
    }

    /// Time logged on a duplicate counts on the ticket it was merged into: `time list --ticket` lists it (marked
    /// `(merged)`, its own ticket number in JSON) in the totals, the close needs no other time from its tech, and the
    /// closed-without-time report does not list the close. `time list --ticket T-1001` said nothing of the 30 minutes
    /// bob had logged on the duplicate T-1002, and his close of T-1001 was refused: "bob logged no time on T-1001".
    @Test(arguments: DocketMode.allCases) func timeOnAMergedDuplicateCountsOnItsTicket(_ mode: DocketMode) throws {
        try mode.run(timeOnAMergedDuplicateCountsOnItsTicket)
    }
    func timeOnAMergedDuplicateCountsOnItsTicket() throws {
        try setUp()
        for (subject, number) in [("VPN down (dup)", "T-1002"), ("Printer", "T-1003"), ("Printer (dup)", "T-1004")] {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", subject], as: "bob").stdout == "\(number)\n")
        }
        #expect(try docket(["time", "log", "T-1002", "30m", "--at", "2026-11-03T09:00:00Z"], as: "bob").stdout == "TE-1\n")
        #expect(try docket(["time", "log", "T-1001", "15m", "--at", "2026-11-03T10:00:00Z"], as: "tia").stdout == "TE-2\n")
        #expect(try docket(["time", "log", "T-1004", "20m", "--at", "2026-11-03T11:00:00Z"], as: "bob").stdout == "TE-3\n")
        #expect(try docket(["ticket", "merge", "T-1002", "--into", "T-1001"], as: "dora").status == 0)
        #expect(try docket(["ticket", "merge", "T-1004", "--into", "T-1003"], as: "dora").status == 0)

        #expect(try entries(["--ticket", "T-1001"]).map { "\($0["entryId"] ?? "") \($0["ticket"] ?? "")" } == ["TE-1 T-1002", "TE-2 T-1001"])
        let table = try docket(["time", "list", "--ticket", "T-1001"]).stdout
        let rows = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(4).joined(separator: " ") }
        #expect(rows.dropFirst().prefix(2) == ["TE-1 T-1002 (merged) bob", "TE-2 T-1001 tia 2026-11-03"], "\(table)")
        #expect(table.contains("T-1001: billable 45 min (45m)"), "\(table)")
        #expect(try entries(["--ticket", "T-1002"]).map { $0["entryId"] as? String } == ["TE-1"], "the duplicate lists its own")

        let close = try docket(["ticket", "close", "T-1001", "--resolution", "Fixed"], as: "bob")
        #expect(close.status == 0, "bob's time on the duplicate accounts for him: \(close.stderr)")
        #expect(try docket(["ticket", "close", "T-1003", "--resolution", "Fixed", "--no-time", "--reason", "on the duplicate"], as: "bob").status == 0)
        let report = try docket(["report", "closed-without-time", "--from", "2026-01-01", "--to", "2028-01-01", "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(report.stdout)")
    }

    /// An operator settling "why was this client charged for 12 October?" lists the client's entries of that day, read
    /// in the client's zone, and sees which invoice lines bill each: `time list` had no `--client` and said nothing of
    /// invoices, so the answer took a ticket-by-ticket search and an audit of every invoice of the month.
    @Test(arguments: DocketMode.allCases) func theListSaysWhereEachEntryIsBilledAndTakesAClientsDay(_ mode: DocketMode) throws {
        try mode.run(theListSaysWhereEachEntryIsBilledAndTakesAClientsDay)
    }
    func theListSaysWhereEachEntryIsBilledAndTakesAClientsDay() throws {
        try setUp()
        #expect(try docket(
            ["client", "add", "nyc", "--name", "NYC Dental", "--domain", "nyc.example", "--time-zone", "America/New_York", "--currency", "USD"],
            as: "dora").status == 0)
        let terms = #"{"model":"hourly","currency":"USD","rates":{"*":12000}}"#
        #expect(try docket(["contract", "add", "nyc-msa", "--client", "nyc", "--name", "MSA", "--effective", "2026-01-01", "--terms", terms], as: "bill").status == 0)
        #expect(try docket(["ticket", "open", "--client", "nyc", "--subject", "Server down"], as: "bob").stdout == "T-1002\n")
        #expect(try docket(["time", "log", "T-1002", "1h", "--at", "2026-10-12T23:30:00Z"], as: "bob").stdout == "TE-1\n")  // 19:30 EDT on the 12th
        #expect(try docket(["time", "log", "T-1002", "30m", "--at", "2026-10-13T03:30:00Z"], as: "bob").stdout == "TE-2\n")  // 23:30 EDT on the 12th
        #expect(try docket(["time", "log", "T-1002", "15m", "--at", "2026-10-13T05:00:00Z"], as: "bob").stdout == "TE-3\n")  // 01:00 EDT on the 13th
        #expect(try docket(["time", "log", "T-1001", "45m", "--at", "2026-10-12T12:00:00Z"], as: "bob").stdout == "TE-4\n")  // acme's

        func ids(_ arguments: [String]) throws -> [String] { try entries(arguments).compactMap { $0["entryId"] as? String } }
        #expect(try ids(["--client", "nyc", "--from", "2026-10-12", "--to", "2026-10-13"]) == ["TE-1", "TE-2"], "nyc's 12 October, in New York")
        #expect(try ids(["--client", "acme"]) == ["TE-4"])
        #expect(try entries(["--client", "nyc"]).allSatisfy { ($0["billedOn"] as? [Any])?.isEmpty == true }, "nothing invoiced yet")

        #expect(try docket(["invoice", "run", "--period", "2026-10"], as: "bill").status == 0)
        let finalized = try docket(["invoice", "finalize", "nyc-D1"], as: "bill").stdout
        let number = try #require(finalized.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(number.hasPrefix("INV-"), "\(finalized)")
        #expect(try docket(["time", "correct", "TE-2", "--minutes", "45m", "--reason", "Ran late"], as: "bob").status == 0)
        #expect(try docket(["invoice", "run", "--period", "2026-10"], as: "bill").status == 0)

        let day = try entries(["--client", "nyc", "--from", "2026-10-12", "--to", "2026-10-13"])
        let billedOn = day.map { (($0["billedOn"] as? [[String: Any]]) ?? []).map { "\($0["document"] ?? "") \($0["invoice"] ?? "") \($0["status"] ?? "") \($0["line"] ?? "")" } }
        #expect(billedOn == [["\(number) nyc-D1 final 1"], ["\(number) nyc-D1 final 1", "nyc-D2 nyc-D2 draft 1"]], "\(day)")
        let table = try docket(["time", "list", "--client", "nyc", "--from", "2026-10-12", "--to", "2026-10-13"], as: "bill")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("BILLED ON") && table.stdout.contains("\(number) line 1, nyc-D2 line 1 (draft)"), "\(table.stdout)")
        #expect(table.stdout.contains("2026-10-12 23:30 EDT"), "START in the client's zone: \(table.stdout)")
        #expect(table.stderr.contains("read as 2026-10-12 00:00 EDT (client nyc's time zone"), "\(table.stderr)")
        #expect(try ids(["--client", "acme"]) == ["TE-4"] && (try entries(["--client", "acme"]).first?["billedOn"] as? [Any])?.isEmpty == true,
            "acme has no contract: its time is held back, billed nowhere")

        let before = try eventCount()
        let unknown = try docket(["time", "list", "--client", "nowhere"], as: "bill")
        #expect(unknown.status == 4 && unknown.stderr.contains("nowhere"), "\(unknown.stderr)")
        #expect(try eventCount() == before)
    }

    /// `time cancel` discards the running timer with one event and logs nothing; a timer on a merged ticket can be
    /// cancelled too; with nothing running it is refused (6) and writes nothing.
    @Test(arguments: DocketMode.allCases) func cancellingATimerLogsNothing(_ mode: DocketMode) throws {
        try mode.run(cancellingATimerLogsNothing)
    }
    func cancellingATimerLogsNothing() throws {
        try setUp()
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN down again"], as: "bob").stdout == "T-1002\n")
        #expect(try docket(["time", "start", "T-1001"], as: "bob").status == 0)
        #expect(try docket(["ticket", "merge", "T-1001", "--into", "T-1002"], as: "dora").status == 0)
        let before = try eventCount()
        let cancel = try docket(["time", "cancel", "--reason", "Timed the wrong ticket", "--command-id", "k-1"], as: "bob")
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout == "T-1001: timer cancelled, no time logged\n")
        #expect(try eventCount() == before + 1)
        #expect(try entries().isEmpty)
        let log = try docket(["log", "--stream", "timer-bob", "--json"]).stdout
        #expect(log.contains("time.timer-cancelled") && log.contains("Timed the wrong ticket"), "\(log)")
        let retried = try docket(["time", "cancel", "--reason", "Timed the wrong ticket", "--command-id", "k-1"], as: "bob")
        #expect(retried.stdout == cancel.stdout, "a retry answers the same")
        #expect(try docket(["time", "cancel", "--command-id", "k-1"], as: "bob").status == 65, "another request under the id is refused")
        let none = try docket(["time", "cancel"], as: "bob")
        #expect(none.status == 6)
        #expect(none.stderr.contains("no timer is running"), "\(none.stderr)")
        #expect(none.stdout.isEmpty)
        #expect(try eventCount() == before + 1)
        #expect(try docket(["time", "start", "T-1002"], as: "bob").status == 0)
        #expect(try docket(["time", "cancel"], as: "bob").stdout == "T-1002: timer cancelled, no time logged\n")
    }
}

extension ISO8601DateFormatter {
    /// RFC 3339 with milliseconds, as `--json` prints times.
    fileprivate static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
