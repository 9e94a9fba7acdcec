import Foundation
import TestSupport
import Testing

extension RoutingRulesCommandTests {
    /// A routing rule's template reply is Docket's, not a person's: the P1 outage it answers stays unanswered for the
    /// SLA (it showed "response: met · used 0m", and no escalation could fire), until dora replies.
    @Test func aRoutedAutoReplyDoesNotMeetTheResponseClock() throws {
        try setUp()
        let policy = folder.child("always.yaml")
        try Data(SLAFiles.roundTheClockPolicy.utf8).write(to: URL(fileURLWithPath: policy))
        #expect(try docket(["sla-policy", "define", "always", "--name", "Always", "--file", policy, "--effective", "2020-01-01T00:00:00Z"]).status == 0)
        let contract = try docket(["contract", "add", "globex-msa", "--client", "globex", "--name", "MSA", "--effective", "2020-01-01T00:00:00Z", "--sla-policy", "always"])
        #expect(contract.status == 0, "\(contract.stderr)")
        let opened = try docket(["intake", "email"], stdin: Self.mail(id: "s1@globex.example", subject: "Outage: site DOWN"), as: "intake")
        #expect(opened.stdout.contains("opened T-1001"), "\(opened.stderr)")
        let show = try docket(["ticket", "show", "T-1001"]).stdout
        #expect(show.contains("We are on the outage now."), "the auto-reply went out: \(show)")
        #expect(show.contains("response: on-track"), "\(show)")
        #expect(try docket(["ticket", "comment", "T-1001", "Looking at it"], as: "dora").status == 0)
        #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains("response: met"), "a person's reply meets it")
    }
}
