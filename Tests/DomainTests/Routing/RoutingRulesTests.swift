import Domain
import Foundation
import Testing

@Suite("Routing rules: the matcher")
struct RoutingMatcherTests {
    static let email = RoutingInput(
        client: "acme", source: .email, category: "Network", subject: "Site DOWN since 9am",
        body: "The VPN is unreachable.", alertLabels: [:], severity: nil)
    static let alert = RoutingInput(
        client: "globex", source: .alert, subject: "[DiskSpaceLow] Disk C: below 10% free",
        body: "Volume C: has less than 10% free", alertLabels: ["team": "db", "env": "prod"], severity: "Critical")

    static func rule(_ id: String, _ match: RoutingConditions) -> RoutingRule {
        RoutingRule(id: id, match: match, actions: RoutingActions(priority: .p1))
    }

    @Test(
        "each condition matches its field",
        arguments: [
            (RoutingConditions(client: ["globex", "acme"]), "client acme is one of [globex, acme]"),
            (RoutingConditions(source: [.email]), "source email is one of [email]"),
            (RoutingConditions(category: ["network"]), "category Network is one of [network]"),
            (RoutingConditions(subjectContains: ["outage", "down"]), "subject contains \"down\""),
            (RoutingConditions(bodyContains: ["vpn"]), "body contains \"vpn\""),
        ])
    func conditionHolds(conditions: RoutingConditions, reason: String) throws {
        let match = try #require(RoutingRules([Self.rule("r1", conditions)]).firstMatch(for: Self.email))
        #expect(match.rule.id == "r1")
        #expect(match.reasons == [reason])
    }

    @Test(
        "each condition fails on a ticket it does not describe",
        arguments: [
            RoutingConditions(client: ["globex"]), RoutingConditions(source: [.alert, .phone]),
            RoutingConditions(category: ["billing"]), RoutingConditions(subjectContains: ["printer"]),
            RoutingConditions(bodyContains: ["printer"]), RoutingConditions(alertLabels: ["team": "db"]),
            RoutingConditions(severity: ["critical"]),
        ])
    func conditionFails(conditions: RoutingConditions) {
        #expect(RoutingRules([Self.rule("r1", conditions)]).firstMatch(for: Self.email) == nil)
    }

    @Test func alertLabelsAndSeverity() throws {
        let rules = RoutingRules([
            Self.rule("wrong-env", RoutingConditions(alertLabels: ["team": "db", "env": "staging"])),
            Self.rule("db", RoutingConditions(source: [.alert], alertLabels: ["team": "db", "env": "prod"], severity: ["critical"])),
        ])
        let match = try #require(rules.firstMatch(for: Self.alert))
        #expect(match.rule.id == "db")
        #expect(match.reasons == [
            "source alert is one of [alert]", "alert label env=prod", "alert label team=db",
            "severity Critical is one of [critical]",
        ])
    }

    @Test func allGivenConditionsMustHold() {
        let rules = RoutingRules([Self.rule("both", RoutingConditions(client: ["acme"], subjectContains: ["printer"]))])
        #expect(rules.firstMatch(for: Self.email) == nil)
    }

    @Test func theFirstMatchingRuleWins() throws {
        let rules = RoutingRules([
            Self.rule("printers", RoutingConditions(subjectContains: ["printer"])),
            Self.rule("acme-down", RoutingConditions(client: ["acme"], subjectContains: ["down"])),
            Self.rule("acme", RoutingConditions(client: ["acme"])),
            Self.rule("everything", RoutingConditions()),
        ])
        #expect(try #require(rules.firstMatch(for: Self.email)).rule.id == "acme-down")
        let everything = try #require(rules.firstMatch(for: Self.alert))
        #expect(everything.rule.id == "everything")
        #expect(everything.reasons == ["the rule has no conditions: it matches every ticket"])
    }

    @Test func noRulesNoMatch() {
        #expect(RoutingRules([]).firstMatch(for: Self.email) == nil)
    }
}

@Suite("Routing rules: files, validation and the decider")
struct RoutingRulesDeciderTests {
    static let file = """
        {"rules": [
          {"id": "vip-outage", "match": {"client": ["acme"], "source": ["Email"], "subjectContains": ["outage"]},
           "actions": {"priority": "p1", "assign": "dora", "replyTemplate": "outage-ack"}},
          {"id": "db", "match": {"alertLabels": {"team": "db"}}, "actions": {"queue": "database"}},
          {"id": "rest"}
        ]}
        """

    /// The sample of docs/routing.md, in canonical spellings.
    static let canonical = """
        {"rules": [
          {"id": "vip-outage", "match": {"client": ["acme"], "source": ["email"], "subjectContains": ["outage", "down"]},
           "actions": {"priority": "P1", "assign": "dora", "replyTemplate": "outage-ack"}},
          {"id": "db-alerts", "match": {"source": ["alert"], "alertLabels": {"team": "db"}, "severity": ["critical"]},
           "actions": {"priority": "P1", "queue": "database"}},
          {"id": "printers", "match": {"bodyContains": ["printer", "toner"]}, "actions": {"category": "printing", "priority": "P4"}}
        ]}
        """

    @Test func aFileIsReadIntoRules() throws {
        #expect(try RoutingRuleValidation.parse(try JSONValue.parse(Self.canonical)).count == 3)
        let rules = try RoutingRuleValidation.parse(try JSONValue.parse(Self.file))
        #expect(rules.map(\.id) == ["vip-outage", "db", "rest"])
        #expect(rules[0].match.source == [.email])
        #expect(rules[0].actions.priority == .p1)
        #expect(rules[1].actions.openingCategory == "database")
        #expect(rules[2].match == RoutingConditions())
    }

