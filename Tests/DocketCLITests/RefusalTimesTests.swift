import Foundation
import TestSupport
import Testing

/// Refusals that name an instant name it as the rest of the CLI gives times to people: in the zone where that object's
/// times are read (an SLA policy's calendar's) or the viewer's, with the zone named, embedded and through `docket
/// serve`; a date out of range is named as it was typed. They named RFC 3339 UTC instants
/// (`2026-02-01T05:00:00.000Z`), which the HTTP API's problems still carry.
@Suite struct RefusalTimesTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func log() throws -> String { try docket(["log", "--json", "--limit", "100000"]).stdout }

    func file(_ name: String, _ text: String) -> String {
        let path = folder.child(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    /// `iso` (RFC 3339 UTC) on India's clock (UTC+05:30 all year, `IST`), as Docket writes times for people: seconds only
    /// when not zero.
    static func inIndia(_ iso: String) throws -> String {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let instant = try #require(parser.date(from: iso))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 19_800)
        formatter.dateFormat = "ss"
        let seconds = formatter.string(from: instant)
        formatter.dateFormat = seconds == "00" ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: instant) + " IST"
    }

    /// A command id given again for another command named the first one's time in RFC 3339 UTC; it is now in the
    /// viewer's zone (here ann's own, India).
    @Test(arguments: DocketMode.allCases) func aReusedCommandIdNamesItsFirstUseInTheViewersZone(_ mode: DocketMode) throws {
        try docket(["init"])
        #expect(try docket(["user", "time-zone", "ann", "Asia/Kolkata"]).status == 0)
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        try mode.run {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer", "--command-id", "k-1"]).stdout == "T-1001\n")
            let before = try log()
            let events = try #require(try JSONSerialization.jsonObject(with: Data(before.utf8)) as? [[String: Any]])
            let opened = try #require(events.first { $0["stream"] as? String == "ticket-T-1001" })
            let at = try Self.inIndia(try #require(opened["recordedAt"] as? String))
            let reused = try docket(["ticket", "open", "--client", "acme", "--subject", "VPN", "--command-id", "k-1"])
            #expect(reused.status == 65 && reused.stdout.isEmpty)
            #expect(
                reused.stderr == "docket: error: command id k-1 was already used for another command (ticket.opened on ticket-T-1001 at \(at)); "
                    + "if that was this command sent another way (the API, then the CLI), it is done; else use a new command id, or repeat "
                    + "that command exactly to retry it\n")
            #expect(try log() == before, "nothing written")
        }
    }

    /// A policy refused because its calendar starts later named both instants in RFC 3339 UTC, and its fix as one
    /// (`give --effective 2026-02-01T05:00:00.000Z`). They are in the calendar's zone now, where the policy's dates are
    /// read, and the fix is the date to type.
    @Test(arguments: DocketMode.allCases) func aCalendarStartingLaterIsNamedInItsZone(_ mode: DocketMode) throws {
        try docket(["init"])
        let hours = file("late.yaml", "timeZone: America/New_York\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n")
        #expect(try docket(["calendar", "define", "late", "--name", "Late", "--file", hours, "--effective", "2026-02-01"]).status == 0)
        let targets = (1...4).map { "  P\($0): {responseMinutes: 60, resolutionMinutes: 480}" }.joined(separator: "\n")
        let policy = file("gold.yaml", "calendar: late\ntargets:\n\(targets)\n")
        try mode.run {
            let before = try log()
            let refused = try docket(["sla-policy", "define", "gold", "--name", "Gold", "--file", policy, "--effective", "2026-01-01"])
            #expect(refused.status == 65)
            #expect(
                refused.stderr == "docket: error: calendar late starts at 2026-02-01 00:00 EST (its first version), after SLA policy gold's "
                    + "--effective 2026-01-01 00:00 EST: tickets opened in between could get no SLA; give --effective 2026-02-01 or later, or "
                    + "name a calendar that starts by then\n")
            #expect(try log() == before, "nothing written")
            let fixed = try docket(["sla-policy", "define", "gold", "--name", "Gold", "--file", policy, "--effective", "2026-02-01"])
            #expect(fixed.stdout == "defined SLA policy gold on calendar late, in force from 2026-02-01 00:00 EST\n", "\(fixed.stderr)")
        }
    }

    /// A date out of range was named as the instant the decider got (`0026-01-01T00:00:00.000Z`, or the due date's
    /// `T-1001's due date 0026-11-06T00:00:00.000Z`); it is named as typed, with the option, as contracts' are.
    @Test(arguments: DocketMode.allCases) func aDateOutOfRangeIsNamedAsTyped(_ mode: DocketMode) throws {
        try docket(["init"])
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "America/New_York", "--currency", "USD"]).status == 0)
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer"]).stdout == "T-1001\n")
        let hours = file("old.yaml", "timeZone: America/New_York\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\n")
        try mode.run {
            let before = try log()
            let calendar = try docket(["calendar", "define", "old", "--name", "Old", "--file", hours, "--effective", "0026-01-01"])
            #expect(calendar.status == 65)
            #expect(calendar.stderr == "docket: error: --effective 0026-01-01 is out of range: billing dates run from 2000-01-01 to 2199-12-31 (UTC); check the year\n")
            let due = try docket(["ticket", "due", "T-1001", "0026-11-06 17:00"])
            #expect(due.status == 65)
            #expect(due.stderr == "docket: error: due date 0026-11-06 17:00 is out of range: due dates run from 2000-01-01 to 2199-12-31 (UTC); check the year\n")
            #expect(try log() == before, "nothing written")
        }
    }
}
