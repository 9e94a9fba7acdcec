import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// `sla-policy amend` of a policy that does not exist said `no such SLA policy` without naming the one typed; it
    /// names it now, as `sla-policy show` does. An empty channel or schedule name on `notify remove`/`rotate` and
    /// `schedule remove` was looked up (`no notification channel ; list them …`, exit 4): it is bad usage (64), as an
    /// empty identifier is everywhere else (docs/cli.md). One line each, nothing written; embedded and served.
    @Test(arguments: DocketMode.allCases) func unknownAndEmptyNamesAreNamedOrRefusedAsUsage(_ mode: DocketMode) throws {
        try setUp()
        let terms = file("ghost.yaml", """
            calendar: 24x7
            targets:
              P1: {responseMinutes: 30, resolutionMinutes: 120}
              P2: {responseMinutes: 60, resolutionMinutes: 240}
              P3: {responseMinutes: 240, resolutionMinutes: 960}
              P4: {responseMinutes: 480, resolutionMinutes: 2400}
            """)
        let at = "2026-11-09T14:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": at]) {
            let size = try docket(["log", "--json"], at: at).stdout.utf8.count
            let ghost = try docket(["sla-policy", "amend", "ghost", "--file", terms, "--effective", "2026-12-01T00:00:00Z"], at: at)
            #expect(ghost.status == 4)
            #expect(ghost.stderr == "docket: error: unknown SLA policy ghost; list policies with `docket sla-policy list`\n", "\(ghost.stderr)")
            for (arguments, label) in [
                (["notify", "remove", ""], "the channel name"), (["notify", "rotate", ""], "the channel name"),
                (["schedule", "remove", ""], "the schedule id"),
            ] {
                let empty = try docket(arguments, at: at)
                #expect(empty.status == 64, "\(arguments): \(empty.stderr)")
                #expect(empty.stderr.hasPrefix("docket: error: \(label) '' must be 1 to 200 bytes"), "\(arguments): \(empty.stderr)")
                #expect(empty.stderr.split(separator: "\n").count == 1, "\(empty.stderr)")
            }
            #expect(try docket(["log", "--json"], at: at).stdout.utf8.count == size, "nothing written")
        }
    }
}
