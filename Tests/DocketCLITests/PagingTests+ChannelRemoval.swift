import Foundation
import TestSupport
import Testing

extension SLACommandsTests {
    /// Policy terms on ny-office whose escalations are `rules` (YAML flow mappings, one a line).
    func pagingTerms(_ name: String, _ rules: [String]) -> String {
        file(name, """
            calendar: ny-office
            targets:
              P1: {responseMinutes: 30, resolutionMinutes: 120}
              P2: {responseMinutes: 60, resolutionMinutes: 240}
              P3: {responseMinutes: 240, resolutionMinutes: 960}
              P4: {responseMinutes: 480, resolutionMinutes: 2400}
            escalations:
            """ + rules.map { "\n  - " + $0 }.joined())
    }

    /// `notify remove` of a channel an SLA policy pages was taken, and every page its rules queued later was cancelled.
    /// It is refused now (exit 6, one line naming the policies, their rules and `docket sla-policy amend`; nothing
    /// written) while terms in force or taking effect later page it; terms an amendment superseded do not hold it
    /// back. Embedded and through `docket serve`.
    @Test(arguments: DocketMode.allCases) func aChannelAPolicyPagesIsNotRemoved(_ mode: DocketMode) throws {
        try setUp()
        let t = Self.setUpTime
        for channel in ["oncall", "night", "former"] {
            #expect(try docket(["notify", "add", channel, "--url", "https://pager.example.com/\(channel)"], at: t).status == 0)
        }
        let page = { (id: String, channel: String) in "{id: \(id), priorities: [P1], untouchedMinutes: 15, action: {kind: page, channel: \(channel)}}" }
        // paged: oncall by two rules now; night from 2027 on (an amendment taking effect later).
        let now = pagingTerms("now.yaml", [page("p1-page", "oncall"), page("p1-again", "oncall")])
        #expect(try docket(["sla-policy", "define", "paged", "--name", "Paged", "--file", now, "--effective", "2026-01-01"], at: t).status == 0)
        let later = pagingTerms("later.yaml", [page("p1-page", "oncall"), page("p1-night", "night")])
        #expect(try docket(["sla-policy", "amend", "paged", "--file", later, "--effective", "2027-01-01"], at: t).status == 0)
        // silver: oncall now; former only in terms an amendment superseded.
        let before = pagingTerms("before.yaml", [page("old-page", "former")])
        #expect(try docket(["sla-policy", "define", "silver", "--name", "Silver", "--file", before, "--effective", "2026-01-01"], at: t).status == 0)
        let since = pagingTerms("since.yaml", [page("s-page", "oncall")])
        #expect(try docket(["sla-policy", "amend", "silver", "--file", since, "--effective", "2026-06-01"], at: t).status == 0)

        let at = "2026-11-09T14:00:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": at]) {
            #expect(try docket(["notify", "list"], at: at).status == 0, "the admin's token, made before counting")
            let size = try docket(["log", "--json"], at: at).stdout.utf8.count
            let busy = try docket(["notify", "remove", "oncall"], at: at)
            #expect(busy.status == 6, "\(busy.stderr)")
            #expect(
                busy.stderr == "docket: error: notification channel oncall is paged by SLA policy paged (escalation rules p1-page, p1-again), "
                    + "SLA policy silver (escalation rule s-page), whose pages would all be cancelled; drop or change those rules first "
                    + "(`docket sla-policy amend paged --file … --effective …`), then remove the channel\n", "\(busy.stderr)")
            let nightly = try docket(["notify", "remove", "night"], at: at)
            #expect(nightly.status == 6, "\(nightly.stderr)")
            #expect(
                nightly.stderr.contains("notification channel night is paged by SLA policy paged (escalation rule p1-night), whose pages")
                    && nightly.stderr.contains("drop or change that rule first"), "\(nightly.stderr)")
            #expect(try docket(["log", "--json"], at: at).stdout.utf8.count == size, "nothing written")
            let superseded = try docket(["notify", "remove", "former"], at: at)
            #expect(superseded.status == 0 && superseded.stdout == "removed notification channel former\n", "\(superseded.stderr)")
        }
    }
}
