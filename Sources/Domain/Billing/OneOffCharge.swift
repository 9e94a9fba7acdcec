import DocketTime
import Foundation

/// One-off charges (stream `charge-CH-<n>`): what an MSP bills once, beside time and monthly fees: hardware resold, a
/// licence sold once, an on-site trip fee, an expense on a ticket (docs/billing.md, "One-off charges").
public enum ChargeEvent: Sendable, Equatable {
    /// See ``ChargeAdded``.
    case added(ChargeAdded)
    /// See ``ChargeVoided``.
    case voided(ChargeVoided)
}

/// `charge.added.v1`: a one-off charge to bill a client once, in the billing month of `date`.
public struct ChargeAdded: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "charge", type: "charge.added", schemaVersion: 1,
        summary: "A one-off charge was added for a client (hardware, a licence, a trip fee, an expense): billed once, in the month of its date.")
    /// `CH-7`.
    public var id: String
    /// The client's code.
    public var client: String
    /// The client's ticket it is for, `T-1042`, if any.
    public var ticket: String?
    /// The line the client reads, `Dell Latitude 5440`.
    public var description: String
    /// Whole units, 1 to 1,000,000.
    public var quantity: Int
    /// The price of one unit, in minor units of `currency`.
    public var unitPriceMinor: Int64
    /// What the MSP paid for one unit, in minor units of `currency` (profitability's cost), if given.
    public var unitCostMinor: Int64?
    /// The client's contract currency, ISO 4217.
    public var currency: String
    /// RFC 3339: the instant it is billed in (its billing month is the client's month containing it).
    public var date: String
    /// A grouping for reports, `hardware`, if any.
    public var category: String?

    public init(
        id: String, client: String, ticket: String?, description: String, quantity: Int, unitPriceMinor: Int64, unitCostMinor: Int64?,
        currency: String, date: String, category: String?
    ) {
        self.id = id
        self.client = client
        self.ticket = ticket
        self.description = description
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
        self.unitCostMinor = unitCostMinor
        self.currency = currency
        self.date = date
        self.category = category
    }
}

/// `charge.voided.v1`: a one-off charge no longer counts; billed on a final invoice, the next run bills it back.
public struct ChargeVoided: EventPayload {
    public static let descriptor = EventDescriptor(
        category: "charge", type: "charge.voided", schemaVersion: 1,
        summary: "A one-off charge was voided: it is no longer billed, and one a final invoice billed is billed back on the next run.")
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

extension ChargeEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<ChargeEvent>] = [
        .init(ChargeAdded.self) { .added($0) },
        .init(ChargeVoided.self) { .voided($0) },
    ]
}

/// A one-off charge as the fold of its events.
public struct OneOffCharge: Sendable, Equatable, Codable {
    public var id: String
    public var client: String
    public var ticket: String?
    public var description: String
    public var quantity: Int
    public var unitPriceMinor: Int64
    public var unitCostMinor: Int64?
    public var currency: String
    /// RFC 3339.
    public var date: String
    public var category: String?
    public var voided: Bool
    /// Why it was voided.
    public var voidReason: String?

    /// No charge: the state of a stream with no events.
    public static let none = OneOffCharge(
        id: "", client: "", ticket: nil, description: "", quantity: 0, unitPriceMinor: 0, unitCostMinor: nil, currency: "", date: "",
        category: nil, voided: false, voidReason: nil)

    /// Whether the charge has been added.
    public var exists: Bool { !id.isEmpty }

    /// quantity × unit price; nil when it does not fit in `Int64` (never for a charge the decider took).
    public var amountMinor: Int64? {
        let (amount, overflow) = unitPriceMinor.multipliedReportingOverflow(by: Int64(quantity))
        return overflow ? nil : amount
    }

    /// quantity × unit cost, when a cost was given and fits in `Int64`.
    public var costMinor: Int64? {
        guard let unitCostMinor else { return nil }
        let (cost, overflow) = unitCostMinor.multipliedReportingOverflow(by: Int64(quantity))
        return overflow ? nil : cost
    }

    /// The line the client reads: `Dell Latitude 5440, 2 × 1,249.00`.
    public var lineText: String {
        "\(description), \(quantity) × \(Money.format(unitPriceMinor, currency: currency))"
    }

    public init(
        id: String, client: String, ticket: String?, description: String, quantity: Int, unitPriceMinor: Int64, unitCostMinor: Int64?,
        currency: String, date: String, category: String?, voided: Bool, voidReason: String?
    ) {
        self.id = id
        self.client = client
        self.ticket = ticket
        self.description = description
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
        self.unitCostMinor = unitCostMinor
        self.currency = currency
        self.date = date
        self.category = category
        self.voided = voided
        self.voidReason = voidReason
    }

