import DocketTime
import Domain
import EventLog

/// What an invoice run did for one client.
public struct ClientRun: Sendable, Equatable {
    public var client: String
    /// The drafts it appended (none when nothing new was due).
    public var drafted: [Invoice]
    /// Time it could not price, with the reason and the fix; it stays unbilled.
    public var heldBack: [HeldBackEntry]
}

/// Which invoices to list.
public struct InvoiceFilter: Sendable, Equatable {
    public var client: String?
    public var period: String?
    public var status: Invoice.Status?

    public init(client: String? = nil, period: String? = nil, status: Invoice.Status? = nil) {
        self.client = client
        self.period = period
        self.status = status
    }
}

/// One client's part of an invoice run, decided before anything is written.
private struct PlannedRun {
    enum Action {
        /// A retry of a command already run: its earlier events.
        case replay([InvoiceEvent])
        /// The draft to append (decided once already, so it is known to succeed on the ledger as it was).
        case draft(BillingCommand)
    }

    var code: String
    var stream: String
    var commandId: String?
    var action: Action
    var heldBack: [HeldBackEntry]
}

extension BillingService {
    // MARK: - Charges

    /// A client's charges through `period` as the history stands now: what an invoice run prices.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func charges(client: String, through period: BillingPeriod) throws -> ChargeSheet {
        let state = try directory.client(client)
        let code = state.code ?? client
        let tickets = try models.billing.tickets(in: store)[code] ?? [:]
        let entries = try entriesByClient([code: tickets])
        return try ChargeCalculator.charges(
            BillingInput(
                client: code, contracts: try directory.contracts(client: code), calendars: try calendarsById(), tickets: tickets, entries: entries[code] ?? [],
                months: try billingMonths(of: state), oneOffCharges: try oneOffCharges(client: code)),
            through: period)
    }

    /// The client's billing months: months already invoiced keep their zone, later ones follow its time zone now.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func billingMonths(of client: ClientState) throws -> BillingMonths { try shared.billingMonths(of: client) }

    // MARK: - Runs

    /// Drafts, for each client (or only `client`), what is unbilled through `period`: time not yet billed,
    /// corrections to time already billed (as adjustment lines), and the monthly fees due. A second run drafts only
    /// what is new. Every client's drafts are priced and decided before any is written, so a client the run refuses
    /// (an amount that does not fit in `Int64`, Money rule 5) stops the run with nothing written for any client; then
    /// each client's draft is its own transaction. With a command id, a retry returns the drafts
    /// the first attempt made and writes nothing. A period after the current month (UTC) is refused unless
    /// `allowFuture`: it would bill every monthly fee up to it.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func runInvoices(
        period: BillingPeriod, client: String? = nil, as actor: String, commandId: String? = nil, allowFuture: Bool = false
    ) throws -> [ClientRun] {
        let context = try context(for: actor)
        try Permissions.require(.manageInvoices, by: context.actor.role)
        let current = BillingPeriod(containing: context.now)
        guard allowFuture || period <= current else {
            throw DomainError(
                .invalid,
                "period \(period) is after the current period \(current): a run bills every monthly fee through its period; "
                    + "run it once the period has begun, or pass --allow-future to bill ahead")
        }
        let clients: [ClientState]
        if let client {
            clients = [try directory.client(client)]
        } else {
            clients = try directory.clients().filter { $0.code != nil }
        }
        let ticketsByClient = try models.billing.tickets(in: store)
        let entriesByClient = try entriesByClient(ticketsByClient)
        let calendars = try calendarsById()
        let allContracts = try directory.contracts()
        let oneOffByClient = Dictionary(grouping: try oneOffCharges(), by: \.client)
        // A command id given before for a run through another period is refused before any client is drafted.
        for clientState in clients {
            _ = try isRetry(
                of: .draft(period: period), commandId: commandId.map { "\($0):\(clientState.code ?? "")" }, shownAs: commandId,
                actor: context.actor.login)
        }
        // Every client's drafts are decided before any is written: a client whose amounts cannot be priced (Money rule 5)
        // stops the whole run with nothing written, rather than after the clients before it were drafted.
        var planned: [PlannedRun] = []
        for clientState in clients {
            let code = clientState.code ?? ""
            let stream = StreamName.billing(code)
            let clientCommand = commandId.map { "\($0):\(code)" }
            if let clientCommand, let earlier = try store.result(ofCommand: clientCommand) {
                let events = try kernel.earlierEvents(BillingDecider.self, commandId: clientCommand, result: earlier, stream: stream).events
                planned.append(PlannedRun(code: code, stream: stream, commandId: clientCommand, action: .replay(events), heldBack: []))
                continue
            }
            let months = try billingMonths(of: clientState)
            let ledger = try kernel.load(BillingDecider.self, stream: stream).state
            do throws(DomainError) {
                let sheet = try ChargeCalculator.charges(
                    BillingInput(
                        client: code, contracts: allContracts.filter { $0.client == code }, calendars: calendars,
                        tickets: ticketsByClient[code] ?? [:], entries: entriesByClient[code] ?? [], months: months,
                        oneOffCharges: oneOffByClient[code] ?? []),
                    through: period)
                let draft = BillingCommand.draft(client: code, period: period, charges: sheet.charges, timeZone: months.zone(of: period))
                _ = try BillingDecider.decide(draft, state: ledger, context: context)
                planned.append(PlannedRun(code: code, stream: stream, commandId: clientCommand, action: .draft(draft), heldBack: sheet.heldBack))
            } catch {
                throw DomainError(
                    error.code, "invoice run through \(period) refused for client \(code), nothing drafted for any client: \(error.message)")
            }
        }
        var runs: [ClientRun] = []
        for plan in planned {
            switch plan.action {
            case .replay(let events):
                runs.append(ClientRun(client: plan.code, drafted: try drafted(events), heldBack: []))
            case .draft(let draft):
                let (events, _) = try kernel.run(BillingDecider.self, stream: plan.stream, command: draft, context: context, commandId: plan.commandId)
                runs.append(ClientRun(client: plan.code, drafted: try drafted(events), heldBack: plan.heldBack))
            }
        }
        return runs
    }

    /// The drafts among `events`, as invoices (folded from the events themselves, not read back), each addressed as
    /// `invoice show` shows a draft: to the client as it stands now.
    private func drafted(_ events: [InvoiceEvent]) throws -> [Invoice] {
        try events.reduce(InvoiceLedger(), { $0.applying($1) }).invoices.map { draft in
            var draft = draft
            draft.billTo = try currentBillTo(of: draft)
            return draft
        }
    }

    // MARK: - Finalize, discard, void

    /// Makes a draft final under the next number of this year's sequence (`INV-2026-0001`, gapless: the number and
    /// the finalization are one transaction). Returns the final invoice. A draft that no longer bills what an invoice run
    /// would draft in its place is refused (``BillingDecider/staleness(of:ledger:priced:)``), as is one priced before one
    /// of the client's contract ends moved, in the months it bills (``ContractEndChange``): the streams that check read
    /// are read with the draft's, and the finalization appended only while they are as read.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func finalizeInvoice(_ reference: String, as actor: String, commandId: String? = nil) throws -> Invoice {
        let invoice = try self.invoice(reference)
        let context = try context(for: actor)
        let request = BillingRequest.finalize(invoice: invoice.id)
        if try isRetry(of: request, commandId: commandId, actor: context.actor.login) { return try self.invoice(invoice.id) }
        try issuingNumber(
            prefix: "INV", stream: StreamName.invoiceNumbers, invoice: invoice, request: request, context: context, commandId: commandId
        ) { number in
            let check = try freshness(of: invoice)
            // Addressed as the client and its contracts stand now: the invoice shows these details ever after.
            let finalize = BillingCommand.finalize(
                invoice: invoice.id, number: number, billTo: try currentBillTo(of: invoice), endsChanged: check.endsChanged, priced: check.priced)
            return (finalize, check.read, check.listed)
        }
        return try self.invoice(invoice.id)
    }

    /// What finalizing `draft` checks, as the log stands: the ends of its client's contracts with billing terms that moved
    /// since it was priced, in the months it bills (``ContractEndChange/since(drafted:contract:ends:through:)``); the
    /// client's charges through its period as an invoice run prices them now, with what was recorded since it was priced
    /// (``PricedNow``); and the streams read for them, at the versions read (`read`; the next time entry's and one-off
    /// charge's stream as absent, so that one logged meanwhile is seen), and the contracts and calendars counted (`listed`). A draft
    /// whose `invoice.drafted` is not in the log (a store's damage) is not checked.
    private func freshness(of draft: Invoice) throws
        -> (endsChanged: [ContractEndChange], priced: PricedNow?, read: [String: UInt64], listed: [String: UInt64])
    {
        guard draft.status == .draft, let period = BillingPeriod(draft.period) else { return ([], nil, [:], [:]) }
        let invoices = try readAll(stream: StreamName.billing(draft.client)).compactMap { recorded in
            (try? InvoiceEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)).map { (recorded, $0) }
        }
        let drafted = invoices.last { _, event in
            guard case .drafted(let e) = event else { return false }
            return e.invoice == draft.id
        }
        guard let since = drafted?.0.position else { return ([], nil, [:], [:]) }
        let client = try directory.client(draft.client)
        var read: [String: UInt64] = [StreamName.client(draft.client): try store.version(of: StreamName.client(draft.client))]
        // Other invoices taken back since: what they billed is unbilled again.
        var changes = invoices.compactMap { recorded, event -> DraftChange? in
            guard recorded.position > since else { return nil }
            switch event {
            case .voided(let e): return DraftChange(subject: .invoice(e.invoice), description: "\(e.number) was voided")
            case .discarded(let e): return DraftChange(subject: .invoice(e.invoice), description: "\(e.invoice) was discarded")
            default: return nil
            }
        }
        // Contracts: their ends, and their versions added since.
        let through = try billingMonths(of: client).end(of: period)
        var endsChanged: [ContractEndChange] = []
        for contract in try directory.contracts(client: draft.client) {
            guard let id = contract.id else { continue }
            let stream = StreamName.contract(id)
            let events = try readAll(stream: stream)
            read[stream] = events.last?.streamVersion ?? 0
            var ends: [ContractEndChange.End] = []
            for recorded in events {
                switch try ContractEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload) {
                case .ended(let e): ends.append(ContractEndChange.End(position: recorded.position, end: e.effectiveFrom))
                case .created where recorded.position > since:
                    changes.append(DraftChange(subject: .contract(id), description: "contract \(id) was added"))
                case .amended where recorded.position > since:
                    changes.append(DraftChange(subject: .contract(id), description: "contract \(id) was amended"))
                default: break
                }
            }
            if contract.versions.contains(where: { $0.billingTerms != nil }),
                let change = ContractEndChange.since(drafted: since, contract: id, ends: ends, through: through)
            {
                endsChanged.append(change)
            }
        }
        let listed = [
            StreamName.contract(""): UInt64(try store.streams(prefix: StreamName.contract("")).count),
            StreamName.calendar(""): UInt64(try store.streams(prefix: StreamName.calendar("")).count),
        ]
        // Calendars (terms price after-hours work by one): every one, as they are few.
        for calendar in try store.streams(prefix: StreamName.calendar("")) {
            read[calendar.name] = calendar.version
            if try store.read(stream: calendar.name, from: calendar.version, limit: 1).first.map({ $0.position > since }) ?? false {
                changes.append(DraftChange(subject: .other, description: "calendar \(calendar.name.dropFirst(StreamName.calendar("").count)) was amended"))
            }
        }
        // Time: every entry on the client's tickets, and the tickets themselves (their categories).
        let tickets = try models.billing.tickets(in: store)[draft.client] ?? [:]
        for number in tickets.keys { read[StreamName.ticket(number)] = try store.version(of: StreamName.ticket(number)) }
        let entryVersions = Dictionary(try store.streams(prefix: StreamName.timeEntry("TE-")).map { ($0.name, $0.version) }, uniquingKeysWith: max)
        for entry in try entriesByClient([draft.client: tickets])[draft.client] ?? [] {
            let stream = StreamName.timeEntry(entry.entryId)
            read[stream] = entryVersions[stream] ?? 0
            guard entry.position > since else { continue }
            let logged = (try store.read(stream: stream, from: 1, limit: 1).first?.position ?? 0) > since
            let what = logged ? "logged" : entry.voided ? "voided" : "corrected"
            changes.append(DraftChange(subject: .entry(entry.entryId), description: "\(entry.entryId) was \(what)"))
        }
        read[StreamName.timeEntry("TE-\(try kernel.nextFree(from: 1) { StreamName.timeEntry("TE-\($0)") })")] = 0
        // One-off charges.
        for charge in try oneOffCharges(client: draft.client) {
            let stream = StreamName.charge(charge.id)
            let events = try readAll(stream: stream)
            read[stream] = events.last?.streamVersion ?? 0
            guard let first = events.first(where: { $0.position > since }) else { continue }
            let what = first.streamVersion == 1 ? "added" : charge.voided ? "voided" : "changed"
            changes.append(DraftChange(subject: .charge(charge.id), description: "\(charge.id) was \(what)"))
        }
        read[StreamName.charge("CH-\(try kernel.nextFree(from: 1) { StreamName.charge("CH-\($0)") })")] = 0
        let charges = try self.charges(client: draft.client, through: period).charges
        return (endsChanged, PricedNow(charges: charges, changes: changes), read, listed)
    }

    /// Cancels a final invoice with a credit note for its whole amount (`CN-2026-0001`, gapless); its time and fees
    /// go on the next run.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func voidInvoice(_ reference: String, reason: String, as actor: String, commandId: String? = nil) throws -> Invoice {
        let invoice = try self.invoice(reference)
        let context = try context(for: actor)
        let request = BillingRequest.void(invoice: invoice.id)
        if try isRetry(of: request, commandId: commandId, actor: context.actor.login) { return try self.invoice(invoice.id) }
        try issuingNumber(
            prefix: "CN", stream: StreamName.creditNoteNumbers, invoice: invoice, request: request, context: context, commandId: commandId
        ) { number in
            (.void(invoice: invoice.id, creditNote: number, reason: reason), [:], [:])
        }
        return try self.invoice(invoice.id)
    }

    /// Throws a draft away; what it billed goes on the next run.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func discardInvoice(_ reference: String, reason: String, as actor: String, commandId: String? = nil) throws -> Invoice {
        let invoice = try self.invoice(reference)
        let context = try context(for: actor)
        if try isRetry(of: .discard(invoice: invoice.id), commandId: commandId, actor: context.actor.login) { return try self.invoice(invoice.id) }
        try kernel.run(
            BillingDecider.self, stream: StreamName.billing(invoice.client), command: .discard(invoice: invoice.id, reason: reason),
            context: context, commandId: commandId)
        return try self.invoice(invoice.id)
    }

    /// Decides `command` with the next number of the yearly sequence and appends the decision and the number together,
    /// while the other streams the command read (with the versions it read them at) are as read, and the families of
    /// streams it listed have as many streams as it counted.
    private func issuingNumber(
        prefix: String, stream sequenceName: (Int) -> String, invoice: Invoice, request: BillingRequest, context: DecisionContext,
        commandId: String?, command: (String) throws -> (BillingCommand, read: [String: UInt64], listed: [String: UInt64])
    ) throws {
        let year = BillingPeriod(containing: context.now).year
        let sequence = sequenceName(year)
        let billingStream = StreamName.billing(invoice.client)
        try kernel.execute(
            commandId: commandId, actor: context.actor.login, replay: { try requireAnswered(request, commandId: commandId ?? "", by: $0) }
        ) {
            let issued = try store.version(of: sequence)
            let digits = String(issued + 1)
            let number = "\(prefix)-\(year)-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            let (ledger, version) = try kernel.load(BillingDecider.self, stream: billingStream)
            let (decided, read, listed) = try command(number)
            let events = try BillingDecider.decide(decided, state: ledger, context: context)
            let issue = InvoiceEvent.numberIssued(InvoiceNumberIssued(number: number, invoice: invoice.id, client: invoice.client))
            return CommandKernel.Decision(
                appends: [
                    kernel.request(
                        stream: billingStream, version: version, events: events, context: context, commandId: commandId, read: read,
                        listed: listed),
                    kernel.request(stream: sequence, version: issued, events: [issue], context: context, commandId: nil),
                ], output: ())
        }
    }

    // MARK: - Retries

    /// Whether `commandId` was already used for `request` (a retry: answer with what it did, write nothing); false
    /// when there is no command id or it is new. An id used before by another user than `actor`, or for another
    /// request, is refused, naming it as `shownAs` (the id the caller gave, when a run derives one per client from it).
    private func isRetry(of request: BillingRequest, commandId: String?, shownAs: String? = nil, actor: String) throws -> Bool {
        guard let commandId, let earlier = try store.result(ofCommand: commandId) else { return false }
        try requireAnswered(request, commandId: shownAs ?? commandId, by: earlier)
        try kernel.requireSameRequest(earlier, commandId: shownAs ?? commandId, actor: actor)
        return true
    }

    /// Refuses `request` unless what `commandId` appended before (`earlier`) answers it.
    private func requireAnswered(_ request: BillingRequest, commandId: String, by earlier: AppendResult) throws {
        let events = try store.read(from: earlier.positions.lowerBound, limit: earlier.positions.count).compactMap { recorded -> InvoiceEvent? in
            do {
                return try InvoiceEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            } catch let error as EventDecodingError where error.reason == .unknownType {
                return nil  // another subsystem's event: the id was used for something else
            }
        }
        guard !request.isAnswered(by: events) else { return }
        let used = BillingRequest.describe(events) ?? "for stream \(earlier.stream)"
        throw EventLogError(.commandReused, "command id \(commandId) was already used \(used); use a new command id to \(request)")
    }

    // MARK: - Reading

    /// An invoice by id (`acme-D3`), number (`INV-2026-0001`) or credit note (`CN-2026-0001`).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func invoice(_ reference: String) throws -> Invoice {
        guard var invoice = try models.billing.invoice(reference, in: store) else {
            throw DomainError(.notFound, "unknown invoice \(reference); list invoices with `docket invoice list`")
        }
        // A draft is not issued yet: it shows whom it would be addressed to now.
        if invoice.status == .draft { invoice.billTo = try currentBillTo(of: invoice) }
        return invoice
    }

    /// Whom `invoice` is addressed to as its client and contracts stand now (``BillTo/of(client:contracts:lines:)``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    func currentBillTo(of invoice: Invoice) throws -> BillTo {
        BillTo.of(client: try directory.client(invoice.client), contracts: try directory.contracts(client: invoice.client), lines: invoice.lines)
    }

    /// The credit note `CN-2026-0001`: the document that voided a final invoice, with that invoice's lines negated.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func creditNote(_ number: String) throws -> CreditNote {
        guard let note = try models.billing.invoice(number, in: store)?.creditNoteDocument, note.number == number else {
            throw DomainError(.notFound, "unknown credit note \(number); list invoices and credit notes with `docket invoice list`")
        }
        return note
    }

    /// The credit note `CN-2026-0001` as `invoice show CN-… --json` and `GET /v1/invoices/CN-…` give it
    /// (``CreditNoteDocumentJSON``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func creditNoteDocument(_ number: String) throws -> CreditNoteDocumentJSON {
        guard let invoice = try models.billing.invoice(number, in: store), let document = CreditNoteDocumentJSON(invoice),
            document.note.number == number
        else {
            throw DomainError(.notFound, "unknown credit note \(number); list invoices and credit notes with `docket invoice list`")
        }
        return document
    }

    /// The customer-facing number of each of the client's invoices that is or was final (draft id → `INV-2026-0001`).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func invoiceNumbers(client: String) throws -> [String: String] {
        var numbers: [String: String] = [:]
        for invoice in try invoices(InvoiceFilter(client: client)) {
            if let number = invoice.number { numbers[invoice.id] = number }
        }
        return numbers
    }

    /// The invoices matching `filter`, in draft order per client.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func invoices(_ filter: InvoiceFilter = InvoiceFilter()) throws -> [Invoice] {
        try models.billing.allInvoices(in: store).filter { invoice in
            (filter.client == nil || invoice.client == filter.client) && (filter.period == nil || invoice.period == filter.period)
                && (filter.status == nil || invoice.status == filter.status)
        }.sorted { ($0.client, ChargeCalculator.entryNumber($0.id)) < ($1.client, ChargeCalculator.entryNumber($1.id)) }
    }

    /// ``invoices(_:)`` as `invoice list` and `GET /v1/invoices` list them: each draft addressed as `invoice show`
    /// shows it, to the client as it stands now (a final invoice keeps the bill-to it was finalized with).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func invoiceList(_ filter: InvoiceFilter = InvoiceFilter()) throws -> [Invoice] {
        try invoices(filter).map { invoice in
            guard invoice.status == .draft else { return invoice }
            var draft = invoice
            draft.billTo = try currentBillTo(of: draft)
            return draft
        }
    }

    // MARK: - Inputs

    private func calendarsById() throws -> [String: CalendarState] {
        var calendars: [String: CalendarState] = [CalendarState.twentyFourSevenID: CalendarState.twentyFourSeven]
        for calendar in try directory.calendars() {
            if let id = calendar.id { calendars[id] = calendar }
        }
        return calendars
    }

    /// Every time entry on the tickets of `tickets` (client → ticket → facts), by client.
    private func entriesByClient(_ tickets: [String: [String: BillableTicket]]) throws -> [String: [BillableEntry]] {
        var clientOfTicket: [String: String] = [:]
        for (client, numbers) in tickets {
            for number in numbers.keys { clientOfTicket[number] = client }
        }
        var result: [String: [BillableEntry]] = [:]
        for entry in try models.time.list(TimeFilter(), in: store) {
            guard let client = clientOfTicket[entry.ticket], let startedAt = Timestamp(iso8601: entry.startedAt) else { continue }
            result[client, default: []].append(
                BillableEntry(
                    entryId: entry.entryId, ticket: entry.ticket, tech: entry.tech, minutes: entry.minutes, workType: entry.workType,
                    billable: entry.billable, startedAt: startedAt, voided: entry.voided, position: entry.position ?? 0))
        }
        return result
    }
}

