import BusinessTime
import DocketTime
import Domain
import Foundation
import Testing

@Suite("SLA policies as events")
struct SLAPolicyDeciderTests {
    static let defined = SLAPolicyEvent.defined(
        SLAPolicyDefined(id: "gold", name: "Gold", effectiveFrom: Fixture.date(1, 1), terms: SLAFixture.goldTerms))

    let policy = given(SLAPolicyDecider.self, [defined])

    static func terms(
        calendar: String = "ny-office", targets: [Priority: SLATarget] = SLAFixture.targets, warn: [Int] = [75, 90],
        escalations: [EscalationRule] = []
    ) -> SLATerms {
        SLATerms(calendar: calendar, targets: targets, warnAtPercent: warn, escalations: escalations)
    }

    @Test func defineRecordsTheTerms() throws {
        let events = try given(SLAPolicyDecider.self).when(
            .define(
                DefineSLAPolicy(
                    id: "gold", name: " Gold ", effectiveFrom: Fixture.date(1, 1), terms: SLAFixture.goldTerms)),
            by: Fixture.admin)
        #expect(events == [Self.defined])
        let (amendment, terms) = try #require(SLAPolicyDecider.fold(events).terms(at: Fixture.now))
        #expect(amendment == 0)
        #expect(terms == SLAFixture.goldTerms)
        #expect(terms.warnAtPercent == [75, 90], "the default")
    }

    @Test("only billing and admin may define or amend policies", arguments: Role.allCases)
    func permissions(role: Role) {
        let define = given(SLAPolicyDecider.self).refusal(
            of: .define(DefineSLAPolicy(id: "x1", name: "X", effectiveFrom: Fixture.now, terms: Self.terms())),
            by: Fixture.actor(role))
        let amend = policy.refusal(
            of: .amend(effectiveFrom: Fixture.date(2, 1), terms: Self.terms(calendar: "24x7")), by: Fixture.actor(role))
        let allowed = role == .billing || role == .admin
        #expect((define?.code == .forbidden) == !allowed)
        #expect((amend?.code == .forbidden) == !allowed)
    }

    struct BadTerms: Sendable, CustomTestStringConvertible {
        var name: String
        var terms: SLATerms
        var message: String
        var testDescription: String { name }
    }