    /// The charge after `event`.
    public func applying(_ event: ChargeEvent) -> OneOffCharge {
        switch event {
        case .added(let e):
            return OneOffCharge(
                id: e.id, client: e.client, ticket: e.ticket, description: e.description, quantity: e.quantity,
                unitPriceMinor: e.unitPriceMinor, unitCostMinor: e.unitCostMinor, currency: e.currency, date: e.date, category: e.category,
                voided: false, voidReason: nil)
        case .voided(let e):
            var voided = self
            voided.voided = true
            voided.voidReason = e.reason
            return voided
        }
    }
}

/// What to add: the facts the decision needs come from the application (the streams' folds).
public struct AddCharge: Sendable, Equatable {
    public var id: String
    /// The client as it stands (``ClientDecider/initialState`` when unknown).
    public var client: ClientState
    /// The code typed, for the refusal of an unknown client.
    public var clientCode: String
    /// The ticket given, and its state (``TicketDecider/initialState`` when unknown).
    public var ticket: TicketNumber?
    public var ticketState: TicketState?
    /// The client's contracts: one with billing terms must be in force at `date`.
    public var contracts: [ContractState]
    public var description: String
    public var quantity: Int
    public var unitPriceMinor: Int64
    public var unitCostMinor: Int64?
    public var date: Timestamp
    public var category: String?

    public init(
        id: String, client: ClientState, clientCode: String, ticket: TicketNumber?, ticketState: TicketState?, contracts: [ContractState],
        description: String, quantity: Int, unitPriceMinor: Int64, unitCostMinor: Int64?, date: Timestamp, category: String?
    ) {
        self.id = id
        self.client = client
        self.clientCode = clientCode
        self.ticket = ticket
        self.ticketState = ticketState
        self.contracts = contracts
        self.description = description
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
        self.unitCostMinor = unitCostMinor
        self.date = date
        self.category = category
    }
}

/// Commands on one one-off charge.
public enum ChargeCommand: Sendable, Equatable {
    case add(AddCharge)
    case void(reason: String)
}

/// One-off charges: who may add and void them, and what a charge may hold.
///
/// Billing and admins add any charge; a dispatcher adds one on a ticket (any ticket of the client), and a tech on a
/// ticket assigned to them: the trip fee or the part of the work they do. Only billing and admins void one (it may be
/// billed already: voiding it puts a line on the client's next invoice).
public enum ChargeDecider: Decider {
    public static let initialState = OneOffCharge.none

    /// The most units one charge holds.
    public static let maxQuantity = 1_000_000
    /// The highest unit price or cost, in minor units (as a recurring item's price).
    public static let maxUnitMinor: Int64 = 1_000_000_000_000
    /// The longest description, in characters (as a recurring item's).
    public static let maxDescription = 100

    public static func decide(_ command: ChargeCommand, state: OneOffCharge, context: DecisionContext) throws(DomainError) -> [ChargeEvent] {
        switch command {
        case .add(let add):
            return [.added(try added(add, state: state, actor: context.actor))]
        case .void(let reason):
            guard state.exists else { throw DomainError(.notFound, "unknown charge; list charges with `docket charge list`") }
            let actor = context.actor
            guard [.billing, .admin].contains(actor.role) else {
                throw DomainError(.forbidden, "\(actor) cannot void charge \(state.id); ask someone with role billing or admin")
            }
            guard !state.voided else { throw DomainError(.conflict, "charge \(state.id) is voided already; add a new charge instead") }
            let why = try Validate.name(reason, "the reason to void \(state.id)", fix: "add --reason \"why\"")
            return [.voided(ChargeVoided(reason: why))]
        }
    }

    public static func evolve(_ state: OneOffCharge, _ event: ChargeEvent) -> OneOffCharge { state.applying(event) }

