import Foundation
import TestSupport
import Testing

/// A calendar's and an SLA policy's dates are the calendar's own (docs/cli.md, "A calendar's date is its own"):
/// `--effective 2026-12-01` on a New York calendar, or on a policy counting on it, is midnight in New York, as a
/// contract's date is its client's. Both were midnight UTC, so a ticket opened in the evening of 30 November, New York
/// time, ran under the terms meant from 1 December on.
@Suite struct CalendarDatesTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String) throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    func ok(_ arguments: [String], as user: String = "ann", now: String = "2026-11-02T12:00:00Z") throws -> String {
        let run = try docket(arguments, as: user, now: now)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run.stdout
    }

    func file(_ name: String, _ text: String) -> String {
        let path = folder.child(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    func policy(calendar: String, p1Response: Int) -> String {
        file(
            "gold-\(calendar)-\(p1Response).yaml",
            "calendar: \(calendar)\ntargets:\n  P1: {responseMinutes: \(p1Response), resolutionMinutes: 240}\n"
                + "  P2: {responseMinutes: 60, resolutionMinutes: 480}\n  P3: {responseMinutes: 240, resolutionMinutes: 960}\n"
                + "  P4: {responseMinutes: 480, resolutionMinutes: 2400}\n")
    }

    /// ny (New York, every day 00:00–24:00 so business minutes are plain minutes) from 1 January; gold on ny from
    /// 1 March, P1 response 30 minutes; acme (New York) under gold. Then gold is amended to 20 minutes from 1 December.
    func setUp() throws -> (define: DocketRun, amend: DocketRun) {
        _ = try ok(["init"], now: "2026-11-01T12:00:00Z")
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { "  \($0): [{open: \"00:00\", close: \"24:00\"}]" }
        let ny = file("ny.yaml", "timeZone: America/New_York\nweeklyHours:\n\(days.joined(separator: "\n"))\n")
        _ = try ok(["calendar", "define", "ny", "--name", "New York", "--file", ny, "--effective", "2026-01-01"])
        let define = try docket(
            ["sla-policy", "define", "gold", "--name", "Gold", "--file", policy(calendar: "ny", p1Response: 30), "--effective", "2026-03-01"],
            now: "2026-11-02T12:01:00Z")
        #expect(define.status == 0, "\(define.stderr)")
        _ = try ok(
            ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "America/New_York", "--currency", "USD"],
            now: "2026-11-02T12:02:00Z")
        _ = try ok(
            ["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01", "--sla-policy", "gold"],
            now: "2026-11-02T12:03:00Z")
        let amend = try docket(
            ["sla-policy", "amend", "gold", "--file", policy(calendar: "ny", p1Response: 20), "--effective", "2026-12-01"],
            now: "2026-11-02T12:04:00Z")
        #expect(amend.status == 0, "\(amend.stderr)")
        return (define, amend)
    }

    /// The response target of `ticket`'s SLA, from `ticket show --json`.
    func responseTarget(_ ticket: String, now: String) throws -> Int? {
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try ok(["ticket", "show", ticket, "--json"], now: now).utf8)) as? [String: Any])
        let clocks = try #require(shown["sla"] as? [String: Any], "\(shown.keys.sorted())")
        return (clocks["response"] as? [String: Any])?["targetMinutes"] as? Int
    }

    @Test(arguments: DocketMode.allCases) func aPolicysDateIsMidnightWhereItsCalendarIs(_ mode: DocketMode) throws {
        try mode.run {
            let (define, amend) = try setUp()
            #expect(define.stdout == "defined SLA policy gold on calendar ny, in force from 2026-03-01 00:00 EST\n", "in its calendar's zone, as show gives it")
            #expect(amend.stdout == "amended SLA policy gold, in force from 2026-12-01 00:00 EST\n")
            #expect(
                amend.stderr.contains("--effective 2026-12-01 read as midnight in calendar ny's time zone, America/New_York = 2026-12-01T05:00:00.000Z"),
                "\(amend.stderr)")
            // `show --at` reads its date the same way: at midnight UTC on 1 December New York was still in November.
            let shown = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(try ok(["sla-policy", "show", "gold", "--at", "2026-12-01", "--json"], now: "2026-12-01T06:00:00Z").utf8))
                    as? [String: Any])
            #expect(shown["at"] as? String == "2026-12-01T05:00:00.000Z")
            #expect(shown["amendmentInForce"] as? Int == 1)
            let text = try ok(["sla-policy", "show", "gold", "--at", "2026-12-01"], now: "2026-12-01T06:00:00Z")
            #expect(text.contains("in force at 2026-12-01 00:00 EST: amendment 1"), "\(text)")
            #expect(text.contains("versions: amendment 0 from 2026-03-01 00:00 EST; amendment 1 from 2026-12-01 00:00 EST"), "\(text)")
            // A server stamps events with its own clock, so which terms a ticket opened at a given hour gets is
            // checked embedded, where the test sets the clock.
            guard mode == .embedded else { return }
            // 21:00 on 30 November in New York is 02:00Z on 1 December: still November's terms.
            #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "Evening", "--priority", "P1"], now: "2026-12-01T02:00:00Z") == "T-1001\n")
            #expect(try responseTarget("T-1001", now: "2026-12-01T02:01:00Z") == 30)
            #expect(try ok(["ticket", "open", "--client", "acme", "--subject", "Morning", "--priority", "P1"], now: "2026-12-01T05:00:00Z") == "T-1002\n")
            #expect(try responseTarget("T-1002", now: "2026-12-01T05:01:00Z") == 20)
        }
    }

    @Test func aCalendarsDateIsMidnightInItsOwnZoneAndAnOffsetIsExact() throws {
        _ = try setUp()
        let days = ["mon", "tue", "wed", "thu", "fri"].map { "  \($0): [{open: \"09:00\", close: \"17:00\"}]" }
        let shorter = file("ny-2027.yaml", "timeZone: America/New_York\nweeklyHours:\n\(days.joined(separator: "\n"))\n")
        let amended = try docket(["calendar", "amend", "ny", "--file", shorter, "--effective", "2027-01-01"], now: "2026-11-03T12:00:00Z")
        #expect(amended.stdout == "amended calendar ny, in force from 2027-01-01 00:00 EST\n", "\(amended.stderr)")
        #expect(amended.stderr.contains("read as midnight in calendar ny's time zone, America/New_York"))
        let shown = try ok(["calendar", "show", "ny"], now: "2026-11-03T12:01:00Z")
        #expect(shown.contains("versions: amendment 0 from 2026-01-01 00:00 EST; amendment 1 from 2027-01-01 00:00 EST"), "\(shown)")
        // 23:00 on 31 December in New York is still the old hours; `--at` with a date is New York's midnight.
        let lastEvening = try ok(["calendar", "show", "ny", "--at", "2026-12-31T23:00:00-05:00", "--json"], now: "2026-11-03T12:02:00Z")
        #expect(lastEvening.contains(#""amendmentInForce" : 0"#), "\(lastEvening)")
        let newYear = try docket(["calendar", "show", "ny", "--at", "2027-01-01", "--json"], now: "2026-11-03T12:03:00Z")
        #expect(newYear.stdout.contains(#""amendmentInForce" : 1"#), "\(newYear.stdout)")
        #expect(newYear.stdout.contains(#""at" : "2027-01-01T05:00:00.000Z""#))
        // A time with an offset or Z means exactly that, with no note.
        let exact = try docket(
            ["sla-policy", "amend", "gold", "--file", policy(calendar: "ny", p1Response: 15), "--effective", "2027-02-01T00:00:00Z"],
            now: "2026-11-03T12:04:00Z")
        #expect(exact.stdout == "amended SLA policy gold, in force from 2027-01-31 19:00 EST\n")
        #expect(!exact.stderr.contains("read as midnight"), "\(exact.stderr)")
        // On the built-in 24x7 calendar a date is midnight UTC, as before.
        let roundTheClock = try docket(
            ["sla-policy", "define", "silver", "--name", "Silver", "--file", policy(calendar: "24x7", p1Response: 60), "--effective", "2026-03-01"],
            now: "2026-11-03T12:05:00Z")
        #expect(roundTheClock.stdout == "defined SLA policy silver on calendar 24x7, in force from 2026-03-01 00:00 UTC\n")
    }
}