    @Test(
        "invalid terms are refused with a message that names the problem",
        arguments: [
            BadTerms(
                name: "missing priority",
                terms: terms(targets: SLAFixture.targets.filter { $0.key != "P4" }),
                message: "the targets lack P4; give response and resolution minutes for each of P1, P2, P3 and P4"),
            BadTerms(
                name: "response > resolution",
                terms: terms(targets: SLAFixture.targets.merging(["P2": SLAFixture.target(500, 480)]) { $1 }),
                message:
                    "the P2 response target (500 minutes) is longer than its resolution target (480 minutes); "
                    + "a response cannot be due after the resolution"),
            BadTerms(
                name: "zero minutes",
                terms: terms(targets: SLAFixture.targets.merging(["P1": SLAFixture.target(0, 10)]) { $1 }),
                message: "the P1 response target of 0 minutes is out of range; use 1 to 5256000 business minutes"),
            BadTerms(
                name: "warn 0", terms: terms(warn: [0, 50]),
                message: "warning at 0% is out of range; use percentages from 1 to 99 (100 is the breach)"),
            BadTerms(
                name: "warn 100", terms: terms(warn: [50, 100]),
                message: "warning at 100% is out of range; use percentages from 1 to 99 (100 is the breach)"),
            BadTerms(
                name: "warn descending", terms: terms(warn: [90, 75]),
                message: "warning percentages [90, 75] are not ascending; list each once, smallest first"),
            BadTerms(
                name: "warn repeated", terms: terms(warn: [75, 75]),
                message: "warning percentages [75, 75] are not ascending; list each once, smallest first"),
            BadTerms(
                name: "calendar reference", terms: terms(calendar: "NY Office"),
                message:
                    "calendar \"NY Office\" is not a calendar id; name a calendar (lower-case letters, digits and "
                    + "dashes) or use 24x7"),
            BadTerms(
                name: "duplicate rule",
                terms: terms(escalations: [SLAFixture.escalations[0], SLAFixture.escalations[0]]),
                message: "escalation rule p1-untouched is listed twice; give each rule its own id"),
            BadTerms(
                name: "rule without priorities",
                terms: terms(escalations: [
                    EscalationRule(id: "none", priorities: [], untouchedMinutes: 5, action: .notifyDispatchers)
                ]),
                message: "escalation rule none has no priorities; list the priorities it watches, e.g. P1"),
            BadTerms(
                name: "rule delay 0",
                terms: terms(escalations: [
                    EscalationRule(id: "now", priorities: ["P1"], untouchedMinutes: 0, action: .raisePriority)
                ]),
                message: "escalation rule now fires after 0 minutes; use 1 to 5256000 business minutes"),
            BadTerms(
                name: "assign to a bad login",
                terms: terms(escalations: [
                    EscalationRule(id: "to-x", priorities: ["P1"], untouchedMinutes: 5, action: .assign(login: "X"))
                ]),
                message:
                    "login \"X\" is not valid; use 2 to 32 lower-case letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit"),
        ])
    func invalidTerms(_ bad: BadTerms) throws {
        let define = try #require(
            given(SLAPolicyDecider.self).refusal(
                of: .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: Fixture.now, terms: bad.terms))))
        #expect(define.code == .invalid)
        #expect(define.message == bad.message)
        let amend = try #require(policy.refusal(of: .amend(effectiveFrom: Fixture.date(2, 1), terms: bad.terms)))
        #expect(amend == define)
    }

    @Test func validTermsAreNormalized() throws {
        let rule = EscalationRule(
            id: "both", priorities: ["P2", "P1", "P2"], untouchedMinutes: 5, action: .raisePriority)
        let terms = try SLAPolicyDecider.validate(Self.terms(calendar: "24x7", warn: [], escalations: [rule]))
        #expect(terms.escalations[0].priorities == ["P1", "P2"])
        #expect(terms.warnAtPercent == [])
    }

    @Test func otherRefusals() throws {
        #expect(
            given(SLAPolicyDecider.self).refusal(of: .amend(effectiveFrom: Fixture.now, terms: Self.terms()))?.code
                == .notFound)
        #expect(
            policy.refusal(of: .amend(effectiveFrom: Fixture.date(6, 1, year: 2025), terms: Self.terms()))?.code
                == .invalid)
        #expect(
            policy.refusal(
                of: .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: Fixture.now, terms: Self.terms())))?
                .code == .conflict)
        #expect(
            given(SLAPolicyDecider.self).refusal(
                of: .define(DefineSLAPolicy(id: "g", name: "Gold", effectiveFrom: Fixture.now, terms: Self.terms())))?
                .code == .invalid, "ids are 2 to 64 characters")
        #expect(try policy.when(.amend(effectiveFrom: Fixture.date(2, 1), terms: SLAFixture.goldTerms)).isEmpty)
    }

    /// Defined Jan 1 (gold terms); amendment 1 effective Mar 1 (24x7); amendment 2, recorded later, effective Feb 1
    /// (no warnings); amendment 3 effective Mar 1 again (warn at 50 %).
    @Test func termsAtTimeWithOutOfOrderEffectiveDates() throws {
        var history = [Self.defined]
        func amend(_ date: Timestamp, _ terms: SLATerms) throws {
            history += try given(SLAPolicyDecider.self, history).when(.amend(effectiveFrom: date, terms: terms))
        }
        try amend(Fixture.date(3, 1), Self.terms(calendar: "24x7"))
        try amend(Fixture.date(2, 1), Self.terms(warn: []))
        var state = SLAPolicyDecider.fold(history)
        #expect(state.terms(at: Fixture.date(12, 31, year: 2025)) == nil)
        #expect(state.terms(at: Fixture.date(1, 1))?.amendment == 0)
        #expect(state.terms(at: Fixture.date(2, 15))?.amendment == 2)
        #expect(state.terms(at: Fixture.date(2, 15))?.terms.warnAtPercent == [])
        #expect(state.terms(at: Fixture.date(3, 15))?.amendment == 1)
        #expect(state.terms(at: Fixture.date(3, 15))?.terms.calendar == "24x7")
        try amend(Fixture.date(3, 1), Self.terms(calendar: "24x7", warn: [50]))
        state = SLAPolicyDecider.fold(history)
        #expect(state.terms(at: Fixture.date(3, 15))?.amendment == 3, "same instant: the later amendment wins")
        #expect(state.terms(at: Fixture.date(2, 28))?.amendment == 2)
    }

    // MARK: - Terms JSON

    @Test func termsJSONShapeAndDefaults() throws {
        let json = #"""
            {"calendar": "24x7", "targets": {
              "P1": {"responseMinutes": 15, "resolutionMinutes": 240}, "P2": {"responseMinutes": 60, "resolutionMinutes": 480},
              "P3": {"responseMinutes": 240, "resolutionMinutes": 960}, "P4": {"responseMinutes": 480, "resolutionMinutes": 2400}}}
            """#
        let terms = try JSONDecoder().decode(SLATerms.self, from: Data(json.utf8))
        #expect(terms.warnAtPercent == [75, 90])
        #expect(terms.escalations == [])
        #expect(terms.targets["P1"] == SLAFixture.target(15, 240))

        let missing = json.replacingOccurrences(
            of: #", "P4": {"responseMinutes": 480, "resolutionMinutes": 2400}"#, with: "")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SLATerms.self, from: Data(missing.utf8)) }
        let unknown = json.replacingOccurrences(of: #""P4""#, with: #""P5""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SLATerms.self, from: Data(unknown.utf8)) }
    }

    @Test(
        "escalation actions have a fixed JSON shape",
        arguments: [
            (EscalationAction.notifyDispatchers, #"{"kind":"notify-dispatchers"}"#),
            (.assign(login: "dora"), #"{"kind":"assign","login":"dora"}"#),
            (.raisePriority, #"{"kind":"raise-priority"}"#),
            (.page(channel: "oncall"), #"{"channel":"oncall","kind":"page"}"#),
        ])
    func escalationActionJSON(action: EscalationAction, json: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(action), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(EscalationAction.self, from: Data(json.utf8)) == action)
    }

    @Test func unknownEscalationKindIsRefused() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(EscalationAction.self, from: Data(#"{"kind":"page-the-ceo"}"#.utf8))
        }
    }
}

extension SLAPolicyDeciderTests {
    /// The rules that page a channel, for `notify remove`: those of the terms in force and of terms taking effect later,
    /// not those of terms an amendment superseded.
    @Test func theRulesPagingAChannelAreThoseInForceAndLater() {
        func pages(_ id: String, _ channel: String) -> EscalationRule {
            EscalationRule(id: id, priorities: ["P1"], untouchedMinutes: 15, action: .page(channel: channel))
        }
        let state = SLAPolicyState(id: "gold", name: "Gold", versions: [
            SLAPolicyVersion(amendment: 0, effectiveFrom: SLAFixture.at("2026-01-01T00:00:00Z"), terms: Self.terms(escalations: [pages("old", "former")])),
            SLAPolicyVersion(amendment: 1, effectiveFrom: SLAFixture.at("2026-06-01T00:00:00Z"), terms: Self.terms(escalations: [pages("now", "oncall")])),
            SLAPolicyVersion(
                amendment: 2, effectiveFrom: SLAFixture.at("2027-01-01T00:00:00Z"),
                terms: Self.terms(escalations: [pages("now", "oncall"), pages("night", "night"), pages("again", "oncall")])),
            // Recorded later for the same instant: it, not amendment 2, takes effect then.
            SLAPolicyVersion(amendment: 3, effectiveFrom: SLAFixture.at("2027-01-01T00:00:00Z"), terms: Self.terms(escalations: [pages("now", "oncall")])),
        ])
        let now = SLAFixture.at("2026-11-01T00:00:00Z")
        #expect(state.escalations(paging: "oncall", from: now) == ["now"])
        #expect(state.escalations(paging: "former", from: now).isEmpty, "superseded")
        #expect(state.escalations(paging: "night", from: now).isEmpty, "amendment 2 never takes effect")
        #expect(state.escalations(paging: "former", from: SLAFixture.at("2026-02-01T00:00:00Z")) == ["old"])
    }
}
