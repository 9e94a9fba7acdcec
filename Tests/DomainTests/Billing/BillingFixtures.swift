import BusinessTime
import DocketTime
import Domain
import Testing

/// Contracts, tickets, entries and calendars shared by the billing tests.
enum BillingFixture {
    /// An RFC 3339 instant (test literals only).
    static func at(_ text: String) -> Timestamp { SLAFixture.at(text) }

    static let november = BillingPeriod(year: 2026, month: 11)!
    static let december = BillingPeriod(year: 2026, month: 12)!

    /// T-1001 Network, T-1002 helpdesk, T-1003 warranty, T-1004 without a category; all at acme.
    static let tickets: [String: BillableTicket] = [
        "T-1001": BillableTicket(number: "T-1001", client: "acme", category: "network"),
        "T-1002": BillableTicket(number: "T-1002", client: "acme", category: "helpdesk"),
        "T-1003": BillableTicket(number: "T-1003", client: "acme", category: "warranty"),
        "T-1004": BillableTicket(number: "T-1004", client: "acme", category: nil),
    ]

    /// Hourly USD: remote 120.00/h, anything else 90.00/h.
    static let hourly: JSONValue = ["model": "hourly", "currency": "USD", "rates": ["remote": 12_000, "*": 9_000]]

    /// `ny-office`: 09:00–17:00 weekdays in New York, defined long ago.
    static let calendars: [String: CalendarState] = [
        "ny-office": CalendarState(
            id: "ny-office", name: "NY office",
            versions: [CalendarVersion(amendment: 0, effectiveFrom: at("2020-01-01T00:00:00Z"), calendar: SLAFixture.newYork)])
    ]

    /// A contract folded through ``ContractDecider`` (so the decider's rules hold), with dated amendments.
    static func contract(
        _ id: String, client: String = "acme", from start: Timestamp, terms: JSONValue?, amendments: [(Timestamp, JSONValue)] = [],
        endsAt: Timestamp? = nil
    ) throws -> ContractState {
        let context = DecisionContext(actor: Fixture.billing, now: Fixture.now)
        let snapshot = ClientSnapshot(code: client, name: client, isActive: true, contactIDs: [])
        var state = try fold(
            ContractDecider.initialState,
            ContractDecider.decide(
                .create(
                    CreateContract(
                        id: id, client: client, clientSnapshot: snapshot, name: id, effectiveFrom: start, billingTerms: terms)),
                state: ContractDecider.initialState, context: context))
        for (effective, terms) in amendments {
            state = try fold(
                state,
                ContractDecider.decide(
                    .amend(effectiveFrom: effective, slaPolicy: nil, billingTerms: terms), state: state, context: context))
        }
        if let endsAt {
            state = try fold(state, ContractDecider.decide(.end(effectiveFrom: endsAt), state: state, context: context))
        }
        return state
    }

    private static func fold(_ state: ContractState, _ events: [ContractEvent]) -> ContractState {
        events.reduce(state) { ContractDecider.evolve($0, $1) }
    }

    /// Entry `TE-n`.
    static func entry(
        _ number: Int, ticket: String = "T-1001", minutes: Int, at start: String, workType: String = "remote", billable: Bool = true,
        voided: Bool = false
    ) -> BillableEntry {
        BillableEntry(
            entryId: "TE-\(number)", ticket: ticket, tech: "alice", minutes: minutes, workType: workType, billable: billable,
            startedAt: at(start), voided: voided, position: UInt64(number))
    }

    /// The charges of acme through `period`.
    static func sheet(
        _ contracts: [ContractState], _ entries: [BillableEntry], through period: BillingPeriod = november,
        calendars: [String: CalendarState] = calendars
    ) -> ChargeSheet {
        try! ChargeCalculator.charges(
            BillingInput(client: "acme", contracts: contracts, calendars: calendars, tickets: tickets, entries: entries), through: period)
    }
}

extension ChargeSheet {
    /// The charge under `key`.
    func charge(_ key: String) -> Charge? { charges.first { $0.key == key } }

    var keys: [String] { charges.map(\.key) }
}
