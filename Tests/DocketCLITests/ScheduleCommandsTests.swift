import Foundation
import TestSupport
import Testing

/// Recurring tickets: `docket schedule add` and `docket tick` opening one ticket per occurrence, in the client's zone.
@Suite struct ScheduleCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ now: String, _ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now, "TZ": "UTC"])
    }

    func setUp() throws {
        let start = "2026-12-05T09:00:00Z"
        for arguments in [
            ["init", "--test-clock"], ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"],
            ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "America/New_York", "--currency", "USD"],
        ] {
            let run = try docket(start, arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
    }

    @Test func tickOpensEachOccurrenceOnceInTheClientsZone() throws {
        try setUp()
        let added = try docket("2026-12-05T09:00:00Z", [
            "schedule", "add", "acme-patching", "--client", "acme", "--subject", "Monthly patch review", "--every", "month", "--day", "1",
            "--at", "08:00", "--assign", "bob",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        // 08:00 in New York on 1 January is 13:00 UTC.
        #expect(added.stdout == "scheduled acme-patching: every month on day 1 at 08:00 (America/New_York) · next 2027-01-01 13:00 UTC\n", "\(added.stdout)")
        let early = try docket("2027-01-01T12:59:00Z", ["tick"])
        #expect(early.status == 0 && early.stdout.isEmpty, "\(early.stdout)")
        let due = try docket("2027-01-01T13:00:00Z", ["tick"])
        #expect(due.stdout == "T-1001: opened by schedule acme-patching for 2027-01-01\n", "\(due.stdout) \(due.stderr)")
        #expect(try docket("2027-01-01T13:05:00Z", ["tick"]).stdout.isEmpty, "a tick run again opens nothing again")
        let show = try docket("2027-01-01T13:05:00Z", ["ticket", "show", "T-1001", "--json"]).stdout
        let ticket = (try JSONSerialization.jsonObject(with: Data(show.utf8)) as? [String: Any])?["ticket"] as? [String: Any]
        #expect(ticket?["source"] as? String == "schedule" && ticket?["assignee"] as? String == "bob" && ticket?["client"] as? String == "acme", "\(show)")
        #expect(ticket?["subject"] as? String == "Monthly patch review")
        let listed = try JSONSerialization.jsonObject(
            with: Data(try docket("2027-01-01T13:05:00Z", ["schedule", "list", "--json"]).stdout.utf8)) as? [[String: Any]]
        #expect(listed?.first?["lastTicket"] as? String == "T-1001" && listed?.first?["next"] as? String == "2027-02-01T13:00:00.000Z", "\(String(describing: listed))")
        // A weekly check added later; ticks missed for weeks open the latest occurrence only.
        #expect(try docket("2027-01-02T09:00:00Z", [
            "schedule", "add", "acme-backups", "--client", "acme", "--subject", "Check backups", "--every", "week", "--weekday", "mon",
            "--at", "09:00",
        ]).status == 0)
        let late = try docket("2027-01-20T12:00:00Z", ["tick"])
        #expect(late.stdout == "T-1002: opened by schedule acme-backups for 2027-01-18\n", "\(late.stdout)")
        // Removed: no more tickets.
        #expect(try docket("2027-01-20T12:00:00Z", ["schedule", "remove", "acme-backups"]).stdout == "removed schedule acme-backups\n")
        #expect(try docket("2027-02-01T14:00:00Z", ["tick"]).stdout == "T-1003: opened by schedule acme-patching for 2027-02-01\n")
        let gone = try docket("2027-02-01T14:00:00Z", ["schedule", "remove", "acme-backups"])
        #expect(gone.status == 4 && gone.stderr.contains("schedule acme-backups was removed already"), "\(gone.stderr)")
        // acme cannot leave while a schedule would go on opening its tickets.
        #expect(try docket("2027-02-01T14:05:00Z", ["ticket", "close", "T-1001", "--resolution", "Patched", "--no-time", "--reason", "routine"]).status == 0)
        #expect(try docket("2027-02-01T14:05:00Z", ["ticket", "close", "T-1002", "--resolution", "Checked", "--no-time", "--reason", "routine"]).status == 0)
        #expect(try docket("2027-02-01T14:05:00Z", ["ticket", "close", "T-1003", "--resolution", "Patched", "--no-time", "--reason", "routine"]).status == 0)
        let leaving = try docket("2027-02-01T14:05:00Z", ["client", "deactivate", "acme"])
        #expect(
            leaving.status == 6
                && leaving.stderr.contains("its schedule acme-patching would go on opening tickets for it: remove it first (`docket schedule remove acme-patching`)"),
            "\(leaving.status) \(leaving.stderr)")
        // bob leaves: the next occurrence cannot be assigned to him; the tick warns and goes on (and so do the SLA clocks).
        #expect(try docket("2027-02-02T09:00:00Z", ["user", "deactivate", "bob"]).status == 0)
        let refused = try docket("2027-03-01T14:00:00Z", ["tick"])
        #expect(refused.status == 0 && refused.stdout.isEmpty, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("warning: schedule acme-patching could not open its ticket for 2027-03-01: "), "\(refused.stderr)")
    }

    @Test func quarterlyOnTheLastDayAndEveryWorkday() throws {
        try setUp()
        let added = try docket("2026-12-05T09:00:00Z", [
            "schedule", "add", "acme-qbr", "--client", "acme", "--subject", "Quarterly review", "--every", "month", "--interval", "3",
            "--day", "last", "--at", "10:00", "--starts", "2027-01-01",
        ])
        // 10:00 in New York on 31 January is 15:00 UTC; then April, July, October.
        #expect(
            added.stdout == "scheduled acme-qbr: every 3 months on the last day at 10:00 (America/New_York) · next 2027-01-31 15:00 UTC\n",
            "\(added.stdout) \(added.stderr)")
        #expect(try docket("2027-01-31T15:00:00Z", ["tick"]).stdout == "T-1001: opened by schedule acme-qbr for 2027-01-31\n")
        // February and March have no occurrence; a tick missed until May opens April's.
        #expect(try docket("2027-03-31T15:00:00Z", ["tick"]).stdout.isEmpty)
        #expect(try docket("2027-05-10T12:00:00Z", ["tick"]).stdout == "T-1002: opened by schedule acme-qbr for 2027-04-30\n")
        let listed = try JSONSerialization.jsonObject(
            with: Data(try docket("2027-05-10T12:00:00Z", ["schedule", "list", "--json"]).stdout.utf8)) as? [[String: Any]]
        // 31 July 10:00 EDT is 14:00 UTC.
        #expect(listed?.first?["next"] as? String == "2027-07-31T14:00:00.000Z", "\(String(describing: listed))")
        // Every workday: added on a Friday after its time, the next is Monday's.
        let workdays = try docket("2027-05-14T14:00:00Z", [
            "schedule", "add", "acme-checks", "--client", "acme", "--subject", "Morning checks", "--every", "workday", "--at", "08:30",
        ])
        #expect(
            workdays.stdout == "scheduled acme-checks: every workday (mon–fri) at 08:30 (America/New_York) · next 2027-05-17 12:30 UTC\n",
            "\(workdays.stdout) \(workdays.stderr)")
        #expect(try docket("2027-05-16T13:00:00Z", ["tick"]).stdout.isEmpty, "no occurrence on the weekend")
        #expect(try docket("2027-05-17T12:30:00Z", ["tick"]).stdout == "T-1003: opened by schedule acme-checks for 2027-05-17\n")
    }

    @Test func badSchedulesAreRefusedAndWriteNothing() throws {
        try setUp()
        let now = "2026-12-05T09:00:00Z"
        #expect(try docket(now, ["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"]).status == 0)
        #expect(try docket(now, ["user", "add", "gone", "--name", "Gone", "--email", "gone@msp.example", "--role", "tech"]).status == 0)
        #expect(try docket(now, ["user", "deactivate", "gone"]).status == 0)
        let before = try docket(now, ["log", "--json", "--limit", "100000"]).stdout
        let weekly = ["--every", "week", "--weekday", "mon"]
        let base = ["schedule", "add", "x1", "--client", "acme", "--subject", "Check", "--at", "08:00"]
        for (arguments, status, message, user) in [
            (base + ["--every", "month", "--day", "31"], 65, "a monthly schedule needs --day 1 to 28", "ann"),
            (base + ["--every", "week"], 65, "a weekly schedule needs --weekday", "ann"),
            (base + ["--every", "week", "--weekday", "mon", "--day", "3"], 65, "and no --day", "ann"),
            (["schedule", "add", "x1", "--client", "ghost", "--subject", "Check", "--at", "08:00", "--every", "week", "--weekday", "mon"], 4, "unknown client ghost", "ann"),
            (base + ["--every", "week", "--weekday", "mon", "--assign", "zed"], 4, "unknown user zed", "ann"),
            (base + ["--every", "week", "--weekday", "mon"], 5, "schedule recurring tickets", "bob"),
            (["schedule", "add", "x1", "--client", "acme", "--subject", "Check", "--at", "8 o'clock", "--every", "week", "--weekday", "mon"], 64, "--at", "ann"),
            // It said "no such schedule", naming none.
            (["schedule", "remove", "nope"], 4, "docket: error: no schedule nope; list schedules with `docket schedule list`\n", "ann"),
            (base + ["--every", "day", "--interval", "2"], 65, "--interval is for --every week or month", "ann"),
            (base + ["--every", "workday", "--weekday", "mon"], 65, "takes no --weekday or --day", "ann"),
            (base + ["--every", "month", "--day", "last", "--interval", "13"], 65, "every 1 to 12 months", "ann"),
            (base + ["--every", "month", "--day", "first"], 64, "--day", "ann"),
            // What the ticket rules refuse when each ticket opens was taken, and every tick then warned and opened nothing.
            (["schedule", "add", "x1", "--client", "acme", "--subject", "Check\nbackups", "--at", "08:00"] + weekly, 65,
             "the subject holds a line break or control character (U+000A); give a one-line subject", "ann"),
            (["schedule", "add", "x1", "--client", "acme", "--subject", String(repeating: "x", count: 256), "--at", "08:00"] + weekly, 65,
             "the subject is 256 bytes, over the 255 allowed", "ann"),
            (base + weekly + ["--assign", "bill"], 65, "user bill has role billing, which cannot work tickets; assign a tech, dispatcher or admin instead", "ann"),
            (base + weekly + ["--assign", "gone"], 6, "user gone is deactivated; assign someone else", "ann"),
        ] {
            let run = try docket(now, arguments, as: user)
            #expect(run.status == Int32(status) && run.stderr.contains(message), "\(arguments): \(run.status) \(run.stderr)")
        }
        #expect(try docket(now, ["log", "--json", "--limit", "100000"]).stdout == before, "refusals write nothing")
        #expect(try docket(now, base + ["--every", "week", "--weekday", "mon"]).status == 0)
        let twice = try docket(now, base + ["--every", "week", "--weekday", "tue"])
        #expect(twice.status != 0 && twice.stderr.contains("schedule x1 already exists"), "\(twice.stderr)")
    }
}
