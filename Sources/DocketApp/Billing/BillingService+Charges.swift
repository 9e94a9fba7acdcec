import DocketTime
import Domain
import EventLog

/// What billing (or a tech, on a ticket) fills in to add a one-off charge; the id is Docket's to allocate.
public struct ChargeRequest: Sendable, Equatable {
    public var client: String
    public var ticket: TicketNumber?
    public var description: String
    public var quantity: Int
    /// Minor units of the client's currency.
    public var unitPriceMinor: Int64
    public var unitCostMinor: Int64?
    /// The instant it is billed in; nil: now.
    public var date: Timestamp?
    public var category: String?

    public init(
        client: String, ticket: TicketNumber? = nil, description: String, quantity: Int = 1, unitPriceMinor: Int64, unitCostMinor: Int64? = nil,
        date: Timestamp? = nil, category: String? = nil
    ) {
        self.client = client
        self.ticket = ticket
        self.description = description
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
        self.unitCostMinor = unitCostMinor
        self.date = date
        self.category = category
    }
}

/// Which one-off charges to list.
public struct ChargeFilter: Sendable, Equatable {
    public var client: String?
    /// The client's billing month the charge's date falls in, `2026-11`.
    public var period: BillingPeriod?
    /// Only charges not voided that no draft or final invoice bills.
    public var unbilled: Bool

    public init(client: String? = nil, period: BillingPeriod? = nil, unbilled: Bool = false) {
        self.client = client
        self.period = period
        self.unbilled = unbilled
    }
}

/// A one-off charge as `docket charge list` and `GET /v1/charges` give it: its fields, its billing month and the lines
/// of draft and final invoices that bill it (the line that billed it and, after a void, the line billing it back).
public struct ChargeListRow: Encodable, Sendable, Equatable {
    public var charge: OneOffCharge
    /// The client's billing month of its date, `2026-11`.
    public var period: String
    /// quantity × unit price, minor units.
    public var amountMinor: Int64
    public var billedOn: [EntryBilling]

    private enum Keys: String, CodingKey { case period, amountMinor, billedOn }

    public func encode(to encoder: any Encoder) throws {
        try charge.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(period, forKey: .period)
        try container.encode(amountMinor, forKey: .amountMinor)
        try container.encode(billedOn, forKey: .billedOn)
    }
}

/// A one-off charge as it stands, where it is billed, and every event behind it.
public struct ChargeDetail: Encodable, Sendable, Equatable {
    public var row: ChargeListRow
    public var events: [EventReference]

    private enum Keys: String, CodingKey { case events }

    public func encode(to encoder: any Encoder) throws {
        try row.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(events, forKey: .events)
    }
}

extension BillingService {
    // MARK: - One-off charges

