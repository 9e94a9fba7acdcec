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
}
