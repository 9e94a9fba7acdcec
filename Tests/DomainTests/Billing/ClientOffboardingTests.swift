import DocketTime
import Domain
import Testing

/// ``ClientOffboarding``: a client is deactivated only once nothing of it runs, or with its contracts ended in the same
/// decision.
@Suite struct ClientOffboardingTests {
    static let acme = ClientDecider.fold([Fixture.registeredAcme])
    static let retainer: JSONValue = .object([
        "model": .string("retainer"), "currency": .string("USD"), "rates": .object(["*": .integer(10_000)]),
        "retainer": .object(["monthlyFeeMinor": .integer(100_000)]),
    ])

    func decide(
        _ contracts: [ContractState], tickets: [String] = [], keep: Bool = false, endAt: Timestamp? = nil, as actor: Actor = Fixture.billing
    ) throws(DomainError) -> ClientOffboarding.Decision {
        try ClientOffboarding.decide(
            client: Self.acme, contracts: contracts, openTickets: tickets, keepOpenTickets: keep, endContractsAt: endAt,
            context: DecisionContext(actor: actor, now: Fixture.now))
    }

    @Test func runningContractsAreEndedWithTheDeactivationOrItIsRefused() throws {
        let start = BillingFixture.at("2026-01-01T00:00:00Z"), end = BillingFixture.at("2026-06-01T00:00:00Z")
        let running = try BillingFixture.contract("acme-r", from: start, terms: Self.retainer)
        let ended = try BillingFixture.contract("acme-old", from: start, terms: Self.retainer, endsAt: end)
        let slaOnly = try BillingFixture.contract("acme-sla", from: start, terms: nil)
        let refused = try #require(throws: DomainError.self) { try decide([running, ended, slaOnly]) }
        // An SLA-only contract with no end counts too (its SLA terms would stay in force): it was neither named nor ended.
        #expect(
            refused.code == .conflict
                && refused.message.hasSuffix(
                    "its contract acme-r has no end, so invoice runs would keep billing under it, and its SLA-only contract acme-sla has no "
                        + "end, so its SLA terms would stay in force for a client that is gone: add --end-contracts DATE to end them with the "
                        + "deactivation"), "\(refused.message)")
        let decision = try decide([running, ended, slaOnly], endAt: end)
        #expect(decision.client == [.deactivated(ClientDeactivated())])
        #expect(decision.contracts.map(\.id) == ["acme-r", "acme-sla"])
        #expect(decision.contracts.allSatisfy { $0.events == [.ended(ContractEnded(effectiveFrom: end))] })
        let slaAlone = try #require(throws: DomainError.self) { try decide([ended, slaOnly]) }
        #expect(slaAlone.message.hasSuffix("its SLA-only contract acme-sla has no end, so its SLA terms would stay in force for a client that is gone: "
            + "add --end-contracts DATE to end it with the deactivation"), "\(slaAlone.message)")
        #expect(try decide([ended]).contracts.isEmpty, "nothing runs: deactivated alone")
        #expect((try? decide([running], endAt: end, as: Fixture.dispatcher)) == nil, "ending contracts is billing's")
        let early = try #require(throws: DomainError.self) { try decide([running], endAt: BillingFixture.at("2025-12-01T00:00:00Z")) }
        #expect(early.message.hasPrefix("client acme is not deactivated: contract acme-r: "), "\(early.message)")
    }

    /// A dispatcher offboarding a client whose only open contract is SLA-only was told to add `--end-contracts DATE`,
    /// then refused for adding it (`role dispatcher cannot change contracts; ask someone with role billing or admin to
    /// do it`): neither refusal said what to ask for. Both name the roles that may end contracts and the command they run.
    @Test func aDispatcherIsToldWhoEndsTheContractsAndWhatTheyRun() throws {
        let start = BillingFixture.at("2026-01-01T00:00:00Z"), end = BillingFixture.at("2026-06-01T00:00:00Z")
        let slaOnly = try BillingFixture.contract("acme-sla", from: start, terms: nil)
        let ask = "ending it is for role billing or admin: ask someone with that role to run `docket client deactivate acme --end-contracts DATE`, "
            + "or to end it with `docket contract end acme-sla --effective DATE` before you deactivate the client"
        let refused = try #require(throws: DomainError.self) { try decide([slaOnly], as: Fixture.dispatcher) }
        #expect(refused.code == .conflict)
        #expect(
            refused.message == "client acme is not deactivated: its SLA-only contract acme-sla has no end, so its SLA terms would stay in force "
                + "for a client that is gone: " + ask, "\(refused.message)")
        let forbidden = try #require(throws: DomainError.self) { try decide([slaOnly], endAt: end, as: Fixture.dispatcher) }
        #expect(forbidden.code == .forbidden)
        #expect(forbidden.message == "client acme is not deactivated: role dispatcher cannot end its contract acme-sla; " + ask, "\(forbidden.message)")
        let two = try BillingFixture.contract("acme-r", from: start, terms: Self.retainer)
        let both = try #require(throws: DomainError.self) { try decide([two, slaOnly], endAt: end, as: Fixture.dispatcher) }
        #expect(both.message.hasSuffix("cannot end its contracts acme-r, acme-sla; ending them is for role billing or admin: ask someone with that "
            + "role to run `docket client deactivate acme --end-contracts DATE`, or to end each with `docket contract end ID --effective DATE` "
            + "before you deactivate the client"), "\(both.message)")
        // Billing is still told to add the flag, and a dispatcher with nothing to end deactivates.
        #expect(try #require(throws: DomainError.self) { try decide([slaOnly]) }.message.hasSuffix("add --end-contracts DATE to end it with the deactivation"))
        #expect(try decide([], as: Fixture.dispatcher).client == [.deactivated(ClientDeactivated())])
    }

    @Test func openTicketsAreNamedUnlessKeptOnPurpose() throws {
        let tickets = (1001...1007).map { "T-\($0)" }
        let refused = try #require(throws: DomainError.self) { try decide([], tickets: tickets) }
        #expect(refused.message.contains("it has 7 open tickets (T-1001, T-1002, T-1003, T-1004, T-1005, …)"), "\(refused.message)")
        #expect(try decide([], tickets: tickets, keep: true).client == [.deactivated(ClientDeactivated())])
        let inactive = ClientDecider.fold([Fixture.registeredAcme, .deactivated(ClientDeactivated())])
        let again = try ClientOffboarding.decide(
            client: inactive, contracts: [], openTickets: tickets, endContractsAt: nil, context: DecisionContext(actor: Fixture.billing, now: Fixture.now))
        #expect(again.client.isEmpty && again.contracts.isEmpty, "deactivated already: nothing to change")
    }

    @Test func liveSchedulesAreNamedWithTheirRemoval() throws {
        let refused = try #require(throws: DomainError.self) {
            try ClientOffboarding.decide(
                client: Self.acme, contracts: [], openTickets: [], endContractsAt: nil, schedules: ["acme-patching", "acme-backups"],
                context: DecisionContext(actor: Fixture.billing, now: Fixture.now))
        }
        #expect(
            refused.code == .conflict
                && refused.message.contains("its schedules acme-patching, acme-backups would go on opening tickets for it: remove them first"),
            "\(refused.message)")
    }
}