    /// Adds a one-off charge as `actor` and returns its id (`CH-1`, `CH-2`, … gapless per store): the decision
    /// (``ChargeDecider``) reads the client, the ticket given and the client's contracts. A retried command id returns
    /// the id the first attempt added.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func addCharge(_ request: ChargeRequest, as actor: String, commandId: String? = nil) throws -> String {
        let replay = { (earlier: AppendResult) throws -> String in
            guard earlier.stream.hasPrefix(StreamName.charge("")) else {
                throw EventLogError(.commandReused, "command id \(commandId ?? "") was already used for stream \(earlier.stream); use a new command id")
            }
            return String(earlier.stream.dropFirst(StreamName.charge("").count))
        }
        let context = try context(for: actor)
        return try kernel.execute(commandId: commandId, actor: actor, replay: replay) {
            let id = "CH-\(try kernel.nextFree(from: 1) { StreamName.charge("CH-\($0)") })"
            let client = try kernel.load(ClientDecider.self, stream: StreamName.client(request.client)).state
            let ticketState = try request.ticket.map { try kernel.load(TicketDecider.self, stream: StreamName.ticket($0)).state }
            let add = AddCharge(
                id: id, client: client, clientCode: request.client, ticket: request.ticket, ticketState: ticketState,
                contracts: client.code == nil ? [] : try directory.contracts(client: request.client), description: request.description,
                quantity: request.quantity, unitPriceMinor: request.unitPriceMinor, unitCostMinor: request.unitCostMinor,
                date: request.date ?? context.now, category: request.category)
            let events = try ChargeDecider.decide(.add(add), state: ChargeDecider.initialState, context: context)
            return CommandKernel.Decision(
                appends: [kernel.request(stream: StreamName.charge(id), version: 0, events: events, context: context, commandId: commandId)],
                output: id)
        }
    }

    /// Voids the one-off charge `id`: no run bills it again, and one billed on a final invoice is billed back by the next.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func voidCharge(_ id: String, reason: String, as actor: String, commandId: String? = nil) throws -> [ChargeEvent] {
        try requireCharge(id)
        return try kernel.run(
            ChargeDecider.self, stream: StreamName.charge(id), command: .void(reason: reason), context: context(for: actor), commandId: commandId
        ).events
    }

    /// Every one-off charge, or only `client`'s, in id order (folded from their streams).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func oneOffCharges(client: String? = nil) throws -> [OneOffCharge] {
        try store.streams(prefix: StreamName.charge("CH-")).map { try kernel.load(ChargeDecider.self, stream: $0.name).state }
            .filter { $0.exists && (client == nil || $0.client == client) }
            .sorted { ChargeCalculator.entryNumber($0.id) < ChargeCalculator.entryNumber($1.id) }
    }

    /// The one-off charges matching `filter` as `reader` may see them (a unit cost only for those who may read cost:
    /// ``CostReaders``), with the role `reader` has now (on a replay too: ``DocketApplication/reader(_:)``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func chargeList(_ filter: ChargeFilter = ChargeFilter(), readBy reader: String) throws -> [ChargeListRow] {
        let role = try? shared.reader(reader).role
        return try chargeList(filter).map { CostReaders.readable($0, by: role) }
    }

    /// The one-off charge `id` as `reader` may see it (``chargeList(_:readBy:)``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func chargeDetail(_ id: String, readBy reader: String) throws -> ChargeDetail {
        var detail = try chargeDetail(id)
        detail.row = CostReaders.readable(detail.row, by: try? shared.reader(reader).role)
        return detail
    }

    /// The one-off charges matching `filter`, each with its billing month and the invoice lines that bill it. An unknown
    /// client is ``DomainError/Code/notFound``.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func chargeList(_ filter: ChargeFilter = ChargeFilter()) throws -> [ChargeListRow] {
        if let client = filter.client { _ = try directory.client(client) }
        let charges = try oneOffCharges(client: filter.client)
        guard !charges.isEmpty else { return [] }
        let invoices = try self.invoices(InvoiceFilter(client: filter.client))
        var months: [String: BillingMonths] = [:]
        var rows: [ChargeListRow] = []
        for charge in charges {
            if months[charge.client] == nil { months[charge.client] = try billingMonths(of: try directory.client(charge.client)) }
            let period = Timestamp(iso8601: charge.date).map { months[charge.client, default: .utc].period(containing: $0).description } ?? ""
            let row = ChargeListRow(
                charge: charge, period: period, amountMinor: charge.amountMinor ?? 0, billedOn: Self.lines(billing: charge.id, in: invoices))
            if let wanted = filter.period, period != wanted.description { continue }
            if filter.unbilled, charge.voided || !row.billedOn.isEmpty { continue }
            rows.append(row)
        }
        return rows
    }

    /// The one-off charge `id` with where it is billed and its events.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func chargeDetail(_ id: String) throws -> ChargeDetail {
        try requireCharge(id)
        let charge = try kernel.load(ChargeDecider.self, stream: StreamName.charge(id)).state
        guard let row = try chargeList(ChargeFilter(client: charge.client)).first(where: { $0.charge.id == id }) else {
            throw DomainError(.notFound, "unknown charge \(id); list charges with `docket charge list`")
        }
        let events = try readAll(stream: StreamName.charge(id)).map { recorded -> EventReference in
            guard case .voided(let e)? = try? ChargeEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            else { return EventReference(recorded) }
            return EventReference(recorded, reason: e.reason)
        }
        return ChargeDetail(row: row, events: events)
    }

    /// The lines of the draft and final invoices among `invoices` under the key of charge `id`, oldest invoice first.
    static func lines(billing id: String, in invoices: [Invoice]) -> [EntryBilling] {
        let key = "one-off:\(id)"
        return invoices.filter { $0.status == .draft || $0.status == .final }
            .sorted { ($0.client, ChargeCalculator.entryNumber($0.id)) < ($1.client, ChargeCalculator.entryNumber($1.id)) }
            .flatMap { invoice in
                invoice.lines.enumerated().filter { $0.element.charge.key == key }.map { index, _ in
                    EntryBilling(document: invoice.number ?? invoice.id, invoice: invoice.id, status: invoice.status, line: index + 1)
                }
            }
    }

    private func requireCharge(_ id: String) throws {
        guard try store.version(of: StreamName.charge(id)) > 0 else {
            throw DomainError(.notFound, "unknown charge \(id); list charges with `docket charge list`")
        }
    }
}