extension BillingService {
    // MARK: - Contract ends

    /// Ends contract `id` at `effectiveFrom`, or moves the end it has (``ContractCommand/end(effectiveFrom:billed:)``):
    /// the months final invoices billed under the contract, in the client's billing months, are what a move must not
    /// change. They are read from the client's invoice stream, and the end is appended only while that stream is as
    /// read (``contractEnd(_:at:context:commandId:)``): an invoice finalized meanwhile makes the kernel decide again.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func endContract(_ id: String, at effectiveFrom: Timestamp, as actor: String, commandId: String? = nil) throws -> [ContractEvent] {
        let context = try context(for: actor)
        let stream = StreamName.contract(id)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try kernel.earlierEvents(ContractDecider.self, commandId: commandId, result: $0, stream: stream).events }
        ) { try contractEnd(id, at: effectiveFrom, context: context, commandId: commandId) }
    }

    /// The decision to end contract `id` at `effectiveFrom`: for a move, checked against the final invoices of the
    /// client's invoice stream as it stands, and appended only while that stream is still at the version read.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    func contractEnd(
        _ id: String, at effectiveFrom: Timestamp, context: DecisionContext, commandId: String?
    ) throws -> CommandKernel.Decision<[ContractEvent]> {
        let stream = StreamName.contract(id)
        let (contract, version) = try kernel.load(ContractDecider.self, stream: stream)
        guard contract.id != nil else {
            throw DomainError(.notFound, "unknown contract \(id); list contracts with `docket contract list`")
        }
        var billed: [BilledMonth] = []
        var read: [String: UInt64] = [:]
        if contract.endsAt != nil {
            let invoices = StreamName.billing(contract.client)
            let (ledger, ledgerVersion) = try kernel.load(BillingDecider.self, stream: invoices)
            read[invoices] = ledgerVersion
            let months = try billingMonths(of: try directory.client(contract.client))
            for invoice in ledger.invoices where invoice.status == .final {
                var periods: [String] = []
                for line in invoice.lines where line.charge.contract == id && !periods.contains(line.charge.period) {
                    periods.append(line.charge.period)
                }
                for period in periods {
                    guard let month = BillingPeriod(period) else { continue }
                    billed.append(
                        BilledMonth(invoice: invoice.number ?? invoice.id, period: period, start: months.start(of: month), end: months.end(of: month)))
                }
            }
        }
        let events = try ContractDecider.decide(.end(effectiveFrom: effectiveFrom, billed: billed), state: contract, context: context)
        return CommandKernel.Decision(
            appends: [kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId, read: read)],
            output: events)
    }
}