    private static func added(_ add: AddCharge, state: OneOffCharge, actor: Actor) throws(DomainError) -> ChargeAdded {
        guard !state.exists else { throw DomainError(.conflict, "charge \(add.id) already exists; add again to get a new charge id") }
        try permit(add, actor: actor)
        guard let client = add.client.code else {
            throw DomainError(.notFound, "unknown client \(add.clientCode); list clients with `docket client list`")
        }
        guard add.client.isActive else {
            throw DomainError(.inactive, "client \(client) is deactivated; reactivate it first (`docket client reactivate \(client)`)")
        }
        let description = try Validate.name(add.description, "the charge's description", fix: "add --description \"what is sold\"")
        guard description.count <= maxDescription else {
            throw DomainError(
                .invalid, "the charge's description is \(description.count) characters; an invoice line holds at most \(maxDescription)")
        }
        guard (1...maxQuantity).contains(add.quantity) else {
            throw DomainError(.invalid, "quantity \(add.quantity) is out of range; a charge holds 1 to \(maxQuantity) whole units")
        }
        for (flag, value) in [("--unit-price", add.unitPriceMinor), ("--unit-cost", add.unitCostMinor ?? 0)] where !(0...maxUnitMinor).contains(value) {
            throw DomainError(
                .invalid, "\(flag) \(Money.format(value, currency: add.client.currency)) is out of range; give 0 to "
                    + "\(Money.format(maxUnitMinor, currency: add.client.currency)) \(add.client.currency)")
        }
        guard unitPrice(add.unitPriceMinor, times: add.quantity) != nil else {
            throw DomainError(.invalid, "\(add.quantity) × \(Money.format(add.unitPriceMinor, currency: add.client.currency)) does not fit in 64-bit minor units; split the charge")
        }
        var category: String?
        if let given = add.category { category = try Validate.slug(given.lowercased(), "category", length: 1...32) }
        try BillingDates.check(add.date, "the charge's date")
        if let number = add.ticket {
            guard let ticket = add.ticketState, ticket.exists, ticket.number == number else {
                throw DomainError(.notFound, "unknown ticket \(number); list tickets with `docket ticket list`")
            }
            guard ticket.client == client else {
                throw DomainError(
                    .invalid, "ticket \(number) is client \(ticket.client)'s, not \(client)'s; add the charge for \(ticket.client), or name a ticket of \(client)")
            }
            if let into = ticket.mergedInto {
                throw DomainError(.merged, "\(number) was merged into \(into); add the charge on \(into)")
            }
        }
        guard ChargeCalculator.contractInForce(add.contracts, at: add.date) != nil else {
            throw DomainError(
                .conflict,
                timed: "client \(client) has no contract with billing terms in force at \(time: add.date), so no invoice could bill the charge; "
                    + "add one in force then (`docket contract add … --client \(client) --effective …`), or give a --date when one is")
        }
        return ChargeAdded(
            id: add.id, client: client, ticket: add.ticket?.description, description: description, quantity: add.quantity,
            unitPriceMinor: add.unitPriceMinor, unitCostMinor: add.unitCostMinor, currency: add.client.currency, date: add.date.iso8601,
            category: category)
    }

    /// Billing and admins add any charge; a dispatcher one on a ticket; a tech one on a ticket assigned to them.
    private static func permit(_ add: AddCharge, actor: Actor) throws(DomainError) {
        switch actor.role {
        case .billing, .admin:
            return
        case .dispatcher where add.ticket != nil:
            return
        case .tech where add.ticket != nil:
            guard let ticket = add.ticketState, ticket.exists else { return }  // an unknown ticket is named as such
            guard ticket.assignee == actor.login else {
                throw DomainError(
                    .forbidden,
                    "\(actor) cannot add a charge on \(add.ticket?.description ?? ""), which is not assigned to you; take it first, or ask a dispatcher, billing or an admin")
            }
        case .dispatcher, .tech:
            throw DomainError(
                .forbidden, "\(actor) can add a charge only on a ticket (--ticket T-<n>); ask someone with role billing or admin for one of the client's")
        }
    }

    /// quantity × unit price, nil when it does not fit in `Int64`.
    static func unitPrice(_ price: Int64, times quantity: Int) -> Int64? {
        let (amount, overflow) = price.multipliedReportingOverflow(by: Int64(quantity))
        return overflow ? nil : amount
    }
}

extension Money {
    /// Reads money typed as decimal text in `currency`'s major units (`12.50`, `1249`, `1,249.00`) as minor units:
    /// exact, no floating point; more decimals than the currency has (`12.505` USD, `100.5` JPY), a sign, or anything
    /// but digits, one point and thousands commas is a failure (``DomainError/Code/invalid``) saying why. The result may
    /// be out of a caller's range; an amount beyond `Int64` is refused.
    public static func parse(_ text: String, currency: String) -> Result<Int64, DomainError> {
        let digits = minorDigits(currency)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        let whole = parts.first.map { $0.replacingOccurrences(of: ",", with: "") } ?? ""
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        func refused(_ why: String) -> Result<Int64, DomainError> {
            .failure(DomainError(.invalid, "\"\(text)\" is not an amount of \(currency): \(why)"))
        }
        guard parts.count <= 2, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
            parts.count == 1 || !fraction.isEmpty
        else {
            return refused("write it like \(Money.format(Int64(1250) * pow10(digits) / 100, currency: currency)), in digits with at most one point")
        }
        guard fraction.count <= digits else {
            return refused(
                digits == 0
                    ? "\(currency) has no minor unit; give a whole amount" : "\(currency) has \(digits) decimals; round it to \(digits) yourself")
        }
        var minor: Int64 = 0
        for byte in (whole + fraction + String(repeating: "0", count: digits - fraction.count)).utf8 {
            let (times, overflowed) = minor.multipliedReportingOverflow(by: 10)
            let (next, overflowedAdding) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowed, !overflowedAdding else { return refused("it is too large") }
            minor = next
        }
        return .success(minor)
    }

    private static func pow10(_ n: Int) -> Int64 { (0..<n).reduce(Int64(1)) { value, _ in value * 10 } }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
