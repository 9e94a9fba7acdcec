import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    static let targetsYAML = """
        targets:
          P1: {responseMinutes: 60, resolutionMinutes: 240}
          P2: {responseMinutes: 120, resolutionMinutes: 480}
          P3: {responseMinutes: 240, resolutionMinutes: 960}
          P4: {responseMinutes: 480, resolutionMinutes: 2400}
        """

    /// Runs `sla-policy define` on a file with `text`; returns the run.
    func definePolicy(_ name: String, _ text: String) throws -> DocketRun {
        try docket(["sla-policy", "define", name, "--name", name, "--file", file("\(name).yaml", text), "--effective", "2026-01-01"], at: Self.setUpTime)
    }

    /// `login` belongs to `kind: assign` only: on another kind it was dropped without a word.
    @Test func anEscalationActionTakesALoginOnlyToAssign() throws {
        try setUp()
        let refused = try definePolicy("raise", "calendar: 24x7\n\(Self.targetsYAML)\nescalations:\n  - {id: r1, priorities: [P3], untouchedMinutes: 60, action: {kind: raise-priority, login: bob}}\n")
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("unknown key 'login' in escalations.0.action with kind: raise-priority; the keys there are kind"), "\(refused.stderr)")
        let assign = try definePolicy("assign", "calendar: 24x7\n\(Self.targetsYAML)\nescalations:\n  - {id: r1, priorities: [P3], untouchedMinutes: 60, action: {kind: assign, login: bob}}\n")
        #expect(assign.status == 0, "\(assign.stderr)")
    }

    /// A value the decoder refuses is one line naming the key, the value and what is allowed, not the decoder's text.
    @Test func aBadValueInAPolicyOrCalendarFileNamesTheKeyTheValueAndWhatIsAllowed() throws {
        try setUp()
        let priority = try definePolicy("p5", "calendar: 24x7\n\(Self.targetsYAML)\nescalations:\n  - {id: r1, priorities: [P5], untouchedMinutes: 60, action: {kind: notify-dispatchers}}\n")
        #expect(priority.status == 65)
        #expect(priority.stderr.contains(#"'escalations.0.priorities.0' is "P5"; use P1, P2, P3 or P4"#), "\(priority.stderr)")
        let fraction = try definePolicy("half", "calendar: 24x7\n" + Self.targetsYAML.replacingOccurrences(of: "responseMinutes: 60,", with: "responseMinutes: 60.5,") + "\n")
        #expect(fraction.status == 65)
        #expect(fraction.stderr.contains(#"'targets.P1.responseMinutes' is "60.5"; it must be a whole number"#), "\(fraction.stderr)")
        let json = try docket(
            ["sla-policy", "define", "half-json", "--name", "Half", "--effective", "2026-01-01", "--file",
             file("half.json", #"{"calendar": "24x7", "targets": {"P1": {"responseMinutes": 60.5, "resolutionMinutes": 240}}}"#)],
            at: Self.setUpTime)
        #expect(json.status == 65)
        #expect(json.stderr.contains("'targets.P1.responseMinutes' is 60.5; it must be a whole number"), "\(json.stderr)")
        let holidays = file("holidays.yaml", "timeZone: America/New_York\nweeklyHours:\n  mon: [{open: \"09:00\", close: \"17:00\"}]\nholidays: \"2026-12-25\"\n")
        let calendar = try docket(["calendar", "define", "hq", "--name", "HQ", "--file", holidays], at: Self.setUpTime)
        #expect(calendar.status == 65)
        #expect(calendar.stderr.contains(#"'holidays' is "2026-12-25"; it must be a list"#), "\(calendar.stderr)")
        for run in [priority, fraction, json, calendar] {
            #expect(!run.stderr.contains("DecodingError") && !run.stderr.contains("Cannot initialize"), "\(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        }
    }
}
