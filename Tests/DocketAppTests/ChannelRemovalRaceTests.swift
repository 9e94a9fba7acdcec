@testable import DocketApp
import DocketTime
import Domain
import EventLog
import Hooks
import TestSupport
import Testing

/// `notify remove` is refused while an SLA policy pages the channel, and `sla-policy define`/`amend` refuse terms paging
/// a channel not in force (docs/sla.md). Each checked the other's streams, then appended without guarding them: an
/// amendment or a new policy paging the channel, landing between a removal's check and its append, left a policy paging a
/// removed channel (every page cancelled), and a removal landing between a policy command's check and its append did the
/// same. The appends are guarded now (the channel's stream for the policy commands; every policy stream, and how many
/// there are, for the removal), so the kernel decides the loser again on the new state and refuses it. The race is
/// played step by step, no timing.
@Suite struct ChannelRemovalRaceTests {
    static let start = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    static let targets: [Priority: SLATarget] = [
        .p1: SLATarget(responseMinutes: 60, resolutionMinutes: 240), .p2: SLATarget(responseMinutes: 120, resolutionMinutes: 480),
        .p3: SLATarget(responseMinutes: 240, resolutionMinutes: 960), .p4: SLATarget(responseMinutes: 480, resolutionMinutes: 2400),
    ]

    /// Terms on 24x7 whose one escalation rule pages `channel`.
    static func terms(paging channel: String) -> Domain.SLATerms {
        Domain.SLATerms(
            calendar: "24x7", targets: targets,
            escalations: [EscalationRule(id: "p1-page", priorities: [.p1], untouchedMinutes: 15, action: .page(channel: channel))])
    }

    /// Channels oncall and night; policy paged pages night.
    func fixture() throws -> ServiceFixture {
        let f = try ServiceFixture()
        let key = try HookKey(bytes: Array(repeating: 42, count: 32))
        for channel in ["oncall", "night"] {
            _ = try f.app.outbox.addChannel(channel, url: "https://pager.example.com/\(channel)", on: [], as: "ann", key: { key })
        }
        try f.app.directory.slaPolicy(
            "paged", .define(DefineSLAPolicy(id: "paged", name: "Paged", effectiveFrom: Self.start, terms: Self.terms(paging: "night"))),
            as: "ann")
        return f
    }

    func channelIsActive(_ f: ServiceFixture, _ name: String) throws -> Bool {
        try f.app.outbox.channels(as: "ann").contains { $0.name == name }
    }

    /// The removal of oncall is decided (no policy pages it yet); `during` runs before its first append. The kernel
    /// must decide it again and refuse it, naming the policy `during` made page oncall.
    func removal(_ f: ServiceFixture, racing during: () throws -> Void) throws -> (refusal: DomainError?, attempts: Int) {
        let context = try f.app.context(for: "ann")
        var attempts = 0
        do {
            _ = try f.app.outbox.kernel.execute(commandId: nil, actor: "ann", replay: { _ in [NotifyEvent]() }) {
                attempts += 1
                let decision = try f.app.outbox.removeChannel("oncall", context: context, commandId: nil)
                if attempts == 1 {
                    #expect(decision.output.count == 1, "decided before any policy pages oncall: the removal is allowed then")
                    try during()
                }
                return decision
            }
        } catch let refusal as DomainError {
            return (refusal, attempts)
        }
        return (nil, attempts)
    }

    /// An `sla-policy amend` making paged page oncall lands between the removal's check and its append.
    @Test func aRemovalDecidedBeforeAnAmendmentPagingTheChannelIsRefused() throws {
        let f = try fixture()
        let (refusal, attempts) = try removal(f) {
            try f.app.directory.slaPolicy("paged", .amend(effectiveFrom: Self.start, terms: Self.terms(paging: "oncall")), as: "ann")
        }
        #expect(attempts == 2)
        #expect(refusal?.message.contains("notification channel oncall is paged by SLA policy paged (escalation rule p1-page)") == true, "\(String(describing: refusal))")
        #expect(try channelIsActive(f, "oncall"), "nothing written")
    }

    /// A new policy paging oncall (a stream the removal never read) lands between the removal's check and its append.
    @Test func aRemovalDecidedBeforeANewPolicyPagingTheChannelIsRefused() throws {
        let f = try fixture()
        let (refusal, attempts) = try removal(f) {
            try f.app.directory.slaPolicy(
                "gold", .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: Self.start, terms: Self.terms(paging: "oncall"))),
                as: "ann")
        }
        #expect(attempts == 2)
        #expect(refusal?.message.contains("notification channel oncall is paged by SLA policy gold (escalation rule p1-page)") == true, "\(String(describing: refusal))")
        #expect(try channelIsActive(f, "oncall"), "nothing written")
    }

    /// A policy's terms paging oncall are decided while oncall is in force; `notify remove oncall` lands before they are
    /// appended. The kernel decides them again and refuses them (not found, naming the channel); nothing is written.
    @Test(arguments: ["amend", "define"]) func termsDecidedBeforeTheChannelIsRemovedAreRefused(_ command: String) throws {
        let f = try fixture()
        let context = try f.app.context(for: "ann")
        let (id, decided): (String, SLAPolicyCommand) =
            command == "amend"
            ? ("paged", .amend(effectiveFrom: Self.start, terms: Self.terms(paging: "oncall")))
            : ("gold", .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: Self.start, terms: Self.terms(paging: "oncall"))))
        let head = try f.store.head().position
        var attempts = 0
        do {
            _ = try f.app.directory.kernel.execute(commandId: nil, actor: "ann", replay: { _ in [SLAPolicyEvent]() }) {
                attempts += 1
                let decision = try f.app.directory.slaPolicy(id, decided, context: context, commandId: nil)
                if attempts == 1 { _ = try f.app.outbox.removeChannel("oncall", as: "ann") }
                return decision
            }
            Issue.record("terms paging a removed channel must be refused")
        } catch let refusal as DomainError {
            #expect(refusal.code == .notFound)
            #expect(refusal.message.contains("pages notification channel oncall, which does not exist"), "\(refusal.message)")
        }
        #expect(attempts == 2)
        #expect(try f.store.head().position == head + 1, "only the removal written")
        #expect(try f.app.directory.slaPolicy("paged").versions.count == 1)
    }
}
