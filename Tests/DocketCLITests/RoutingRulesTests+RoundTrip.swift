import Foundation
import TestSupport
import Testing

extension RoutingRulesCommandTests {
    /// `rules show --json` can be set again as printed (its `revision` is ignored); an empty `actions: {}` is refused.
    @Test func theShownRulesCanBeSetAgainAndEmptyActionsAreRefused() throws {
        try setUp()
        let shown = folder.child("shown.json")
        try Data(try docket(["rules", "show", "--json"]).stdout.utf8).write(to: URL(fileURLWithPath: shown))
        let again = try docket(["rules", "set", shown])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "routing rules: nothing to change\n")
        let empty = folder.child("empty.yaml")
        try Data("rules:\n  - id: does-nothing\n    match: {client: [globex]}\n    actions: {}\n".utf8).write(to: URL(fileURLWithPath: empty))
        let refused = try docket(["rules", "set", empty])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("rules[0] (id does-nothing): actions is empty"), "\(refused.stderr)")
    }

    /// `rules test --client` names a client that must exist, as intake's would.
    @Test func rulesTestRefusesAnUnknownClient() throws {
        try setUp()
        let payload = try String(contentsOf: Self.alertFixture, encoding: .utf8)
        let alert = try docket(["rules", "test", "--alert-format", "alertmanager", "--client", "nope"], stdin: payload)
        #expect(alert.status == 4, "\(alert.stdout)\(alert.stderr)")
        #expect(alert.stderr.contains("nope"), "\(alert.stderr)")
        let mail = try docket(["rules", "test", "--client", "nope"], stdin: Self.mail(id: "t9@globex.example", subject: "Hello"))
        #expect(mail.status == 4, "\(mail.stdout)\(mail.stderr)")
    }
}
