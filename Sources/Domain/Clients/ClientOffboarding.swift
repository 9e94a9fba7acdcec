import DocketTime

/// Deactivating a client that leaves (docs/billing.md, "Offboarding a client"): a client is deactivated only once
/// nothing of it keeps running. Open tickets keep their SLA clocks (they would breach, and page people, for a client
/// that is gone), a contract with billing terms and no end keeps being billed by every invoice run (a retainer's
/// monthly fee, month after month), and an SLA-only contract with no end keeps its SLA terms in force for a client
/// that is gone. So the deactivation is refused while the client has open tickets, which are named with what to do
/// (close or merge them, or keep them open on purpose: `keepOpenTickets`), and while a contract of it has no end,
/// unless the deactivation is given the date to end them: those ends are then appended with the deactivation, in one
/// transaction.
public enum ClientOffboarding {
    /// The end of one of the client's contracts, decided with the deactivation.
    public struct ContractEnding: Sendable, Equatable {
        /// The contract's id.
        public var id: String
        /// Its `contract.ended`.
        public var events: [ContractEvent]
    }

    /// What the deactivation appends: the client's `client.deactivated` and each running contract's end (none when
    /// the client was deactivated already).
    public struct Decision: Sendable, Equatable {
        public var client: [ClientEvent]
        public var contracts: [ContractEnding]
    }

    /// How many open tickets a refusal names (the rest are counted).
    public static let ticketsNamed = 5

    /// Decides the deactivation of `client`, whose contracts are `contracts`, open tickets `openTickets` (their
    /// numbers, in work order) and live recurring schedules `schedules` (their ids), ending every contract of it with
    /// no end (with billing terms or SLA-only) at `endContractsAt` when given. Refuses (``DomainError/Code/conflict``,
    /// one line naming each thing still running and the fix) while a ticket is open, unless `keepOpenTickets`, while a
    /// contract has no end and no `endContractsAt` is given, and while a schedule would go on opening tickets for it (each tick
    /// would then only warn that it cannot). Ending the contracts needs the right to change contracts (billing, admin),
    /// as `docket contract end` does: a user without it (a dispatcher) is refused (forbidden with `endContractsAt`, a
    /// conflict without), the line naming the roles that may and the command they run.
    public static func decide(
        client: ClientState, contracts: [ContractState], openTickets: [String], keepOpenTickets: Bool = false, endContractsAt: Timestamp?,
        schedules: [String] = [], context: DecisionContext
    ) throws(DomainError) -> Decision {
        let deactivated = try ClientDecider.decide(.deactivate, state: client, context: context)
        guard !deactivated.isEmpty, let code = client.code else { return Decision(client: [], contracts: []) }
        let running = contracts.filter { $0.id != nil && $0.endsAt == nil }.sorted { ($0.id ?? "") < ($1.id ?? "") }
        // Ending contracts is billing's or an admin's (`docket contract end`): a dispatcher is told whom to ask and what
        // they run, rather than to add a flag that is then refused.
        let mayEnd = Permissions.allows(context.actor.role, to: .manageContracts)
        let ids = running.compactMap(\.id)
        if !running.isEmpty, endContractsAt != nil, !mayEnd {
            throw DomainError(
                .forbidden,
                "client \(code) is not deactivated: role \(context.actor.role) cannot end its contract\(ids.count == 1 ? "" : "s") "
                    + "\(ids.joined(separator: ", ")); " + askToEnd(code, ids))
        }
        var problems: [String] = []
        if !openTickets.isEmpty, !keepOpenTickets {
            let named = openTickets.prefix(ticketsNamed).joined(separator: ", ") + (openTickets.count > ticketsNamed ? ", …" : "")
            let one = openTickets.count == 1
            problems.append(
                "it has \(openTickets.count) open ticket\(one ? "" : "s") (\(named)) whose SLA clock\(one ? "" : "s") would keep running: "
                    + "close or merge \(one ? "it" : "them") first (`docket queue --client \(code)`), or add --keep-open-tickets")
        }
        if !running.isEmpty, endContractsAt == nil {
            let billed = running.filter { contract in contract.versions.contains { $0.billingTerms != nil } }.compactMap(\.id)
            let slaOnly = running.compactMap(\.id).filter { !billed.contains($0) }
            var why: [String] = []
            if !billed.isEmpty {
                let one = billed.count == 1
                why.append(
                    "its contract\(one ? "" : "s") \(billed.joined(separator: ", ")) \(one ? "has" : "have") no end, so invoice runs would keep "
                        + "billing under \(one ? "it" : "them")")
            }
            if !slaOnly.isEmpty {
                let one = slaOnly.count == 1
                why.append(
                    "its SLA-only contract\(one ? "" : "s") \(slaOnly.joined(separator: ", ")) \(one ? "has" : "have") no end, so \(one ? "its" : "their") "
                        + "SLA terms would stay in force for a client that is gone")
            }
            let fix = mayEnd ? "add --end-contracts DATE to end \(running.count == 1 ? "it" : "them") with the deactivation" : askToEnd(code, ids)
            problems.append(why.joined(separator: ", and ") + ": " + fix)
        }
        if !schedules.isEmpty {
            let one = schedules.count == 1
            problems.append(
                "its schedule\(one ? "" : "s") \(schedules.joined(separator: ", ")) would go on opening tickets for it: remove "
                    + "\(one ? "it" : "them") first (`docket schedule remove \(schedules[0])`)")
        }
        guard problems.isEmpty else {
            throw DomainError(.conflict, "client \(code) is not deactivated: " + problems.joined(separator: "; and "))
        }
        var endings: [ContractEnding] = []
        if let endContractsAt {
            for contract in running {
                let id = contract.id ?? ""
                do throws(DomainError) {
                    endings.append(
                        ContractEnding(id: id, events: try ContractDecider.decide(.end(effectiveFrom: endContractsAt), state: contract, context: context)))
                } catch {
                    throw error.prefixed("client \(code) is not deactivated: contract \(id): ")
                }
            }
        }
        return Decision(client: deactivated, contracts: endings)
    }

    /// The fix for a user who may not end contracts: who may, and the command they run.
    private static func askToEnd(_ client: String, _ contracts: [String]) -> String {
        let roles = Permissions.list(Permissions.roles(allowedTo: .manageContracts).map(\.rawValue))
        let one = contracts.count == 1
        return "ending \(one ? "it" : "them") is for role \(roles): ask someone with that role to run `docket client deactivate "
            + "\(client) --end-contracts DATE`, or to end \(one ? "it" : "each") with `docket contract end \(one ? contracts[0] : "ID") "
            + "--effective DATE` before you deactivate the client"
    }
}