    @Test(
        "bad files are refused with the rule and the field named",
        arguments: [
            (#"{"rules": [{"id": "ok"}, {"id": "bad", "match": {"source": ["fax"]}}]}"#,
             #"rules[1] (id bad): match.source[0] "fax" is not a source; use email, alert, portal, phone or schedule"#),
            (#"{"rules": [{"id": "bad", "actions": {"priority": "P9"}}]}"#,
             #"rules[0] (id bad): actions.priority "P9" is not a priority; use P1, P2, P3 or P4"#),
            (#"{"rules": [{"id": "bad", "match": {"subjet": ["x"]}}]}"#, "rules[0] (id bad): match.subjet is not a condition"),
            (#"{"rules": [{"id": "bad", "actions": {"notify": "x"}}]}"#, "rules[0] (id bad): actions.notify is not an action"),
            (#"{"rules": [{"id": "Bad Id"}]}"#, "rules[0].id \"Bad Id\" is not valid"),
            (#"{"rules": [{"match": {}}]}"#, "rules[0].id is missing"),
            (#"{"rules": [{"id": "one"}, {"id": "one"}]}"#, "rules[1] (id one) repeats an id"),
            (#"{"rules": [{"id": "bad", "match": {"client": []}}]}"#, "rules[0] (id bad): match.client is an empty list"),
            (#"{"rules": [{"id": "bad", "match": {"alertLabels": {"port": 80}}}]}"#, "rules[0] (id bad): match.alertLabels.port must be text"),
            (#"{"rules": [{"id": "bad", "actions": {"category": "a", "queue": "b"}}]}"#, "rules[0] (id bad): actions gives both category and queue"),
            (#"{"rules": [{"id": "bad", "actions": {"assign": "Dora Smith"}}]}"#, "rules[0] (id bad): actions.assign login \"Dora Smith\" is not valid"),
            (#"{"rules": [{"id": "bad", "actions": {"replyTemplate": "Ack!"}}]}"#, "rules[0] (id bad): actions.replyTemplate template name"),
            (#"{"rules": [{"id": "bad", "actions": {}}]}"#, "rules[0] (id bad): actions is empty; give at least one of priority"),
            (#"{"rules": [], "revision": "3"}"#, "revision must be a whole number"),
            (#"{"rulez": []}"#, "the file has an unknown field `rulez`"),
            (#"[1]"#, "the file must be a mapping"),
        ])
    func badFilesAreRefused(file: String, message: String) {
        let error = refusal { () throws(DomainError) in try RoutingRuleValidation.parse(try JSONValue.parse(file)) }
        #expect(error?.code == .invalid)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "accepted")")
    }

    /// `docket rules show --json` prints `{revision, rules}`: it can be set again as it is.
    @Test func aRevisionIsReadAndIgnored() throws {
        let shown = try RoutingRuleValidation.parse(
            try JSONValue.parse(#"{"revision": 4, "rules": [{"id": "db", "match": {}, "actions": {"queue": "database"}}]}"#))
        #expect(shown.map(\.id) == ["db"])
    }

    @Test func settingRecordsTheWholeListAndTheLatestIsInForce() throws {
        let first = [RoutingRule(id: "aa", actions: RoutingActions(priority: .p2))]
        let second = [RoutingRule(id: "bb"), RoutingRule(id: "aa", actions: RoutingActions(priority: .p1))]
        let events = try given(RoutingRulesDecider.self).when(.set(first), by: Fixture.dispatcher)
        #expect(events == [.set(RoutingRulesSet(rules: first))])
        let later = try given(RoutingRulesDecider.self, events).when(.set(second))
        let state = RoutingRulesDecider.fold(events + later)
        #expect(state.rules == second)
        #expect(state.revision == 2)
        #expect(RoutingRulesDecider.fold(events).rules == first, "a replay up to the first event shows the first list")
        #expect(try given(RoutingRulesDecider.self, events).when(.set(first)).isEmpty, "the same list again: nothing to record")
        #expect(try given(RoutingRulesDecider.self).when(.set([])) == [.set(RoutingRulesSet(rules: []))], "clearing the rules is recorded")
    }

    @Test func techniciansMayNotSetRules() {
        let refusal = given(RoutingRulesDecider.self).refusal(of: .set([]), by: Fixture.tech)
        #expect(refusal?.code == .forbidden)
        #expect(refusal?.message == "role tech cannot set routing rules; ask someone with role dispatcher or admin to do it")
    }

    @Test func theDeciderValidatesToo() {
        let error = given(RoutingRulesDecider.self).refusal(of: .set([RoutingRule(id: "x")]))
        #expect(error?.message.hasPrefix("rules[0].id \"x\" is not valid") == true)
    }

    @Test func theSampleFileValidatesAgainstTheSchema() throws {
        let schema = Repository.root.appendingPathComponent("schemas/routing-rules.schema.json")
        let good = FileManager.default.temporaryDirectory.appendingPathComponent("routing-\(UUID().uuidString).json")
        try Data(Self.canonical.utf8).write(to: good)
        defer { try? FileManager.default.removeItem(at: good) }
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("routing-bad-\(UUID().uuidString).json")
        try Data(#"{"rules": [{"id": "x1", "match": {"source": ["fax"]}, "actions": {"category": "a", "queue": "b"}}]}"#.utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            v = Draft202012Validator(schema)
            good = [e.message for e in v.iter_errors(json.load(open(sys.argv[2])))]
            bad = [e.message for e in v.iter_errors(json.load(open(sys.argv[3])))]
            print("good", len(good), good)
            print("bad", len(bad))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, schema.path, good.path, bad.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("good 0 []"), "\(output)")
        #expect(output.contains("bad 2"), "a bad source and category with queue are caught: \(output)")
    }
}
